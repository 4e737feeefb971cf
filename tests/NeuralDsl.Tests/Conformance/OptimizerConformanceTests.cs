using System;
using System.Globalization;
using System.Numerics;
using Xunit;

namespace NeuralDsl.Tests.Conformance;

/// <summary>
/// The <c>optimizer_*</c> cases: three <see cref="Optimizer.Step{T}"/> calls with <c>gradient_step1..3</c>, and after
/// each one the parameters (<c>param_after_stepN</c>) and every slot the case stores (<c>momentum_after_stepN</c>,
/// <c>velocity_after_stepN</c>). Double and float, tolerances of Fixtures/README.md.
/// </summary>
public sealed class OptimizerConformanceTests
{
    public static TheoryData<string> Cases =>
    [
        "optimizer_sgd", "optimizer_sgd_momentum", "optimizer_sgd_nesterov", "optimizer_adam", "optimizer_adamw", "optimizer_rmsprop",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Double(string name) => Check<double>(name);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Float(string name) => Check<float>(name);

    private static void Check<T>(string name) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Fixture f = Fixture.Load(name);
        Tolerance tol = Tolerance.For<T>();
        Optimizer optimizer = Create(f);
        T[] parameters = f.Input<T>("param");
        int steps = int.Parse(f.Meta("steps"), CultureInfo.InvariantCulture);
        Assert.Equal(3, steps);
        string[] outputs = f.Meta("outputs").Split(',');

        for (int step = 1; step <= steps; step++)
        {
            T[] gradient = f.Input<T>($"gradient_step{step}");
            optimizer.Step<T>(parameters, gradient);
            Assert.Equal(step, optimizer.Iterations);
            tol.AssertClose<T>(parameters, f.Get($"param_after_step{step}"), $"{name} param_after_step{step}");

            int slotsChecked = 0;
            foreach (string output in outputs)
            {
                string suffix = $"_after_step{step}";
                if (output.StartsWith("param", StringComparison.Ordinal) || !output.EndsWith(suffix, StringComparison.Ordinal))
                    continue;
                string slot = output[..^suffix.Length];
                tol.AssertClose(optimizer.GetSlot<T>(slot), f.Get(output), $"{name} {output}");
                slotsChecked++;
            }
            // Every slot the optimizer keeps is one the case checks, and vice versa.
            Assert.Equal(optimizer.SlotNames.Length, slotsChecked);
        }
    }

    /// <summary>
    /// The optimizer the case describes. Adam, AdamW and RMSprop cases use Keras' defaults, so they are built with
    /// the constructors' defaults and the case's configuration is checked against them.
    /// </summary>
    private static Optimizer Create(Fixture f)
    {
        double Number(string key) => double.Parse(f.Meta(key), NumberStyles.Float, CultureInfo.InvariantCulture);
        switch (f.Meta("type"))
        {
            case "SGD":
                return new Sgd(Number("learning_rate"), Number("momentum"), bool.Parse(f.Meta("nesterov")));
            case "Adam":
            {
                var adam = new Adam();
                Assert.Equal((Number("learning_rate"), Number("beta_1"), Number("beta_2"), Number("epsilon")), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon));
                return adam;
            }
            case "AdamW":
            {
                var adamW = new AdamW();
                Assert.Equal((Number("learning_rate"), Number("weight_decay"), Number("beta_1"), Number("beta_2"), Number("epsilon")), (adamW.LearningRate, adamW.WeightDecay, adamW.Beta1, adamW.Beta2, adamW.Epsilon));
                return adamW;
            }
            case "RMSprop":
            {
                var rmsProp = new RmsProp();
                Assert.Equal((Number("learning_rate"), Number("rho"), Number("momentum"), Number("epsilon")), (rmsProp.LearningRate, rmsProp.Rho, rmsProp.Momentum, rmsProp.Epsilon));
                Assert.Equal("false", f.Meta("centered"));
                return rmsProp;
            }
            default:
                throw new ArgumentException($"Case '{f.Name}' has the unknown optimizer type '{f.Meta("type")}'.");
        }
    }
}
