package dev.jlens.model;

/**
 * The rows one block runs on, stacked: segments, each a run of consecutive positions of one sequence. A plain
 * forward pass has one segment per batch row, all of one length (a rectangle, so its activations are
 * [batch, pos, ...] tensors that hooks can see); the patching engine stacks the patched suffixes of many
 * runs, each starting at its own position. Attention gives each segment the keys of its sequence up to its
 * own last position: the earlier ones from a {@link PastKeyValues}, its own from its rows.
 *
 * <p>With {@code lastOnly}, attention output and MLP are computed for each segment's last row only (keys and
 * values still come from every row): all a metric on the last position's logits needs of the last block.
 */
final class RowLayout {
    private final int[] sequence, firstPos, length, rowStart;
    private final boolean rectangular, lastOnly;

    private RowLayout(int[] sequence, int[] firstPos, int[] length, boolean lastOnly) {
        this.sequence = sequence;
        this.firstPos = firstPos;
        this.length = length;
        this.lastOnly = lastOnly;
        this.rowStart = new int[length.length + 1];
        boolean rect = true;
        for (int s = 0; s < length.length; s++) {
            rowStart[s + 1] = rowStart[s] + length[s];
            rect &= sequence[s] == s && firstPos[s] == firstPos[0] && length[s] == length[0];
        }
        this.rectangular = rect;
    }

    /** {@code batch} sequences of {@code pos} new positions after {@code past} earlier ones. */
    static RowLayout rectangle(int batch, int pos, int past) {
        int[] sequence = new int[batch], first = new int[batch], length = new int[batch];
        for (int b = 0; b < batch; b++) {
            sequence[b] = b;
            first[b] = past;
            length[b] = pos;
        }
        return new RowLayout(sequence, first, length, false);
    }

    /** Segments given by their sequence (batch row of the past keys), first position and length. */
    static RowLayout of(int[] sequence, int[] firstPos, int[] length, boolean lastOnly) {
        return new RowLayout(sequence.clone(), firstPos.clone(), length.clone(), lastOnly);
    }

    int segments() {
        return length.length;
    }

    int sequence(int s) {
        return sequence[s];
    }

    int firstPos(int s) {
        return firstPos[s];
    }

    int length(int s) {
        return length[s];
    }

    /** Keys a query of segment {@code s} may see at most: every position up to the segment's end. */
    int keyLength(int s) {
        return firstPos[s] + length[s];
    }

    int rowStart(int s) {
        return rowStart[s];
    }

    /** Input rows: every position of every segment. */
    int rows() {
        return rowStart[length.length];
    }

    /** Rows that go on past attention: all, or one per segment with {@code lastOnly}. */
    int outputRows() {
        return lastOnly ? length.length : rows();
    }

    boolean lastOnly() {
        return lastOnly;
    }

    /** One segment per sequence, all of one length from one position: activations are [batch, pos, ...]. */
    boolean rectangular() {
        return rectangular;
    }

    /** Leading dimensions of an activation over the input rows: [batch, pos] for a rectangle, else [1, rows]. */
    int[] leading() {
        return rectangular && !lastOnly ? new int[] {length.length, length.length == 0 ? 0 : length[0]} : new int[] {1, rows()};
    }
}
