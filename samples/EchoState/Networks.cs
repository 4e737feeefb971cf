using NeuralDsl;

namespace EchoState;

/// <summary>
/// The classic echo state network on Mackey–Glass (ReservoirPy's tutorial settings): 500 tanh units, 10 % of the
/// recurrent and input connections, spectral radius 1.25, leak rate 0.3; a ridge readout (λ = 1e-7) fitted after 100
/// warm-up steps. Input and output are the series itself, so the network can run closed-loop.
/// </summary>
[Reservoir(500, SpectralRadius = 1.25, LeakRate = 0.3, Connectivity = 0.1, InputConnectivity = 0.1, Seed = 42)]
[Input(1)]
[Readout(1, Ridge = 1e-7, Warmup = 100)]
public partial class MackeyGlassEsn;

/// <summary>
/// The CO2 network reads the standardized month-to-month change of the concentration and predicts the next change:
/// the seasonal cycle in the changes is what it has to carry through a 24-month closed loop.
/// </summary>
[Reservoir(300, SpectralRadius = 0.95, LeakRate = 0.6, Connectivity = 0.1, InputConnectivity = 0.2, Seed = 7)]
[Input(1)]
[Readout(1, Ridge = 1e-4, Warmup = 24)]
public partial class Co2Esn;
