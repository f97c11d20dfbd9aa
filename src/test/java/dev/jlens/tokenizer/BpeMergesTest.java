package dev.jlens.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.jlens.testing.RandomCases;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The heap-based BPE loop against the plain one it replaces, and its tie-break. */
class BpeMergesTest {
    // Symbols a=0, b=1, c=2; merged tokens from 10 on.
    private static final int A = 0;
    private static final int B = 1;
    private static final int C = 2;

    @Test
    void equalRanksMergeLeftmostFirst() {
        BpeMerges.Builder builder = new BpeMerges.Builder();
        builder.add(A, A, 10); // "aa"
        BpeMerges merges = builder.build();
        assertThat(merges.apply(new int[] {A, A, A})).containsExactly(10, A);
        assertThat(merges.apply(new int[] {A, A, A, A, A})).containsExactly(10, 10, A);
    }

    @Test
    void lowerRankWinsWhateverItsPosition() {
        BpeMerges.Builder builder = new BpeMerges.Builder();
        builder.add(B, C, 10); // rank 0: "bc"
        builder.add(A, B, 11); // rank 1: "ab"
        builder.add(A, 10, 12); // rank 2: "a"+"bc"
        BpeMerges merges = builder.build();
        assertThat(merges.apply(new int[] {A, B, C})).containsExactly(12);
        assertThat(merges.apply(new int[] {A, B, A, B})).containsExactly(11, 11);
        assertThat(merges.apply(new int[] {C})).containsExactly(C);
        assertThat(merges.apply(new int[] {})).isEmpty();
    }

    @Test
    void aPairGivenTwiceKeepsItsLaterRank() {
        BpeMerges.Builder builder = new BpeMerges.Builder();
        builder.add(A, B, 10); // rank 0, overwritten below
        builder.add(B, C, 11); // rank 1
        builder.add(A, B, 10); // rank 2
        BpeMerges merges = builder.build();
        assertThat(merges.size()).isEqualTo(2);
        assertThat(merges.rank(A, B)).isEqualTo(2);
        assertThat(merges.apply(new int[] {A, B, C})).containsExactly(A, 11);
    }

    @Test
    void gpt2MergesOnRealWords() {
        Gpt2Tokenizer tokenizer = TestFixtures.tokenizerA();
        assertThat(tokenizer.encode(" Pebbles")).containsExactly(42507, 7689);
        assertThat(tokenizer.encode("a".repeat(50))).hasSize(13);
    }

    record Case(List<int[]> mergeTable, int[] word) {
    }

    /** Random merge tables over 4 symbols, each merge making a new token from two existing ones. */
    private static Case randomCase(Random r) {
        List<int[]> table = new ArrayList<>();
        int merges = r.nextInt(41);
        for (int next = 4; next < 4 + merges; next++) {
            int seed = r.nextInt(1_000_001);
            table.add(new int[] {seed % next, (seed / 7) % next, next});
        }
        int[] word = new int[r.nextInt(61)];
        for (int i = 0; i < word.length; i++) word[i] = r.nextInt(4);
        return new Case(table, word);
    }

    @Test
    void heapLoopEqualsThePlainLoop() {
        RandomCases.run(21, 2000, r -> heapLoopEqualsThePlainLoop(randomCase(r)));
    }

    private static void heapLoopEqualsThePlainLoop(Case c) {
        BpeMerges.Builder builder = new BpeMerges.Builder();
        for (int[] merge : c.mergeTable()) {
            builder.add(merge[0], merge[1], merge[2]);
        }
        BpeMerges merges = builder.build();
        int[] expected = plainLoop(c.mergeTable(), c.word().clone());
        assertThat(merges.apply(c.word().clone())).containsExactly(expected);
    }

    /** Hugging Face's rule, O(n^2): merge the lowest-ranked adjacent pair, leftmost among equals, until none. */
    private static int[] plainLoop(List<int[]> table, int[] word) {
        List<Integer> symbols = new ArrayList<>();
        for (int s : word) {
            symbols.add(s);
        }
        while (true) {
            int bestRank = Integer.MAX_VALUE;
            int bestPos = -1;
            int bestMerged = -1;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                for (int rank = table.size() - 1; rank >= 0; rank--) { // the later rank of a repeated pair counts
                    int[] m = table.get(rank);
                    if (m[0] == symbols.get(i) && m[1] == symbols.get(i + 1)) {
                        if (rank < bestRank) {
                            bestRank = rank;
                            bestPos = i;
                            bestMerged = m[2];
                        }
                        break;
                    }
                }
            }
            if (bestPos < 0) {
                return symbols.stream().mapToInt(Integer::intValue).toArray();
            }
            symbols.set(bestPos, bestMerged);
            symbols.remove(bestPos + 1);
        }
    }
}
