package dev.jlens.testing;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * The real {@code ./jlens} launcher, copied with its scripts into a folder beside a {@code target/jlens.jar} whose
 * manifest points at this build's classes: it runs as the repository's launcher does, and builds nothing (tests run
 * before the jar is packaged). The repository's {@code examples} and {@code src} are linked in, so that the relative
 * paths of the README and the examples work from the folder.
 */
public record LauncherCopy(Path jlens) implements AutoCloseable {
    private static final String[] LINKED = {"examples", "src"};

    /** Makes the copy in {@code root} (the repository is the working directory). */
    public static LauncherCopy make(Path root) throws IOException {
        Path scripts = Files.createDirectories(root.resolve("scripts"));
        try (var files = Files.list(Path.of("scripts"))) {
            for (Path s : files.toList()) Files.copy(s, scripts.resolve(s.getFileName()));
        }
        Path jlens = Files.copy(Path.of("jlens"), root.resolve("jlens"));
        if (!jlens.toFile().setExecutable(true)) throw new IOException("cannot make " + jlens + " executable");
        for (String linked : LINKED) Files.createSymbolicLink(root.resolve(linked), Path.of(linked).toAbsolutePath());
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, "dev.jlens.cli.Main");
        List<String> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(Path.of(entry).toAbsolutePath().toUri().toString());
        }
        main.put(Attributes.Name.CLASS_PATH, String.join(" ", urls));
        Files.createDirectories(root.resolve("target"));
        try (OutputStream out = Files.newOutputStream(root.resolve("target/jlens.jar")); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        return new LauncherCopy(jlens);
    }

    /** The folder of the copy, laid out as the repository. */
    public Path root() {
        return jlens.getParent();
    }

    /** {@code jlens ARGS...} from the copy, in its folder, offline and without the start-up cache's training run. */
    public ProcessBuilder command(String... args) {
        List<String> command = new ArrayList<>(List.of(jlens.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(jlens.getParent().toFile());
        pb.environment().put("JLENS_AOT", "off");
        pb.environment().put("HF_HUB_OFFLINE", "1");
        return pb;
    }

    /** Removes the links to the repository, so that deleting the folder can never reach into it. */
    @Override
    public void close() throws IOException {
        for (String linked : LINKED) Files.deleteIfExists(root().resolve(linked));
    }
}
