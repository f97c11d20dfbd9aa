package dev.jlens.io;

import dev.jlens.JlensException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Output files are written whole or not at all: a temporary file beside the target, forced, then moved over it. */
class AtomicFileTest {
    @TempDir
    Path dir;

    private java.util.List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aWriteThatFailsHalfWayLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = Files.writeString(dir.resolve("R.json"), "old");
        assertThatThrownBy(() -> AtomicFile.write(target, out -> {
            AtomicFile.writeFully(out, ByteBuffer.wrap("half of the new content".getBytes()));
            throw new IOException("No space left on device");
        })).isExactlyInstanceOf(JlensException.class).hasMessage(target + ": cannot be written (No space left on device)");
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(files()).containsExactly("R.json");
    }

    @Test
    void aWriteThatFailsHalfWayLeavesNoFileWhereThereWasNone() throws IOException {
        Path target = dir.resolve("R.json");
        assertThatThrownBy(() -> AtomicFile.write(target, out -> {
            AtomicFile.writeFully(out, ByteBuffer.wrap("half".getBytes()));
            throw new IllegalStateException("the figure could not be drawn");
        })).isExactlyInstanceOf(JlensException.class).hasMessageContaining("the figure could not be drawn");
        assertThat(files()).isEmpty();
    }

    @Test
    void anOutOfMemoryErrorHalfWayLeavesNoTemporary() throws IOException {
        Path target = dir.resolve("R.json");
        assertThatThrownBy(() -> AtomicFile.write(target, out -> {
            AtomicFile.writeFully(out, ByteBuffer.wrap("half".getBytes()));
            throw new OutOfMemoryError("Java heap space");
        })).isInstanceOf(OutOfMemoryError.class);
        assertThat(files()).isEmpty();
    }

    @Test
    void aWholeWriteReplacesTheFile() throws IOException {
        Path target = Files.writeString(dir.resolve("R.json"), "old");
        AtomicFile.writeString(target, "new");
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(files()).containsExactly("R.json");
    }

    @Test
    void aCopyIsWholeAndAFailedOneLeavesTheOldFile() throws IOException {
        byte[] content = new byte[3 << 20];
        new java.util.Random(7).nextBytes(content);
        Path source = Files.write(dir.resolve("source.bin"), content);
        Path target = Files.writeString(dir.resolve("copy.bin"), "old");
        AtomicFile.copy(source, target);
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
        Path missing = dir.resolve("missing.bin");
        assertThatThrownBy(() -> AtomicFile.copy(missing, target)).isExactlyInstanceOf(JlensException.class)
                .hasMessageStartingWith(target + ": cannot be written (");
        assertThat(Files.readAllBytes(target)).isEqualTo(content);
        assertThat(files()).containsExactly("copy.bin", "source.bin");
    }

    /**
     * Every file jlens writes goes through AtomicFile (and its unnamed temporary file). Allowed elsewhere: the Hub
     * downloader (its own {@code .incomplete} file, verified against the sha256, then moved) and the standard streams. A new writer that opens its target directly fails this.
     */
    @Test
    void noOtherCodeWritesFilesDirectly() throws IOException {
        java.util.regex.Pattern writes = java.util.regex.Pattern.compile("Files\\.(write|writeString|newOutputStream|newBufferedWriter|copy|move)\\("
                + "|new (FileOutputStream|FileWriter|PrintWriter|RandomAccessFile)\\((?!FileDescriptor|streams|new|System)|StandardOpenOption\\.(WRITE|APPEND|CREATE)");
        Path main = Path.of("src/main/java/dev/jlens");
        java.util.List<String> offenders = new java.util.ArrayList<>();
        try (Stream<Path> sources = Files.walk(main)) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                String name = main.relativize(source).toString().replace('\\', '/');
                if (name.equals("io/AtomicFile.java") || name.equals("io/UnnamedFile.java") || name.startsWith("hub/")) continue;
                java.util.List<String> lines = Files.readAllLines(source);
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i).strip();
                    if (line.startsWith("*") || line.startsWith("//") || line.startsWith("/*")) continue;
                    if (writes.matcher(line).find()) offenders.add(name + ":" + (i + 1) + ": " + line);
                }
            }
        }
        assertThat(offenders).as("writes that bypass AtomicFile").isEmpty();
    }

    @Test
    void writabilityIsCheckedBeforeAnyWork() throws IOException {
        assertThatThrownBy(() -> AtomicFile.requireWritable(dir.resolve("no/R.json")))
                .hasMessage(dir.resolve("no/R.json") + ": cannot be written (folder " + dir.resolve("no") + " does not exist)");
        Path file = Files.writeString(dir.resolve("f"), "x");
        assertThatThrownBy(() -> AtomicFile.requireWritable(file.resolve("R.json")))
                .hasMessage(file.resolve("R.json") + ": cannot be written (" + file + " is not a folder)");
        assertThatThrownBy(() -> AtomicFile.requireWritable(dir)).hasMessage(dir + ": is a folder; give the name of a file to write");
        AtomicFile.requireWritable(dir.resolve("R.json"));
        assertThat(files()).containsExactly("f");
    }

    /** The bare primitive's rename fails (a non-empty folder is in the way) after every byte was written: no temporary left. */
    @Test
    void aRenameThatFailsLeavesNoTemporary() throws IOException {
        Path target = Files.createDirectory(dir.resolve("R.json"));
        Files.writeString(target.resolve("keep"), "x");
        assertThatThrownBy(() -> AtomicFile.replace(target, out -> AtomicFile.writeFully(out, ByteBuffer.wrap("new".getBytes()))))
                .isInstanceOf(IOException.class);
        assertThat(files()).containsExactly("R.json");
        assertThat(Files.readString(target.resolve("keep"))).isEqualTo("x");
    }

    /**
     * A temporary of a process that is gone (a pid that has exited) is removed by the next write into the folder; one
     * of a live process (this one), and files that only look similar, are kept.
     */
    @Test
    void theNextWriteRemovesTemporariesOfDeadProcesses() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        assertThat(gone.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String uuid = "0b7c2f6e-3d1a-4e8b-9c5d-2a6f8e1b4c7d";
        Path dead = Files.writeString(dir.resolve(".R.json." + gone.pid() + "." + uuid + ".partial"), "half");
        Path live = Files.writeString(dir.resolve(".R.json." + ProcessHandle.current().pid() + "." + uuid + ".partial"), "half");
        Path lookalike = Files.writeString(dir.resolve("notes.partial"), "mine");
        AtomicFile.writeString(dir.resolve("other.json"), "x");
        assertThat(dead).doesNotExist();
        assertThat(live).exists();
        assertThat(lookalike).exists();
    }
}
