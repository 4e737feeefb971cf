// Issue 12, item 4: ResNets declared with named graphs. The small ResNet trained on the MNIST digits is in
// MnistResNet.cs.
ResNet.MnistResNetTraining.Run();
