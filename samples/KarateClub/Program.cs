// Zachary's karate club (1977): 34 members of a university karate club, 78 friendships observed outside the club,
// and the faction each member joined when the club split between the instructor (Mr. Hi, member 0) and the
// administrator (member 33). A two-layer graph convolutional network (Kipf & Welling, 2017) learns the split from
// the friendships alone: the node features are the identity, and only the instructor and the administrator are
// labelled. The other 32 members' factions are predicted and scored against the majority-class baseline, and the
// learned 2-D embedding is saved as a PNG coloured by faction.
using System;
using System.IO;
using System.Linq;
using KarateClub;
using NeuralDsl;

KarateData data = KarateData.Load(Path.Combine(AppContext.BaseDirectory, "data"));
Console.WriteLine($"Karate club: {KarateData.Members} members, {data.Edges.Length} friendships; " +
    $"{data.Factions.Count(f => f == 0)} followed Mr. Hi, {data.Factions.Count(f => f == 1)} the administrator.");

var model = new KarateGcn(seed: 1);
model.SetGraph(KarateData.Members, data.Edges);
Console.WriteLine(KarateGcn.Summary);
Console.WriteLine($"Â: {model.Graph!.NonZeroCount} stored entries (two per friendship, one self loop per member).");
Console.WriteLine($"Training {KarateTraining.Epochs} full-graph Adam steps on 2 labelled members (0 and 33):");

var clock = System.Diagnostics.Stopwatch.StartNew();
KarateTraining.Train(model, data, (epoch, loss) => Console.WriteLine($"  epoch {epoch,3}: loss on the labelled members {loss:F4}"));
clock.Stop();

int[] predicted = KarateTraining.Predict(model);
double accuracy = KarateTraining.UnlabelledAccuracy(predicted, data);
int unlabelled = KarateData.Members - KarateData.Labelled.Length;
int majority = Enumerable.Range(0, KarateData.Members).Where(i => !KarateData.Labelled.Contains(i))
    .GroupBy(i => data.Factions[i]).Max(g => g.Count());
Console.WriteLine($"Trained in {clock.Elapsed.TotalMilliseconds:F0} ms. On the other {unlabelled} members the GCN names the faction " +
    $"of {accuracy * unlabelled:F0} ({accuracy:P1}), where always guessing the larger faction names {majority} ({(double)majority / unlabelled:P1}).");
int[] wrong = Enumerable.Range(0, KarateData.Members).Where(i => predicted[i] != data.Factions[i]).ToArray();
if (wrong.Length > 0)
    Console.WriteLine("Misclassified members: " + string.Join(", ", wrong) + ".");

float[] embedding = KarateTraining.Embedding(model);
string png = Path.Combine(AppContext.BaseDirectory, "karate-embedding.png");
EmbeddingPlot.Save(png, embedding, data.Factions);
Console.WriteLine($"Embedding: {png}");
