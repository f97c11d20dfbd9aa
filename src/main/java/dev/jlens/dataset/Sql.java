package dev.jlens.dataset;

import dev.jlens.JlensException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * SQL over Parquet files, in process (DuckDB): each file is a view named after it ({@code results.parquet} is
 * {@code results}), the first also {@code t}; any file can be named in the query too ({@code FROM 'R.parquet'}).
 */
public final class Sql {
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private Sql() {}

    /** A query's result as text: column names and rows of values (null as "NULL", lists as [a, b]). */
    public record Result(List<String> columns, List<List<String>> rows) {
        /** As an aligned text table: a header line, a rule, one line per row. */
        public String toText() {
            int[] width = new int[columns.size()];
            for (int i = 0; i < width.length; i++) width[i] = columns.get(i).length();
            for (List<String> r : rows) for (int i = 0; i < width.length; i++) width[i] = Math.max(width[i], r.get(i).length());
            StringBuilder b = new StringBuilder();
            line(b, columns, width);
            List<String> rule = new ArrayList<>();
            for (int w : width) rule.add("-".repeat(w));
            line(b, rule, width);
            for (List<String> r : rows) line(b, r, width);
            return b.toString();
        }

        private static void line(StringBuilder b, List<String> cells, int[] width) {
            for (int i = 0; i < cells.size(); i++) {
                String c = cells.get(i).replace("\n", "\\n");
                b.append(i > 0 ? "  " : "").append(c);
                if (i < cells.size() - 1) b.append(" ".repeat(Math.max(0, width[i] - c.length())));
            }
            b.append('\n');
        }
    }

    public static Result query(String sql, List<Path> files) {
        try (Connection db = Duck.open(Runtime.getRuntime().availableProcessors()); Statement s = db.createStatement()) {
            for (int i = 0; i < files.size(); i++) {
                Path f = files.get(i);
                if (!Files.isRegularFile(f)) throw new JlensException(f + ": no such Parquet file");
                String source = "SELECT * FROM read_parquet(" + Duck.literal(f.toString()) + ")";
                String view = viewName(f);
                try {
                    if (i == 0) s.execute("CREATE VIEW t AS " + source);
                    if (view != null && !view.equalsIgnoreCase("t")) s.execute("CREATE OR REPLACE VIEW " + ParquetTable.quoteName(view) + " AS " + source);
                    s.executeQuery("SELECT * FROM read_parquet(" + Duck.literal(f.toString()) + ") LIMIT 0").close();
                } catch (SQLException e) {
                    throw new JlensException(f + ": not a readable Parquet file (" + Duck.firstLine(e) + ")");
                }
            }
            try (ResultSet r = s.executeQuery(sql)) {
                ResultSetMetaData meta = r.getMetaData();
                List<String> columns = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) columns.add(meta.getColumnName(i));
                List<List<String>> rows = new ArrayList<>();
                while (r.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 1; i <= columns.size(); i++) row.add(text(r.getObject(i)));
                    rows.add(row);
                }
                return new Result(columns, rows);
            } catch (SQLException e) {
                throw new JlensException("the query: " + Duck.firstLine(e));
            }
        } catch (SQLException e) {
            throw new JlensException("the embedded database (DuckDB): " + Duck.firstLine(e));
        }
    }

    /** The first value of a query's first row, as a long. */
    static long scalarLong(String sql) {
        return Long.parseLong(query(sql, List.of()).rows().getFirst().getFirst());
    }

    /** The view name for a file: its name without the extension, when that is an identifier. */
    static String viewName(Path f) {
        String name = f.getFileName().toString();
        int dot = name.indexOf('.');
        String stem = dot < 0 ? name : name.substring(0, dot);
        return IDENTIFIER.matcher(stem).matches() ? stem.toLowerCase(Locale.ROOT) : null;
    }

    private static String text(Object v) throws SQLException {
        if (v == null) return "NULL";
        if (v instanceof Array a) {
            StringBuilder b = new StringBuilder("[");
            Object[] items = (Object[]) a.getArray();
            for (int i = 0; i < items.length; i++) b.append(i > 0 ? ", " : "").append(text(items[i]));
            return b.append(']').toString();
        }
        return v.toString();
    }
}
