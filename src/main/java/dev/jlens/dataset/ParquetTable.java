package dev.jlens.dataset;

import dev.jlens.JlensException;
import dev.jlens.io.AtomicFile;
import dev.jlens.io.Json;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Writes a job's shards as one Parquet file, ordered by {@code row}, with the columns in the order the rows first
 * name them and the types {@link ResultColumns} declares. Rows that carry an {@link ResultColumns#ERROR} are left out
 * and counted. The file is written whole or not at all; the same shards give the same bytes.
 */
public final class ParquetTable {
    private ParquetTable() {}

    /** What was written: the rows in the table and the rows left out for an error (with the first error). */
    public record Written(long rows, long errors, String firstError) {}

    public static Written write(JsonShards shards, ResultColumns types, Path out) {
        return write(shards, types, out, quoteName(ResultColumns.ROW));
    }

    /** As {@link #write(JsonShards, ResultColumns, Path)}, the rows ordered by {@code orderBy} (SQL, e.g. {@code unit, rank}). */
    public static Written write(JsonShards shards, ResultColumns types, Path out, String orderBy) {
        List<Path> files = shards.shardFiles();
        Set<String> columns = new LinkedHashSet<>();
        long errors = 0;
        String firstError = null;
        for (Path f : files) {
            try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                for (String line; (line = in.readLine()) != null; ) {
                    Json.Obj row = (Json.Obj) Json.parse(line, 8);
                    if (row.has(ResultColumns.ERROR)) {
                        errors++;
                        if (firstError == null) firstError = ((Json.Str) row.get(ResultColumns.ERROR)).value();
                        continue;
                    }
                    for (String name : row.names()) columns.add(name);
                }
            } catch (IOException e) {
                throw new JlensException(f + ": cannot be read (" + e.getMessage() + ")");
            }
        }
        if (columns.isEmpty()) columns.add(ResultColumns.ROW);
        StringJoiner declared = new StringJoiner(", ", "{", "}"), select = new StringJoiner(", ");
        for (String c : columns) {
            declared.add(Duck.literal(c) + ": " + Duck.literal(types.type(c)));
            select.add(quoteName(c));
        }
        if (errors > 0) declared.add(Duck.literal(ResultColumns.ERROR) + ": 'VARCHAR'");
        StringJoiner list = new StringJoiner(", ", "[", "]");
        for (Path f : files) list.add(Duck.literal(f.toString()));
        Path partial = shards.folder().resolve("table.parquet.partial");
        String source = files.isEmpty()
                ? "(SELECT NULL::BIGINT AS row WHERE false)"
                : "read_json(" + list + ", format = 'newline_delimited', columns = " + declared + ")";
        String query = "COPY (SELECT " + select + " FROM " + source + (errors > 0 ? " WHERE " + quoteName(ResultColumns.ERROR) + " IS NULL" : "")
                + " ORDER BY " + orderBy + ") TO " + Duck.literal(partial.toString()) + " (FORMAT parquet)";
        try (Connection db = Duck.open(1); Statement s = db.createStatement()) {
            s.execute(query);
        } catch (SQLException e) {
            throw new JlensException(out + ": cannot be written (" + Duck.firstLine(e) + ")");
        }
        try {
            AtomicFile.copy(partial, out);
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            throw new JlensException(out + ": cannot be written (" + e.getMessage() + ")");
        }
        return new Written(count(out), errors, firstError);
    }

    private static long count(Path parquet) {
        return Sql.scalarLong("SELECT count(*) FROM read_parquet(" + Duck.literal(parquet.toString()) + ")");
    }

    static String quoteName(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** The columns of a Parquet file, in order. */
    public static List<String> columns(Path parquet) {
        List<String> out = new ArrayList<>();
        for (List<String> r : Sql.query("DESCRIBE SELECT * FROM read_parquet(" + Duck.literal(parquet.toString()) + ")", List.of()).rows()) out.add(r.getFirst());
        return out;
    }
}
