package dev.jlens.sae;

import dev.jlens.Fixtures;
import dev.jlens.cli.CliRunnerAccess;
import dev.jlens.dataset.TextCorpus;
import dev.jlens.dataset.TokenizeAndConcatenate;
import dev.jlens.model.HookedTransformer;
import dev.jlens.tensor.IntTensor;
import dev.jlens.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jlens sae dashboard}: the feature's firing count, its top example and the token colors of that example are
 * those of ReferenceSae's float64 activations over the corpus rows (the plain model's activations at the SAE's hook
 * point, which the error term keeps), and the page has the histogram and the logit effects.
 */
class FeatureDashboardTest {
    private static final int CONTEXT = 8;

    @TempDir
    Path dir;

    @Test
    void thePageShowsTheFeaturesFiringTopExamplesAndLogitEffectsOverTheCorpus() throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.txt"), "The cat sat on the mat and looked at the dog.\nA bird flew over the house, then over the river.\n"
                + "Numbers: 1, 2, 3, 4, 5, 6, 7, 8, 9 and 10.\nShe said that he would come back tomorrow morning.\n");
        Path page = dir.resolve("page.html");
        String hook = "blocks.2.hook_mlp_out";
        HookedTransformer model = Fixtures.model("a");
        ReferenceSae ref = new ReferenceSae("standard");
        // the feature that fires at the most positions of the corpus, in float64
        List<double[]> rows = new ArrayList<>();  // per row: the activations of every feature, flattened [pos * d_sae]
        List<int[]> rowTokens = new ArrayList<>();
        try (TokenizeAndConcatenate t = new TokenizeAndConcatenate(TextCorpus.open(corpus, null), model.tokenizer(), CONTEXT, true)) {
            t.forEachRemaining(r -> {
                Tensor x = model.runWithCache(IntTensor.of(r.tokens(), 1, r.tokens().length)).cache().get(hook).squeeze(0);
                double[] acts = new double[x.shape(0) * ref.dSae];
                for (int p = 0; p < x.shape(0); p++) {
                    double[] row = new double[ref.dIn];
                    for (int c = 0; c < ref.dIn; c++) row[c] = x.item(p, c);
                    double[] s = ref.centered(row);
                    System.arraycopy(ref.post(ref.pre(s), s), 0, acts, p * ref.dSae, ref.dSae);
                }
                rows.add(acts);
                rowTokens.add(r.tokens());
            });
        }
        int feature = 0, bestCount = -1;
        for (int f = 0; f < ref.dSae; f++) {
            int count = 0;
            for (double[] a : rows) for (int p = 0; p < a.length / ref.dSae; p++) if (a[p * ref.dSae + f] > 0) count++;
            if (count > bestCount) {
                bestCount = count;
                feature = f;
            }
        }
        int positions = 0, topRow = -1, topPos = -1;
        double top = 0;
        for (int r = 0; r < rows.size(); r++) {
            int n = rows.get(r).length / ref.dSae;
            positions += n;
            for (int p = 0; p < n; p++) {
                double v = rows.get(r)[p * ref.dSae + feature];
                if (v > top) {
                    top = v;
                    topRow = r;
                    topPos = p;
                }
            }
        }

        String[] r = CliRunnerAccess.run("sae", "dashboard", "--model", Fixtures.modelDir("a").toString(), "--sae", SaeFixtures.folder("standard").toString(),
                "--dataset", corpus.toString(), "--context", "" + CONTEXT, "--feature", "" + feature, "--k", "3", "--out", page.toString());
        assertThat(r[0]).as(r[2]).isEqualTo("0");
        assertThat(r[1]).isEqualTo("feature " + feature + " of " + hook + ": fires at " + bestCount + " of " + positions + " positions; page written to " + page + "\n");
        String html = Files.readString(page);
        assertThat(html).contains("id=\"feature-facts\"", "id=\"feature-histogram\"", "id=\"feature-logits\"", "id=\"feature-example-0\"",
                "id=\"feature-example-2\"").doesNotContain("id=\"feature-example-3\"");
        assertThat(html).contains("row " + topRow + ", position " + topPos + ": ");
        // the top example's peak token carries the feature's activation there
        String example = html.substring(html.indexOf("id=\"feature-example-0\""));
        example = example.substring(0, example.indexOf("</div>"));
        int from = Math.max(0, topPos - 10);
        String peak = example.substring(example.indexOf("data-pos=\"" + (topPos - from) + "\""));
        String shown = peak.substring(peak.indexOf("data-value=\"") + 12, peak.indexOf("\"", peak.indexOf("data-value=\"") + 12));
        assertThat(Double.parseDouble(shown)).as("peak value " + shown).isCloseTo(top, org.assertj.core.data.Offset.offset(1e-3 * Math.max(1, top)));
        assertThat(example).contains(String.format(Locale.ROOT, "data-pos=\"%d\"", Math.min(rowTokens.get(topRow).length, topPos + 5) - from - 1));
    }

    @Test
    void aPageNeedsExactlyOneSae() throws Exception {
        Path corpus = Files.writeString(dir.resolve("c.txt"), "The cat sat on the mat.\n");
        String[] r = CliRunnerAccess.run("sae", "dashboard", "--model", Fixtures.modelDir("a").toString(), "--dataset", corpus.toString(),
                "--feature", "3", "--out", dir.resolve("page.html").toString());
        assertThat(r[0]).isEqualTo("1");
        assertThat(r[2]).isEqualTo("jlens: --sae: give exactly one SAE, got 0\n");
        assertThat(dir.resolve("page.html")).doesNotExist();
    }
}
