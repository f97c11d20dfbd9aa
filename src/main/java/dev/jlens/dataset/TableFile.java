package dev.jlens.dataset;

import dev.jlens.JlensException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The kinds of table files a dataset may be, told by the file name's ending. */
enum TableFile {
    JSONL, CSV, PARQUET, TEXT;

    static TableFile of(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) return JSONL;
        if (name.endsWith(".csv")) return CSV;
        if (name.endsWith(".parquet")) return PARQUET;
        if (name.endsWith(".txt")) return TEXT;
        throw new JlensException(file + ": unknown dataset format (use .jsonl, .csv, .parquet or .txt)");
    }

    /** Opens the file's records, one at a time; a plain text file has one record per line in column {@code text}. */
    static Rows<Record> open(Path file) {
        if (Files.isDirectory(file)) throw new JlensException(file + ": is a folder, not a dataset file");
        if (!Files.exists(file)) throw new JlensException(file + ": no such dataset file");
        if (!Files.isReadable(file)) throw new JlensException(file + ": cannot be read (permission denied)");
        return switch (of(file)) {
            case JSONL -> new JsonLines(file);
            case CSV -> new CsvRecords(file);
            case PARQUET -> new ParquetRecords(file);
            case TEXT -> new TextLines(file);
        };
    }
}
