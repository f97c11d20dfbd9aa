package dev.jlens.dataset;

import dev.jlens.JlensException;

import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Parquet file's rows, streamed through DuckDB; rows are named by their number from 1. */
final class ParquetRecords extends LookaheadRows<Record> {
    private final Path file;
    private final Connection db;
    private final Statement statement;
    private final ResultSet rows;
    private final List<String> columns = new ArrayList<>();
    private long row;

    ParquetRecords(Path file) {
        this.file = file;
        db = Duck.open(1);
        try {
            statement = db.createStatement();
            rows = statement.executeQuery("SELECT * FROM read_parquet(" + Duck.literal(file.toString()) + ")");
            ResultSetMetaData meta = rows.getMetaData();
            for (int i = 1; i <= meta.getColumnCount(); i++) columns.add(meta.getColumnName(i));
        } catch (SQLException e) {
            close();
            throw new JlensException(file + ": not a readable Parquet file (" + Duck.firstLine(e) + ")");
        }
    }

    @Override
    protected Record read() {
        try {
            if (!rows.next()) return null;
            row++;
            Map<String, Object> fields = new LinkedHashMap<>();
            for (int i = 0; i < columns.size(); i++) fields.put(columns.get(i), plain(rows.getObject(i + 1)));
            return new Record("row " + row, fields);
        } catch (SQLException e) {
            throw new JlensException(file + ": row " + (row + 1) + ": cannot be read (" + Duck.firstLine(e) + ")");
        }
    }

    private static Object plain(Object v) throws SQLException {
        if (v instanceof Array a) {
            List<Object> out = new ArrayList<>();
            for (Object o : (Object[]) a.getArray()) out.add(plain(o));
            return out;
        }
        if (v == null || v instanceof String) return v;
        if (v instanceof Object[] list) {
            List<Object> out = new ArrayList<>();
            for (Object o : list) out.add(plain(o));
            return out;
        }
        return new JsonLines.Literal(v.toString());
    }

    @Override
    public void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new JlensException(file + ": " + Duck.firstLine(e));
        }
    }
}
