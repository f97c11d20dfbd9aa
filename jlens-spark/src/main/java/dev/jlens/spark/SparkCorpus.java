package dev.jlens.spark;

import dev.jlens.JlensException;
import dev.jlens.dataset.BadRow;
import dev.jlens.dataset.InductionDataset;
import dev.jlens.dataset.TextCorpus;
import dev.jlens.dataset.TokenRow;
import dev.jlens.dataset.TokenizeAndConcatenate;
import dev.jlens.model.HookedTransformer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;

/**
 * The rows of tokens a corpus job runs over, as {@link dev.jlens.dataset.CorpusRows} reads them: a text corpus cut
 * into groups of {@link TokenizeAndConcatenate#DOCUMENTS_PER_GROUP} documents, each group tokenized and concatenated
 * by a task as the local engine does it (so its rows are the local engine's), then numbered across groups; or a
 * tokens dataset row by row, each its own document.
 */
final class SparkCorpus {
    private SparkCorpus() {}

    /** The first {@code maxRows} rows of tokens of {@code data}, numbered from 0 and cut into shards of {@code shardSize}. */
    static Shards.Sharded<TokenRow> tokenRows(Dataset<Row> data, String source, String column, ModelRef model, int context, boolean prependBos,
                                              long maxRows, int shardSize) {
        JavaRDD<TokenRow> rows = switch (SparkEvaluation.kind(data)) {
            case PROMPTS -> throw new JlensException(source + ": is a prompt dataset (prompt, answers); give a text corpus or a tokens dataset");
            case TOKENS -> {
                int at = data.schema().fieldIndex(InductionDataset.TOKENS);
                yield data.javaRDD().zipWithIndex().map(r -> new TokenRow(r._2(), tokens(source, r._2(), r._1(), at), r._2(), r._2()));
            }
            case TEXT -> Shards.of(documents(data, source, column), TokenizeAndConcatenate.DOCUMENTS_PER_GROUP).mapPartitionsWithIndex((group, documents) -> {
                List<TokenRow> out = new ArrayList<>();
                if (!documents.hasNext()) return out.iterator();
                HookedTransformer m = ExecutorModels.get(model);
                long first = (long) group * TokenizeAndConcatenate.DOCUMENTS_PER_GROUP;
                try (TokenizeAndConcatenate t = new TokenizeAndConcatenate(dev.jlens.dataset.Rows.map(documents, Tuple2::_2), () -> {}, m.tokenizer(), context, prependBos)) {
                    // the group's rows, their documents counted from the corpus' start; the rows are numbered below
                    t.forEachRemaining(r -> out.add(new TokenRow(r.row(), r.tokens(), first + r.firstDocument(), first + r.lastDocument())));
                }
                return out.iterator();
            }, true);
        };
        return Shards.numbered(rows.zipWithIndex().mapToPair(r -> new Tuple2<>(r._2(), new TokenRow(r._2(), r._1().tokens(),
                r._1().firstDocument(), r._1().lastDocument()))), shardSize, maxRows);
    }

    /** The documents of a text corpus: its {@code column} (null: text), in order. */
    static JavaRDD<String> documents(Dataset<Row> data, String source, String column) {
        String text = column != null ? column : TextCorpus.DEFAULT_COLUMN;
        if (!List.of(data.columns()).contains(text)) {
            throw new JlensException(source + ": no \"" + text + "\" column (the dataset has: " + String.join(", ", data.columns()) + "); name the text column with --column");
        }
        int at = data.schema().fieldIndex(text);
        return data.javaRDD().map(r -> {
            if (r.isNullAt(at) || !(r.get(at) instanceof String s)) throw new BadRow(source + ": \"" + text + "\" must be text");
            return s;
        });
    }

    /** A row's {@code tokens}: a non-empty list of token ids. */
    static int[] tokens(String source, long index, Row r, int at) {
        Object v = r.isNullAt(at) ? null : r.get(at);
        List<?> list = v instanceof scala.collection.Seq<?> seq ? scala.jdk.javaapi.CollectionConverters.asJava(seq) : null;
        if (list == null || list.isEmpty()) throw new BadRow(source + ": row " + index + ": \"tokens\" must be a non-empty list of token ids");
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) throw new BadRow(source + ": row " + index + ": \"tokens\"[" + i + "] is not a token id");
            out[i] = n.intValue();
        }
        return out;
    }

    /** A shard's rows (its values, in order), for a task to cut into batches. */
    static <T> List<T> drain(java.util.Iterator<Tuple2<Long, T>> shard) {
        List<T> out = new ArrayList<>();
        shard.forEachRemaining(r -> out.add(r._2()));
        return out;
    }

    /** {@code rows} in batches of {@code size} from the first, as {@link dev.jlens.dataset.LocalRunner} cuts a shard. */
    static <T> List<List<T>> batches(List<T> rows, int size) {
        List<List<T>> out = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += size) out.add(rows.subList(from, Math.min(rows.size(), from + size)));
        return out;
    }
}
