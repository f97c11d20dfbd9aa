package dev.jlens.cli;

import dev.jlens.io.AtomicFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A write killed part-way (SIGINT as Ctrl-C sends it, SIGTERM, SIGKILL) leaves the folder as it was: the old file
 * unchanged and no temporary file. Each test starts a real JVM ({@link WritingChild}) that writes slowly through
 * AtomicFile, signals it once it is writing, and looks at the folder after it died. On Linux the temporary file has
 * no name (O_TMPFILE); the named temporaries used elsewhere are tested too, by forcing them in the child.
 */
@Timeout(value = 90)
class OutputKillTest {
    private static final boolean UNNAMED = false, NAMED = true;

    @TempDir
    Path dir;

    @Test
    void sigintLeavesTheOldFileAndNoTemporary() throws Exception {
        killWhileWriting("INT", UNNAMED);
    }

    @Test
    void sigtermLeavesTheOldFileAndNoTemporary() throws Exception {
        killWhileWriting("TERM", UNNAMED);
    }

    @Test
    void sigkillLeavesTheOldFileAndNoTemporary() throws Exception {
        killWhileWriting("KILL", UNNAMED);
    }

    @Test
    void sigkillWhereThereWasNoFileLeavesNothing() throws Exception {
        Path target = dir.resolve("R.json");
        Process child = startWriting(target, UNNAMED);
        signal(child, "KILL");
        assertThat(files()).isEmpty();
    }

    @Test
    void sigintWithNamedTemporariesLeavesNone() throws Exception {
        killWhileWriting("INT", NAMED);
    }

    @Test
    void sigtermWithNamedTemporariesLeavesNone() throws Exception {
        killWhileWriting("TERM", NAMED);
    }

    /** SIGKILL gives the process no chance to tidy up: the next write into the folder removes what the dead one left. */
    @Test
    void sigkillWithNamedTemporariesIsTidiedByTheNextWrite() throws Exception {
        Path target = Files.writeString(dir.resolve("R.json"), "old");
        Process child = startWriting(target, NAMED);
        signal(child, "KILL");
        assertThat(files()).as("what SIGKILL left").hasSize(2).anyMatch(n -> n.startsWith(".R.json.") && n.endsWith(".partial"));
        AtomicFile.writeString(dir.resolve("other.json"), "x");
        assertThat(files()).containsExactly("R.json", "other.json");
        assertThat(Files.readString(target)).isEqualTo("old");
    }

    private void killWhileWriting(String signal, boolean named) throws Exception {
        Path target = Files.writeString(dir.resolve("R.json"), "old");
        Process child = startWriting(target, named);
        if (named) assertThat(files()).as("a named temporary while writing").hasSize(2);
        else assertThat(files()).as("an unnamed temporary is not in the folder").containsExactly("R.json");
        signal(child, signal);
        assertThat(files()).containsExactly("R.json");
        assertThat(Files.readString(target)).isEqualTo("old");
    }

    /** Starts the child and returns once it has written its first chunk. */
    private static Process startWriting(Path target, boolean named) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx64m"));
        if (named) command.add("-Djlens.io.namedTemporaries=true");
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), WritingChild.class.getName(), "slow", target.toString()));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        for (String line; lines.size() < 50 && (line = out.readLine()) != null; lines.add(line)) {
            if (line.equals("writing")) return child;
        }
        child.destroyForcibly();
        throw new AssertionError("the child did not start writing: " + lines);
    }

    /** Sends the signal (as kill(1) does) and waits for the child to end. */
    private static void signal(Process child, String signal) throws Exception {
        try {
            if (signal.equals("INT")) {
                Assumptions.assumeFalse(ignores(child.pid(), 2), "SIGINT is ignored in this process tree (started in the background), so it cannot stop the child");
            }
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).inheritIO().start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the child ended on SIG" + signal).isTrue();
            assertThat(child.exitValue()).as("exit status").isEqualTo(128 + switch (signal) { case "INT" -> 2; case "TERM" -> 15; default -> 9; });
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Whether process {@code pid} ignores signal {@code number} (the SigIgn mask of /proc/PID/status). */
    private static boolean ignores(long pid, int number) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("SigIgn:")) return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << (number - 1))) != 0;
        }
        return false;
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
