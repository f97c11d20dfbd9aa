package dev.jlens.dataset;

import dev.jlens.io.Json;
import dev.jlens.tokenizer.Tokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.nio.file.Path;

/**
 * Merges the rows' tops ({@link TopActivations}) shard by shard into each unit's top {@code k} over the dataset,
 * ranked by value, highest first, ties by row and then position: the same rows give the same table whatever the
 * threads or batches. Memory holds the tops and the tokens of the rows they are in, not the dataset.
 */
public final class TopActivationsReducer implements ShardSink<TopActivations.RowTop> {
    public static final String UNIT = "unit", RANK = "rank", VALUE = "value", POSITION = "position", TOKEN = "token",
            CONTEXT = "context", CONTEXT_TOKENS = "context_tokens", CONTEXT_POSITION = "context_position";
    /** Tokens shown before and after the top one. */
    public static final int BEFORE = 8, AFTER = 4;

    private final int k;
    private int units = -1;
    private float[] values;
    private long[] rows;
    private int[] positions, counts;
    private final Map<Long, TokenRow> sources = new HashMap<>();

    /** Rows per shard of a top-activations run: the reducer merges a shard's tops at a time, {@code batchSize} rows per forward pass. */
    public static int rowsPerShard(int batchSize) {
        return 16 * batchSize;
    }

    public TopActivationsReducer(int k) {
        this.k = k;
    }

    @Override
    public Set<Long> completed() {
        return Set.of();
    }

    /** Shards come in row order (as {@link LocalRunner} writes them), rows in order within a shard. */
    @Override
    public void write(long shard, List<TopActivations.RowTop> tops) {
        for (TopActivations.RowTop top : tops) {
            if (units < 0) start(top.units());
            sources.put(top.source().row(), top.source());
            for (int u = 0; u < units; u++) {
                for (int i = 0; i < top.counts()[u]; i++) {
                    if (!offer(u, top.values()[u * top.k() + i], top.source().row(), top.positions()[u * top.k() + i])) break;
                }
            }
        }
        Set<Long> kept = new HashSet<>();
        for (int u = 0; u < units; u++) for (int i = 0; i < counts[u]; i++) kept.add(rows[u * k + i]);
        sources.keySet().retainAll(kept);
    }

    private void start(int n) {
        units = n;
        values = new float[n * k];
        rows = new long[n * k];
        positions = new int[n * k];
        counts = new int[n];
    }

    /** Puts an entry in unit u's top if it belongs there (after the equal ones, which come from earlier rows); false if not. */
    private boolean offer(int u, float v, long row, int position) {
        int base = u * k, n = counts[u];
        if (n == k && !(v > values[base + k - 1])) return false;
        int i = Math.min(n, k - 1);
        while (i > 0 && v > values[base + i - 1]) {
            values[base + i] = values[base + i - 1];
            rows[base + i] = rows[base + i - 1];
            positions[base + i] = positions[base + i - 1];
            i--;
        }
        values[base + i] = v;
        rows[base + i] = row;
        positions[base + i] = position;
        if (n < k) counts[u]++;
        return true;
    }

    /** The result columns' types. */
    public static ResultColumns columns() {
        return new ResultColumns().add(UNIT, "INTEGER").add(RANK, "INTEGER").add(VALUE, "FLOAT").add(POSITION, "INTEGER").add(TOKEN, "INTEGER")
                .add(CONTEXT_TOKENS, "INTEGER[]").add(CONTEXT_POSITION, "INTEGER");
    }

    /**
     * The table's rows, unit by unit, best first: the value, where it is (row, position, the token there), and the context around it ({@link #BEFORE} tokens before, {@link #AFTER} after) as token ids, as
     * text, and the top token's place in it.
     */
    public List<Map<String, Object>> table(Tokenizer tokenizer) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int u = 0; u < Math.max(units, 0); u++) {
            for (int i = 0; i < counts[u]; i++) {
                int at = u * k + i, p = positions[at];
                TokenRow source = sources.get(rows[at]);
                int from = Math.max(0, p - BEFORE), to = Math.min(source.tokens().length, p + AFTER + 1);
                int[] context = Arrays.copyOfRange(source.tokens(), from, to);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(ResultColumns.ROW, rows[at]);
                m.put(UNIT, u);
                m.put(RANK, i);
                m.put(VALUE, values[at]);
                m.put(POSITION, p);
                m.put(TOKEN, source.tokens()[p]);
                m.put(CONTEXT, tokenizer.decode(context));
                m.put(CONTEXT_TOKENS, context);
                m.put(CONTEXT_POSITION, p - from);
                out.add(m);
            }
        }
        return out;
    }

    /** Writes the table to {@code out} (Parquet, ordered by unit and rank), through a scratch folder beside it. */
    public ParquetTable.Written writeTable(Tokenizer tokenizer, Path out, Json.Obj job) {
        JsonShards scratch = JsonShards.open(out.resolveSibling(out.getFileName() + ".shards"), job, false, true);
        scratch.write(0, table(tokenizer));
        ParquetTable.Written written = ParquetTable.write(scratch, columns(), out, UNIT + ", " + RANK);
        scratch.delete();
        return written;
    }
}
