using System;
using System.Numerics;
using NeuralDsl.Tests.Conformance;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>
/// Generated Dense and Activation layers against the libtorch reference (Keras conventions): forward output, and with
/// the fixture's grad_output the input gradient and every weight gradient. Tolerances as in Fixtures/README.md:
/// double 1e-10 relative / 1e-12 absolute, float 1e-5 relative / 1e-6 absolute.
/// </summary>
public sealed class ModelConformanceTests
{
    [Theory]
    [InlineData("dense_linear")]
    [InlineData("dense_relu")]
    [InlineData("dense_softmax")]
    [InlineData("dense_sigmoid_rank3")]
    [InlineData("dense_tanh_no_bias")]
    public void Dense_matches_libtorch_in_float_and_double(string name)
    {
        var fixture = Fixture.Load(name);
        Check(fixture, (IModel<float>)(name switch
        {
            "dense_linear" => new DenseLinearF(),
            "dense_relu" => new DenseReluF(),
            "dense_softmax" => new DenseSoftmaxF(),
            "dense_sigmoid_rank3" => new DenseSigmoidRank3F(),
            _ => new DenseTanhNoBiasF(),
        }));
        Check(fixture, (IModel<double>)(name switch
        {
            "dense_linear" => new DenseLinearD(),
            "dense_relu" => new DenseReluD(),
            "dense_softmax" => new DenseSoftmaxD(),
            "dense_sigmoid_rank3" => new DenseSigmoidRank3D(),
            _ => new DenseTanhNoBiasD(),
        }));
    }

    [Theory]
    [InlineData("activation_linear")]
    [InlineData("activation_relu")]
    [InlineData("activation_sigmoid")]
    [InlineData("activation_tanh")]
    [InlineData("activation_softmax")]
    [InlineData("activation_leaky_relu")]
    [InlineData("activation_elu")]
    [InlineData("activation_gelu")]
    [InlineData("activation_swish")]
    [InlineData("activation_selu")]
    [InlineData("activation_softplus")]
    public void Activation_layer_matches_libtorch(string name)
    {
        IModel<float> model = name switch
        {
            "activation_linear" => new ActLinearF(),
            "activation_relu" => new ActReluF(),
            "activation_sigmoid" => new ActSigmoidF(),
            "activation_tanh" => new ActTanhF(),
            "activation_softmax" => new ActSoftmaxF(),
            "activation_leaky_relu" => new ActLeakyReluF(),
            "activation_elu" => new ActEluF(),
            "activation_gelu" => new ActGeluF(),
            "activation_swish" => new ActSwishF(),
            "activation_selu" => new ActSeluF(),
            _ => new ActSoftplusF(),
        };
        Check(Fixture.Load(name), model);
    }

    [Theory]
    [InlineData("conv2d_valid_3x3_s1")]
    [InlineData("conv2d_same_3x3_s1_relu")]
    [InlineData("conv2d_same_3x3_s2")]
    [InlineData("conv2d_same_2x2_s1")]
    [InlineData("conv2d_same_4x4_s3")]
    [InlineData("conv2d_valid_2x3_s2x1_tanh")]
    [InlineData("conv2d_same_3x3_dilation2")]
    [InlineData("max_pooling2d")]
    [InlineData("max_pooling2d_same")]
    public void Conv2D_and_MaxPooling2D_match_libtorch_in_float_and_double(string name)
    {
        var fixture = Fixture.Load(name);
        (IModel<float> f, IModel<double> d) = name switch
        {
            "conv2d_valid_3x3_s1" => ((IModel<float>)new ConvValid3x3F(), (IModel<double>)new ConvValid3x3D()),
            "conv2d_same_3x3_s1_relu" => (new ConvSame3x3ReluF(), new ConvSame3x3ReluD()),
            "conv2d_same_3x3_s2" => (new ConvSame3x3S2F(), new ConvSame3x3S2D()),
            "conv2d_same_2x2_s1" => (new ConvSame2x2F(), new ConvSame2x2D()),
            "conv2d_same_4x4_s3" => (new ConvSame4x4S3F(), new ConvSame4x4S3D()),
            "conv2d_valid_2x3_s2x1_tanh" => (new ConvValid2x3TanhF(), new ConvValid2x3TanhD()),
            "conv2d_same_3x3_dilation2" => (new ConvDilation2F(), new ConvDilation2D()),
            "max_pooling2d" => (new MaxPoolF(), new MaxPoolD()),
            _ => (new MaxPoolSameF(), new MaxPoolSameD()),
        };
        Check(fixture, f);
        Check(fixture, d);
    }

    [Theory]
    [InlineData("global_average_pooling2d")]
    [InlineData("global_max_pooling2d")]
    [InlineData("global_average_pooling1d")]
    public void Global_pooling_matches_libtorch_in_float_and_double(string name)
    {
        var fixture = Fixture.Load(name);
        (IModel<float> f, IModel<double> d) = name switch
        {
            "global_average_pooling2d" => ((IModel<float>)new GlobalAvgPool2DF(), (IModel<double>)new GlobalAvgPool2DD()),
            "global_max_pooling2d" => (new GlobalMaxPool2DF(), new GlobalMaxPool2DD()),
            _ => (new GlobalAvgPool1DF(), new GlobalAvgPool1DD()),
        };
        Check(fixture, f);
        Check(fixture, d);
    }

    [Theory]
    [InlineData("average_pooling2d")]
    [InlineData("average_pooling2d_same")]
    [InlineData("max_pooling1d")]
    public void AveragePooling2D_and_MaxPooling1D_match_libtorch_in_float_and_double(string name)
    {
        var fixture = Fixture.Load(name);
        (IModel<float> f, IModel<double> d) = name switch
        {
            "average_pooling2d" => ((IModel<float>)new AvgPoolF(), (IModel<double>)new AvgPoolD()),
            "average_pooling2d_same" => (new AvgPoolSameF(), new AvgPoolSameD()),
            _ => (new MaxPool1DF(), new MaxPool1DD()),
        };
        Check(fixture, f);
        Check(fixture, d);
    }

    [Theory]
    [InlineData("conv1d_valid_k3")]
    [InlineData("conv1d_same_k4_relu")]
    [InlineData("conv1d_same_k3_s2")]
    public void Conv1D_matches_libtorch_in_float_and_double(string name)
    {
        var fixture = Fixture.Load(name);
        (IModel<float> f, IModel<double> d) = name switch
        {
            "conv1d_valid_k3" => ((IModel<float>)new Conv1DValidF(), (IModel<double>)new Conv1DValidD()),
            "conv1d_same_k4_relu" => (new Conv1DSameReluF(), new Conv1DSameReluD()),
            _ => (new Conv1DSameS2F(), new Conv1DSameS2D()),
        };
        Check(fixture, f);
        Check(fixture, d);
    }

    [Theory]
    [InlineData("simple_rnn_last")]
    [InlineData("simple_rnn_sequences")]
    [InlineData("lstm_last")]
    [InlineData("lstm_sequences")]
    [InlineData("lstm_sequences_go_backwards")]
    [InlineData("gru_last")]
    [InlineData("gru_sequences")]
    public void Recurrent_layers_match_libtorch_in_float_and_double(string name)
    {
        var fixture = Fixture.Load(name);
        (IModel<float> f, IModel<double> d) = name switch
        {
            "simple_rnn_last" => ((IModel<float>)new SimpleRnnLastF(), (IModel<double>)new SimpleRnnLastD()),
            "simple_rnn_sequences" => (new SimpleRnnSequencesF(), new SimpleRnnSequencesD()),
            "lstm_last" => (new LstmLastF(), new LstmLastD()),
            "lstm_sequences" => (new LstmSequencesF(), new LstmSequencesD()),
            "lstm_sequences_go_backwards" => (new LstmBackwardsF(), new LstmBackwardsD()),
            "gru_last" => (new GruLastF(), new GruLastD()),
            _ => (new GruSequencesF(), new GruSequencesD()),
        };
        Check(fixture, f);
        Check(fixture, d);
    }

    private static void Check<T>(Fixture fixture, IModel<T> model) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Tolerance tolerance = Tolerance.For<T>();
        // Weights under their Keras names: fixture "kernel" is the model's "<layer>.kernel".
        foreach (ParameterInfo p in model.ParameterLayout)
        {
            string key = p.Name[(p.Name.IndexOf('.') + 1)..];
            Assert.Equal(fixture.Shape(key), p.Shape);
            fixture.Input<T>(key).CopyTo(model.Parameters.Slice(p.Offset, p.Length));
        }

        T[] input = fixture.Input<T>("input");
        var output = new T[fixture.Get("output").Length];
        model.Forward(input, output, training: false);
        tolerance.AssertClose<T>(output, fixture.Get("output"), fixture.Name + " output");

        T[] gradOutput = fixture.Input<T>("grad_output");
        var gradInput = new T[input.Length];
        model.ZeroGradients();
        model.Backward(gradOutput, gradInput);
        tolerance.AssertClose<T>(gradInput, fixture.Get("grad_input"), fixture.Name + " grad_input");
        foreach (ParameterInfo p in model.ParameterLayout)
        {
            string key = "grad_" + p.Name[(p.Name.IndexOf('.') + 1)..];
            tolerance.AssertClose<T>(model.Gradients.Slice(p.Offset, p.Length), fixture.Get(key), fixture.Name + " " + key);
        }
    }
}
