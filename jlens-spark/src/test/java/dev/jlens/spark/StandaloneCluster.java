package dev.jlens.spark;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Spark standalone cluster on the loopback network, as separate processes started from the Spark jars of the build:
 * a master on 127.0.0.1 and workers of one core each, worker w on host 127.0.0.(w + 1) (so that Spark sees the
 * workers as different hosts, as it must to run a speculative copy of a task beside the first), in a Spark home
 * made of those jars. {@link #submit} runs {@code spark-submit} (its
 * main class) as a client-mode driver process. Closing stops every process it started (executors included).
 */
final class StandaloneCluster implements AutoCloseable {
    private static final Pattern ALIVE_WORKERS = Pattern.compile("\"aliveworkers\"\\s*:\\s*(\\d+)");
    private final Path home, logs;
    private final String classPath;
    private final List<String> jvmFlags;
    private final List<Process> processes = new ArrayList<>();
    private final int masterPort, masterUiPort;
    private final List<Process> workers = new ArrayList<>();

    StandaloneCluster(Path dir, int workerCount) throws Exception {
        this.home = Files.createDirectories(dir.resolve("spark-home"));
        this.logs = Files.createDirectories(dir.resolve("logs"));
        this.classPath = Files.readString(Path.of(System.getProperty("jlens.spark.classpath"))).strip();
        this.jvmFlags = new ArrayList<>();
        jvmFlags.addAll(Arrays.asList(System.getProperty("jvm.flags").split("\\s+")));
        jvmFlags.addAll(Arrays.asList(System.getProperty("spark.jvm.flags").split("\\s+")));
        // A Spark home as a release has it: RELEASE marks it, jars/ is the class path the workers give executors.
        Files.writeString(home.resolve("RELEASE"), "Spark 4.2.0 (the jars of jlens-spark's build)\n");
        Path jars = Files.createDirectories(home.resolve("jars"));
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path jar = Path.of(entry);
            Path link = jars.resolve(jar.getFileName());
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, jar);
        }
        masterPort = freePort();
        masterUiPort = freePort();
        start("master", "127.0.0.1", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port", String.valueOf(masterPort),
                "--webui-port", String.valueOf(masterUiPort));
        for (int w = 0; w < workerCount; w++) {
            Path work = Files.createDirectories(dir.resolve("worker-" + w));
            String host = "127.0.0." + (w + 1);
            workers.add(start("worker-" + w, host, "org.apache.spark.deploy.worker.Worker", "--host", host, "--cores", "1", "--memory", "1g",
                    "--webui-port", String.valueOf(freePort()), "--work-dir", work.toString(), masterUrl()));
        }
        awaitWorkers(workerCount);
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    private Process start(String name, String host, String mainClass, String... args) throws IOException {
        List<String> cmd = java(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logs.resolve(name + ".log").toFile());
        environment(pb.environment());
        pb.environment().put("SPARK_LOCAL_IP", host);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private List<String> java(String mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmFlags);
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        return cmd;
    }

    private void environment(Map<String, String> env) {
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("SPARK_LOG_DIR", logs.toString());
    }

    private void awaitWorkers(int count) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            try {
                String json = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/")).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = ALIVE_WORKERS.matcher(json);
                if (m.find() && Integer.parseInt(m.group(1)) >= count) return;
            } catch (IOException e) {
                // the master is not up yet
            }
            for (Process p : processes) {
                if (!p.isAlive()) throw new IllegalStateException("a cluster process exited with " + p.exitValue() + "; see " + logs);
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the cluster did not get " + count + " workers in time; see " + logs);
    }

    /** The executors the workers run now (their processes). */
    List<ProcessHandle> executors() {
        List<ProcessHandle> out = new ArrayList<>();
        for (Process w : workers) {
            w.toHandle().descendants().filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")).forEach(out::add);
        }
        return out;
    }

    /**
     * Starts {@code spark-submit --master <this cluster> --class dev.jlens.spark.JlensSparkJob OPTIONS... jlens-spark.jar
     * ARGS...}, OPTIONS being spark-submit's own ({@code --conf k=v}, {@code --archives ...}).
     */
    Process submit(Path stdout, Path stderr, List<String> options, String... args) throws IOException {
        List<String> cmd = java("org.apache.spark.deploy.SparkSubmit");
        cmd.addAll(List.of("--master", masterUrl(), "--class", "dev.jlens.spark.JlensSparkJob", "--conf", "spark.ui.enabled=false",
                "--conf", "spark.executor.memory=512m", "--conf", "spark.driver.host=127.0.0.1"));
        cmd.addAll(options);
        cmd.add(System.getProperty("jlens.spark.jar"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        environment(pb.environment());
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes.reversed()) {
            p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) p.destroyForcibly().waitFor();
        }
    }
}
