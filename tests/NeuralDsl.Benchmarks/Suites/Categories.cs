namespace NeuralDsl.Benchmarks.Suites;

/// <summary>One category per comparison; TorchSharp is the baseline of each, so Ratio reads "NeuralDsl vs TorchSharp".</summary>
internal static class Categories
{
    public const string Predict = "a) SmallMlp Predict b=1";
    public const string SmallTrain = "b) SmallMlp TrainStep b=32";
    public const string MnistTrain = "c) MnistMlp TrainStep b=64";
    public const string Gemm = "d) GEMM n×n·n×n";
    public const string MnistCnnTrain = "e) MnistCnn TrainStep b=32";
    public const string MnistCnnPredict = "f) MnistCnn Predict b=1";
    public const string SimpleCnnTrain = "g) SimpleCnn TrainStep b=32";
    public const string SimpleCnnPredict = "h) SimpleCnn Predict b=1";
    public const string LstmTrain = "i) LSTM(50) 30×8 TrainStep b=32";
    public const string LstmPredict = "j) LSTM(50) 30×8 Predict b=1";
    public const string GruTrain = "k) GRU(50) 30×8 TrainStep b=32";
    public const string GruPredict = "l) GRU(50) 30×8 Predict b=1";
    public const string LstmStep = "m) LSTM(8) streaming Step";
    public const string GanStep = "n) seed GAN step b=64";
    public const string PerceptronFit = "o) Perceptron Fit digits 1,797×64";
    public const string ResNetTrain = "q) SmallResNet TrainStep b=32";
    public const string ResNetPredict = "r) SmallResNet Predict b=1";
    public const string ResNet18Forward = "s) ResNet-18 forward (ONNX file weights)";
    public const string GcnTrain = "t) Karate GCN TrainStep (34 nodes, 2 labelled)";

    // Issue 15: the worker pool's scaling, NeuralDsl alone at 1, 2, 4, ... threads (no baseline; see ScalingColumn).
    public const string ScalingMlp = "u) Scaling MnistMlp TrainStep b=256";
    public const string ScalingCnn = "v) Scaling MnistCnn TrainStep b=128";
    public const string ScalingGemm = "w) Scaling GEMM n=1024";
    public const string TransformerTrain = "x) TransformerEncoder 64×64 TrainStep b=16";
    public const string TransformerPredict = "y) TransformerEncoder 64×64 Predict b=1";
}
