package dev.jlens.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
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
    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<List<int[]>> tables = Arbitraries.integers().between(0, 1_000_000).list().ofMaxSize(40)
                .map(seeds -> {
                    List<int[]> table = new ArrayList<>();
                    int next = 4;
                    for (int seed : seeds) {
                        int left = seed % next;
                        int right = (seed / 7) % next;
                        table.add(new int[] {left, right, next++});
                    }
                    return table;
                });
        Arbitrary<int[]> words = Arbitraries.integers().between(0, 3).array(int[].class).ofMaxSize(60);
        return Combinators.combine(tables, words).as(Case::new);
    }

    @Property(tries = 2000)
    void heapLoopEqualsThePlainLoop(@ForAll("cases") Case c) {
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
