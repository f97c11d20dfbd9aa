package dev.jlens.kernel;

import dev.jlens.JlensException;
import dev.jlens.io.AtomicFile;
import tools.jackson.databind.json.JsonMapper;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * The kernelspec that tells Jupyter how to start jlens' kernel: this JVM's {@code java} with the flags jlens needs
 * (the Vector API, native access), jlens and its libraries on the class path, and {@link KernelMain}.
 */
public final class KernelSpec {
    public static final String NAME = "jlens";
    public static final String DISPLAY_NAME = "jlens (Java 25)";
    /** jlens' flags, and no logging from the protocol library (its log would go to Jupyter's console). */
    static final List<String> JVM_FLAGS = List.of("--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
            "-Dslf4j.provider=org.slf4j.helpers.NOP_FallbackServiceProvider");

    private KernelSpec() {}

    /** Jupyter's kernels folder of this user: {@code $JUPYTER_DATA_DIR}, else the XDG data folder's {@code jupyter}. */
    public static Path userKernels(Map<String, String> env) {
        String data = env.get("JUPYTER_DATA_DIR");
        if (data != null && !data.isEmpty()) return Path.of(data, "kernels");
        String xdg = env.get("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("jupyter").resolve("kernels");
    }

    /** The kernels folder under an installation prefix, where {@code jupyter --paths} looks ({@code P/share/jupyter/kernels}). */
    public static Path prefixKernels(Path prefix) {
        return prefix.resolve("share").resolve("jupyter").resolve("kernels");
    }

    /** Writes {@code kernels/jlens/kernel.json} for this JVM and class path; returns the kernel's folder. */
    public static Path install(Path kernels) {
        Path folder = kernels.resolve(NAME);
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new JlensException(kernels + ": cannot create the kernel's folder (" + e.getMessage() + ")", e);
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        AtomicFile.writeString(folder.resolve("kernel.json"), json(java, classPathOfThisJvm()));
        return folder;
    }

    static String json(Path java, String classPath) {
        List<String> argv = new ArrayList<>();
        argv.add(java.toString());
        argv.addAll(JVM_FLAGS);
        argv.addAll(List.of("-cp", classPath, KernelMain.class.getName(), "{connection_file}"));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", DISPLAY_NAME);
        spec.put("language", "java");
        // Jupyter's default is SIGINT, which would end the JVM; an interrupt_request reaches JlensKernel.interrupt
        spec.put("interrupt_mode", "message");
        return JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(spec) + "\n";
    }

    /**
     * This JVM's class path with the jars that jars name in their manifests ({@code Class-Path}, as jlens.jar names
     * its libraries) spelled out: the kernel's JShell compiles against the entries themselves.
     */
    static String classPathOfThisJvm() {
        Set<String> entries = new LinkedHashSet<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!e.isEmpty()) addWithManifestClassPath(Path.of(e).toAbsolutePath().normalize(), entries);
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void addWithManifestClassPath(Path entry, Set<String> entries) {
        if (!entries.add(entry.toString()) || !entry.toString().endsWith(".jar") || !Files.isRegularFile(entry)) return;
        try (JarFile jar = new JarFile(entry.toFile())) {
            Manifest m = jar.getManifest();
            String classPath = m == null ? null : m.getMainAttributes().getValue("Class-Path");
            if (classPath == null) return;
            for (String relative : classPath.trim().split("\\s+")) {
                if (relative.isEmpty() || relative.contains(":")) continue;  // only relative paths, as the JVM resolves them
                Path p = entry.getParent().resolve(relative).normalize();
                if (Files.exists(p)) addWithManifestClassPath(p, entries);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
