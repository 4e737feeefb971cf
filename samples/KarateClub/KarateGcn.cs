using System;
using System.Collections.Generic;
using System.IO;
using NeuralDsl;

namespace KarateClub;

/// <summary>
/// Kipf &amp; Welling's two-layer GCN on Zachary's karate club, as in their demo: node features are the identity (a
/// one-hot row per member), two graph convolutions with tanh, the second two wide (the learned 2-D embedding), then
/// a softmax over the two factions. The batch is the graph: every call takes the 34 members at once.
/// </summary>
[Sequential(Loss = Loss.SparseCategoricalCrossEntropy)]
[Input(KarateData.Members)]
[GraphConv(16, Activation.Tanh)]
[GraphConv(2, Activation.Tanh)]
[Dense(2, Activation.Softmax)]
public partial class KarateGcn;

/// <summary>
/// The two graph convolutions of <see cref="KarateGcn"/> alone: its output is the 2-D embedding. Its tensors are the
/// first ones of <see cref="KarateGcn"/>, in the same layout, so the trained prefix of the parameters is copied in.
/// </summary>
[Sequential]
[Input(KarateData.Members)]
[GraphConv(16, Activation.Tanh)]
[GraphConv(2, Activation.Tanh)]
public partial class KarateEmbedding;

/// <summary>The club: 34 members, 78 friendships, the faction each member joined after the split.</summary>
/// <param name="Edges">Undirected friendships (source, target).</param>
/// <param name="Factions">Per member: 0 for the instructor's faction (Mr. Hi), 1 for the administrator's (Officer).</param>
public sealed record KarateData((int Source, int Target)[] Edges, int[] Factions)
{
    /// <summary>Members of the club.</summary>
    public const int Members = 34;

    /// <summary>The instructor, Mr. Hi (node 0), and the administrator (node 33): the only labelled members.</summary>
    public static readonly int[] Labelled = [0, 33];

    /// <summary>Reads <c>karate.csv</c> (node, club) and <c>karate-edges.csv</c> (source, target) from a folder.</summary>
    public static KarateData Load(string folder)
    {
        CsvTable clubs = Csv.Read(Path.Combine(folder, "karate.csv"));
        CsvTable edgeTable = Csv.Read(Path.Combine(folder, "karate-edges.csv"));
        if (clubs.RowCount != Members)
            throw new InvalidDataException($"karate.csv holds {clubs.RowCount} members, expected {Members}.");
        var factions = new int[Members];
        string[] nodes = clubs.TextColumn("node"), club = clubs.TextColumn("club");
        for (int i = 0; i < Members; i++)
            factions[int.Parse(nodes[i], System.Globalization.CultureInfo.InvariantCulture)] = club[i] == "Mr. Hi" ? 0 : 1;
        double[] sources = edgeTable.Column("source"), targets = edgeTable.Column("target");
        var edges = new (int, int)[sources.Length];
        for (int e = 0; e < edges.Length; e++)
            edges[e] = ((int)sources[e], (int)targets[e]);
        return new KarateData(edges, factions);
    }

    /// <summary>The identity features: member i's row is one-hot at i.</summary>
    public static float[] IdentityFeatures()
    {
        var x = new float[Members * Members];
        for (int i = 0; i < Members; i++)
            x[i * Members + i] = 1;
        return x;
    }
}

/// <summary>Training with one labelled member per faction, and the accuracy on the others.</summary>
public static class KarateTraining
{
    /// <summary>Epochs of full-graph Adam steps on the two labelled members.</summary>
    public const int Epochs = 200;

    /// <summary>Adam's learning rate.</summary>
    public const double LearningRate = 0.01;

    /// <summary>
    /// Trains <paramref name="model"/> (its graph set) on the labelled members only: each step is one
    /// <c>TrainStep</c> over the whole graph with the node mask, so the loss is the mean over the two labelled
    /// members. <paramref name="progress"/> hears (epoch, loss) every 20 epochs.
    /// </summary>
    public static void Train(KarateGcn model, KarateData data, Action<int, float>? progress = null)
    {
        float[] x = KarateData.IdentityFeatures();
        var labels = new float[KarateData.Members];
        var mask = new bool[KarateData.Members];
        foreach (int member in KarateData.Labelled)
        {
            labels[member] = data.Factions[member];
            mask[member] = true;
        }
        var adam = new Adam(LearningRate);
        for (int epoch = 1; epoch <= Epochs; epoch++)
        {
            float loss = model.TrainStep(x, labels, mask, adam);
            if (epoch % 20 == 0)
                progress?.Invoke(epoch, loss);
        }
    }

    /// <summary>The predicted faction of every member (arg-max of the softmax).</summary>
    public static int[] Predict(KarateGcn model)
    {
        float[] p = model.Predict(KarateData.IdentityFeatures());
        var predicted = new int[KarateData.Members];
        for (int i = 0; i < predicted.Length; i++)
            predicted[i] = p[2 * i + 1] > p[2 * i] ? 1 : 0;
        return predicted;
    }

    /// <summary>The fraction of the unlabelled members whose faction is predicted right.</summary>
    public static double UnlabelledAccuracy(int[] predicted, KarateData data)
    {
        int right = 0, count = 0;
        for (int i = 0; i < KarateData.Members; i++)
        {
            if (Array.IndexOf(KarateData.Labelled, i) >= 0)
                continue;
            count++;
            if (predicted[i] == data.Factions[i])
                right++;
        }
        return (double)right / count;
    }

    /// <summary>The 2-D embedding [members × 2]: the trained graph convolutions alone.</summary>
    public static float[] Embedding(KarateGcn model)
    {
        var embedding = new KarateEmbedding();
        model.Parameters[..embedding.Parameters.Length].CopyTo(embedding.Parameters);
        embedding.SetGraph(model.Graph!);
        return embedding.Predict(KarateData.IdentityFeatures());
    }
}
