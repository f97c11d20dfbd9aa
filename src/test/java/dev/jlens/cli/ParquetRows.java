package dev.jlens.cli;

import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Parquet table's rows read back through DuckDB's JDBC driver, lists as Java lists, for tests. */
final class ParquetRows {
    private ParquetRows() {}

    static List<Map<String, Object>> read(Path parquet) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT * FROM read_parquet('" + parquet.toString().replace("'", "''") + "')")) {
            ResultSetMetaData meta = r.getMetaData();
            List<Map<String, Object>> rows = new ArrayList<>();
            while (r.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) row.put(meta.getColumnName(i), plain(r.getObject(i)));
                rows.add(row);
            }
            return rows;
        }
    }

    private static Object plain(Object v) throws Exception {
        if (v instanceof Array a) {
            List<Object> out = new ArrayList<>();
            for (Object o : (Object[]) a.getArray()) out.add(plain(o));
            return out;
        }
        return v;
    }
}
