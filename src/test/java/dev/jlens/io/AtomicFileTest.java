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

    // ---- outputs that must not be replaced ------------------------------------------------------------------------

    /** A symbolic link is followed, as a shell's {@code >} does: the file it names gets the content and the link stays. */
    @Test
    void aSymbolicLinkIsFollowedAndKept() throws IOException {
        Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
        Path real = Files.writeString(elsewhere.resolve("R.json"), "old");
        Path link = Files.createSymbolicLink(dir.resolve("R.json"), Path.of("elsewhere/R.json"));
        AtomicFile.writeString(link, "new");
        assertThat(Files.isSymbolicLink(link)).as("the link is still a link").isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("elsewhere/R.json"));
        assertThat(Files.readString(real)).isEqualTo("new");
        try (Stream<Path> s = Files.list(elsewhere)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("R.json");
        }
    }

    /** A dangling link names the file to create, as with a shell's {@code >}. */
    @Test
    void aDanglingSymbolicLinkMakesTheFileItNames() throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("R.json"), Path.of("made.json"));
        AtomicFile.writeString(link, "new");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(dir.resolve("made.json"))).isEqualTo("new");
    }

    /** Mode 0444 says "keep": refused even as root, whom the OS would let replace it. */
    @Test
    void aReadOnlyFileIsNotReplaced() throws IOException {
        Path target = Files.writeString(dir.resolve("R.json"), "old");
        Files.setPosixFilePermissions(target, java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
        String message = target + ": is read-only (r--r--r--); make it writable or choose another name";
        assertThatThrownBy(() -> AtomicFile.requireWritable(target)).isExactlyInstanceOf(JlensException.class).hasMessage(message);
        assertThatThrownBy(() -> AtomicFile.writeString(target, "new")).isExactlyInstanceOf(JlensException.class).hasMessage(message);
        assertThat(Files.readString(target)).isEqualTo("old");
        assertThat(files()).containsExactly("R.json");
    }

    /** A pipe is streamed to, never replaced by a regular file. */
    @Test
    void aPipeIsNotReplaced() throws Exception {
        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        assertThatThrownBy(() -> AtomicFile.writeString(fifo, "new")).isInstanceOf(AtomicFile.NotARegularFile.class)
                .hasMessage(fifo + ": is a pipe (FIFO), not a regular file");
        assertThat(Files.isRegularFile(fifo)).isFalse();
        assertThat(Files.exists(fifo)).isTrue();
        assertThat(files()).containsExactly("fifo");
    }

    /**
     * A character device: a copy of /dev/null (major 1, minor 3) made with mknod, so that a failure of this test
     * replaces a device in a temporary folder and not the system's /dev/null. Needs root (CAP_MKNOD).
     */
    @Test
    void aDeviceIsNotReplaced() throws Exception {
        Path device = dir.resolve("null");
        int made = new ProcessBuilder("mknod", device.toString(), "c", "1", "3").redirectErrorStream(true).start().waitFor();
        org.junit.jupiter.api.Assumptions.assumeTrue(made == 0, "mknod needs root (CAP_MKNOD); the device case runs as root in CI");
        assertThatThrownBy(() -> AtomicFile.requireWritable(device)).isInstanceOf(AtomicFile.NotARegularFile.class)
                .hasMessage(device + ": is a character device, not a regular file");
        assertThatThrownBy(() -> AtomicFile.writeString(device, "new")).isInstanceOf(AtomicFile.NotARegularFile.class);
        assertThat(Files.getAttribute(device, "unix:rdev")).as("still the device").isEqualTo((long) ((1 << 8) | 3));
        assertThat(files()).containsExactly("null");
    }

    /** /dev/stdout is a link to /proc/self/fd/1: replacing what it names would replace a process's descriptor, not write to it. */
    @Test
    void aLinkToAFileDescriptorIsNotReplaced() throws IOException {
        Path stdout = Files.createSymbolicLink(dir.resolve("stdout"), Path.of("/proc/self/fd/1"));
        assertThatThrownBy(() -> AtomicFile.writeString(stdout, "new")).isInstanceOf(AtomicFile.NotARegularFile.class)
                .hasMessage(stdout + ": is a file descriptor of this process (/proc/self/fd/1), not a file");
        assertThat(Files.isSymbolicLink(stdout)).isTrue();
        assertThat(files()).containsExactly("stdout");
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
