using System.Linq;
using ScottPlot;

namespace KarateClub;

/// <summary>A PNG of the members' 2-D embedding, one colour per faction, the two labelled members marked.</summary>
internal static class EmbeddingPlot
{
    public static void Save(string path, float[] embedding, int[] factions, int width = 700, int height = 600)
    {
        var plot = new Plot();
        plot.Font.Automatic();
        string[] names = ["Mr. Hi's faction", "the administrator's faction"];
        Color[] colours = [Colors.DodgerBlue, Colors.OrangeRed];
        for (int faction = 0; faction < 2; faction++)
        {
            int[] members = Enumerable.Range(0, factions.Length).Where(i => factions[i] == faction).ToArray();
            var points = plot.Add.ScatterPoints(members.Select(i => (double)embedding[2 * i]).ToArray(), members.Select(i => (double)embedding[2 * i + 1]).ToArray());
            points.LegendText = names[faction];
            points.Color = colours[faction];
            points.MarkerSize = 9;
        }
        foreach (int member in KarateData.Labelled)
        {
            var label = plot.Add.Text(member == 0 ? "0 (instructor)" : "33 (administrator)", embedding[2 * member], embedding[2 * member + 1]);
            label.LabelFontSize = 12;
            label.LabelAlignment = member == 0 ? Alignment.UpperLeft : Alignment.LowerRight;
        }
        plot.Axes.SetLimits(-1.15, 1.15, -1.15, 1.15); // tanh outputs, with room for the labels
        plot.Title("Karate club: GCN embedding (2 labelled members)");
        plot.XLabel("embedding 1");
        plot.YLabel("embedding 2");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, width, height);
    }
}
