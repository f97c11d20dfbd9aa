package dev.jlens.dataset;

import dev.jlens.JlensException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A UTF-8 text file read line by line with its line numbers (from 1). Bytes that are not UTF-8 are refused, naming
 * the line, rather than read as U+FFFD into prompts; a leading byte order mark is skipped.
 */
final class TextReader implements AutoCloseable {
    private final Path file;
    private final BufferedReader in;
    private int line;

    TextReader(Path file) {
        this.file = file;
        try {
            in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16);
        } catch (IOException e) {
            throw new JlensException(file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** The next line without its end (\n or \r\n), or null at the end of the file. */
    String readLine() {
        try {
            String s = in.readLine();
            if (s == null) return null;
            line++;
            if (line == 1 && s.startsWith("\uFEFF")) s = s.substring(1);
            return s;
        } catch (CharacterCodingException e) {
            throw new JlensException(file + ": line " + (line + 1) + ": not valid UTF-8 text");
        } catch (IOException e) {
            throw new JlensException(file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    /** The number of the line last read. */
    int line() {
        return line;
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
