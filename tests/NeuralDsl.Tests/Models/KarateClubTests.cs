using KarateClub;
using NeuralDsl.Tests.Data;
using Xunit;

namespace NeuralDsl.Tests.Models;

/// <summary>
/// samples/KarateClub's two-layer GCN (its model and training linked in): trained with the sample's seed on the two
/// labelled members only, it names the faction of at least 90 % of the other 32 (the sample prints 93.8 %: 30 of 32).
/// </summary>
public sealed class KarateClubTests
{
    [Fact]
    public void The_sample_gcn_names_at_least_90_percent_of_the_unlabelled_members_factions()
    {
        KarateData data = KarateData.Load(System.IO.Path.GetDirectoryName(SampleData.File("karate.csv"))!);
        Assert.Equal(78, data.Edges.Length);
        var model = new KarateGcn(seed: 1);
        model.SetGraph(KarateData.Members, data.Edges);
        KarateTraining.Train(model, data);
        double accuracy = KarateTraining.UnlabelledAccuracy(KarateTraining.Predict(model), data);
        Assert.True(accuracy >= 0.9, $"accuracy on the 32 unlabelled members {accuracy:P1} < 90 %");

        // The embedding model shares the first tensors: its output is the classifier's second-to-last layer.
        float[] embedding = KarateTraining.Embedding(model);
        Assert.Equal(2 * KarateData.Members, embedding.Length);
        Assert.True(embedding[0] * embedding[2 * 33] < 0, "the instructor and the administrator end on opposite sides of the first axis");
    }
}
