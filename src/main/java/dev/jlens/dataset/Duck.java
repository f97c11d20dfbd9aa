package dev.jlens.dataset;

import dev.jlens.JlensException;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * An in-process DuckDB: reads and writes Parquet and runs SQL over it. It never fetches an extension (Parquet and
 * JSON are built into the driver), and results stream rather than being gathered whole.
 */
final class Duck {
    private Duck() {}

    /** A fresh in-memory database; {@code threads} 1 where the bytes written must not depend on the machine. */
    static Connection open(int threads) {
        Properties p = new Properties();
        p.setProperty("jdbc_stream_results", "true");
        try {
            Connection c = DriverManager.getConnection("jdbc:duckdb:", p);
            try (Statement s = c.createStatement()) {
                s.execute("SET autoinstall_known_extensions = false");
                s.execute("SET autoload_known_extensions = false");
                s.execute("SET threads = " + Math.max(1, threads));
            }
            return c;
        } catch (SQLException e) {
            throw new JlensException("the embedded database (DuckDB) cannot start: " + firstLine(e));
        }
    }

    /** A path as a SQL string literal. */
    static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    /**
     * What DuckDB says is wrong: the first line of its message (a caret under the query follows), without its class
     * of error ("Parser Error: "), which names no input.
     */
    static String firstLine(SQLException e) {
        String m = e.getMessage() == null ? e.toString() : e.getMessage();
        m = m.strip();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl).strip();
        return m.replaceFirst("^[A-Za-z ]*Error: ", "");
    }
}
