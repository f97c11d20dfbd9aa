package dev.jlens.io;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every atomic write survives a power cut: the new file is forced to disk before it gets its name, and the folder is
 * forced after, so that the rename itself is on disk. What happens is read from the system calls a real child JVM
 * makes ({@code dev.jlens.cli.WritingChild} under strace): an fsync of the file before the rename (or link), and an
 * fsync of the folder after it. The Hub cache's refs and snapshot copies are written the same way.
 */
@Timeout(value = 120)
@dev.jlens.testing.StraceTest
class AtomicFileDurabilityTest {
    @TempDir
    Path dir;

    @Test
    void aNewFileIsForcedThenNamedThenItsFolderForced() throws Exception {
        Path target = dir.toRealPath().resolve("R.json");
        List<String> calls = trace("once", target);
        assertForcedNamedAndFolderForced(calls, target);
        assertThat(Files.readString(target)).isEqualTo("new");
    }

    @Test
    void aReplacedFileIsForcedThenRenamedThenItsFolderForced() throws Exception {
        Path target = Files.writeString(dir.toRealPath().resolve("R.json"), "old");
        List<String> calls = trace("once", target);
        assertForcedNamedAndFolderForced(calls, target);
        assertThat(Files.readString(target)).isEqualTo("new");
    }

    @Test
    void hubRefsAndSnapshotCopiesAreForcedLikeEveryOutput() throws Exception {
        Path cache = dir.toRealPath();
        List<String> calls = trace("hub", cache);
        Path repo = cache.resolve("models--acme--tiny");
        assertForcedNamedAndFolderForced(calls, repo.resolve("refs/main"));
        assertForcedNamedAndFolderForced(calls, repo.resolve("snapshots/0123456789abcdef0123456789abcdef01234567/config.json"));
        assertThat(Files.readString(repo.resolve("refs/main"))).isEqualTo("0123456789abcdef0123456789abcdef01234567");
        assertThat(Files.readString(repo.resolve("snapshots/0123456789abcdef0123456789abcdef01234567/config.json"))).isEqualTo("blob content");
    }

    /** In order: an fsync of a file in the target's folder, the call that gives the target its name, an fsync of the folder. */
    private static void assertForcedNamedAndFolderForced(List<String> calls, Path target) {
        String folder = target.getParent().toString();
        int named = -1;
        for (int i = 0; i < calls.size(); i++) {
            String c = calls.get(i);
            if ((c.contains("rename") || c.contains("linkat(")) && c.contains(", \"" + target + "\"") && c.endsWith("= 0")) named = i;
        }
        assertThat(named).as("the call that names " + target + " in:\n" + String.join("\n", calls)).isGreaterThanOrEqualTo(0);
        List<String> before = calls.subList(0, named), after = calls.subList(named + 1, calls.size());
        assertThat(before).as("an fsync of the new file before it is named " + target)
                .anyMatch(c -> c.matches("fsync\\(\\d+<" + java.util.regex.Pattern.quote(folder) + "/[^>]*>(\\(deleted\\))?\\) += 0"));
        assertThat(after).as("an fsync of the folder after " + target + " was named")
                .anyMatch(c -> c.matches("fsync\\(\\d+<" + java.util.regex.Pattern.quote(folder) + ">\\) += 0"));
    }

    /** The fsync, rename and link calls of a child JVM running WritingChild, without the pids strace puts first. */
    private List<String> trace(String mode, Path path) throws Exception {
        Path log = Files.createTempFile("strace", ".txt");
        try {
            String java = ProcessHandle.current().info().command().orElse("java");
            List<String> command = List.of("strace", "-f", "-qq", "-y", "-e", "trace=fsync,fdatasync,rename,renameat,renameat2,link,linkat",
                    "-o", log.toString(), java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m",
                    "-cp", System.getProperty("java.class.path"), "dev.jlens.cli.WritingChild", mode, path.toString());
            Process p;
            try {
                p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            } catch (IOException e) {
                throw new AssertionError("strace cannot be started (" + e.getMessage() + "); install it with `apt-get install -y strace`", e);
            }
            assertThat(p.waitFor(100, TimeUnit.SECONDS)).isTrue();
            List<String> lines = Files.readAllLines(log);
            Assumptions.assumeFalse(p.exitValue() != 0 && lines.isEmpty(), "strace cannot trace here (ptrace not permitted)");
            assertThat(p.exitValue()).as("the child's exit status").isZero();
            List<String> calls = new ArrayList<>();
            for (String line : lines) calls.add(line.replaceFirst("^\\d+ +", "").strip());
            return calls;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
