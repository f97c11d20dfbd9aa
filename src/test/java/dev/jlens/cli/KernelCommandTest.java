package dev.jlens.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code jlens kernel install} and {@code jlens notebook}: the kernelspec they write, and what they refuse. */
class KernelCommandTest {
    @Test
    void installWritesAKernelspecThatStartsTheKernelOnThisJdkWithJlensFlags(@TempDir Path dir) throws Exception {
        CliRunner.Result r = CliRunner.run("kernel", "install", "--prefix", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path spec = dir.resolve("share/jupyter/kernels/jlens/kernel.json");
        assertThat(r.out()).contains("jlens (Java 25)").contains(spec.getParent().toString());

        JsonNode json = JsonMapper.builder().build().readTree(Files.readString(spec));
        assertThat(json.get("display_name").asString()).isEqualTo("jlens (Java 25)");
        assertThat(json.get("language").asString()).isEqualTo("java");
        assertThat(json.get("interrupt_mode").asString()).isEqualTo("message");
        List<String> argv = new ArrayList<>();
        json.get("argv").forEach(a -> argv.add(a.asString()));
        assertThat(argv.getFirst()).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        assertThat(argv).contains("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED");
        assertThat(argv.subList(argv.size() - 2, argv.size())).containsExactly("dev.jlens.kernel.KernelMain", "{connection_file}");
        List<String> classPath = List.of(argv.get(argv.indexOf("-cp") + 1).split(File.pathSeparator));
        // jlens' classes and the protocol library, as absolute paths that exist
        assertThat(classPath).anyMatch(e -> Files.exists(Path.of(e, "dev/jlens/kernel/KernelMain.class")) || e.endsWith("jlens.jar"));
        assertThat(classPath).anyMatch(e -> Path.of(e).getFileName().toString().startsWith("jjava-jupyter"));
        assertThat(classPath).allMatch(e -> Path.of(e).isAbsolute() && Files.exists(Path.of(e)));

        if (onPath("jupyter")) {  // and Jupyter itself finds it there
            ProcessBuilder pb = new ProcessBuilder("jupyter", "kernelspec", "list", "--json").redirectErrorStream(false);
            pb.environment().put("JUPYTER_PATH", dir.resolve("share/jupyter").toString());
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            String listed = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            JsonNode specs = JsonMapper.builder().build().readTree(listed).get("kernelspecs");
            assertThat(specs.get("jlens").get("resource_dir").asString()).isEqualTo(spec.getParent().toString());
        }
    }

    @Test
    void installForTheUserGoesIntoJupytersDataFolder(@TempDir Path dir) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("JUPYTER_DATA_DIR", dir.toString());
        CliRunner.Result r = CliRunner.runWithEnv(env, "kernel", "install", "--user");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(dir.resolve("kernels/jlens/kernel.json")).isRegularFile();
    }

    @Test
    void aPrefixThatIsAFileIsRefused(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        CliRunner.Result r = Refused.run("kernel", "install", "--prefix", file.toString());
        assertThat(r.err()).startsWith("jlens: " + file + ": not a folder");
    }

    @Test
    void userAndPrefixTogetherAreABadCommandLine(@TempDir Path dir) {
        Refused.usage("kernel", "install", "--user", "--prefix", dir.toString());
    }

    @Test
    void notebookWithoutJupyterSaysHowToInstallIt(@TempDir Path dir) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PATH", dir.toString());
        env.put("JUPYTER_DATA_DIR", dir.resolve("data").toString());
        CliRunner.Result r = Refused.runWithEnv(env, "notebook", dir.toString());
        assertThat(r.err()).startsWith("jlens: jupyter-notebook: not installed").contains("apt-get install -y jupyter-notebook");
        assertThat(dir.resolve("data")).doesNotExist();
    }

    @Test
    void notebookInstallsTheKernelAndStartsJupyterInTheFolderWithTheOptionsItDoesNotKnow(@TempDir Path dir) throws Exception {
        // a stand-in jupyter-notebook that records how it was started and what kernels it would see
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path record = dir.resolve("record.txt");
        Path script = Files.writeString(bin.resolve("jupyter-notebook"), "#!/bin/sh\necho \"$@\" > '" + record + "'\n"
                + "ls \"$JUPYTER_DATA_DIR/kernels\" >> '" + record + "'\nexit 3\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path notebooks = Files.createDirectories(dir.resolve("notebooks"));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PATH", bin + File.pathSeparator + "/usr/bin" + File.pathSeparator + "/bin");
        env.put("JUPYTER_DATA_DIR", dir.resolve("data").toString());

        CliRunner.Result r = CliRunner.runWithEnv(env, "notebook", notebooks.toString(), "--no-browser", "--port", "8899");
        assertThat(r.exitCode()).as("Jupyter's exit code; stderr: " + r.err()).isEqualTo(3);
        assertThat(Files.readAllLines(record)).containsExactly("--notebook-dir=" + notebooks.toAbsolutePath() + " --no-browser --port 8899", "jlens");
    }

    @Test
    void stoppingJlensNotebookStopsJupyterToo(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path pid = dir.resolve("jupyter.pid");
        Path script = Files.writeString(bin.resolve("jupyter-notebook"), "#!/bin/sh\necho $$ > '" + pid + ".part'\nmv '" + pid + ".part' '" + pid + "'\nexec sleep 600\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules=jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), Main.class.getName(), "notebook", dir.toString());
        pb.environment().put("PATH", bin + File.pathSeparator + "/usr/bin" + File.pathSeparator + "/bin");
        pb.environment().put("JUPYTER_DATA_DIR", dir.resolve("data").toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("jlens.log").toFile());
        Process jlens = pb.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(pid) && System.nanoTime() < deadline && jlens.isAlive()) Thread.sleep(50);
            assertThat(pid).as(Files.readString(dir.resolve("jlens.log"))).exists();
            ProcessHandle jupyter = ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).orElseThrow();
            jlens.destroy();  // SIGTERM to jlens only
            assertThat(jlens.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(jupyter.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
        } finally {
            jlens.destroyForcibly();
            if (Files.exists(pid)) ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void notebookInAFolderThatIsNotThereIsRefused(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path script = Files.writeString(bin.resolve("jupyter-notebook"), "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PATH", bin.toString());
        Path missing = dir.resolve("missing");
        CliRunner.Result r = Refused.runWithEnv(env, "notebook", missing.toString());
        assertThat(r.err()).isEqualTo("jlens: " + missing + ": not a folder\n");
    }

    private static boolean onPath(String name) {
        return NotebookCommand.onPath(name, System.getenv("PATH")) != null;
    }
}
