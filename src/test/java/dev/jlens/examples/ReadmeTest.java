package dev.jlens.examples;

import dev.jlens.patching.PatchKind;
import dev.jlens.testing.LauncherCopy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The README and the docs as a newcomer reads them: every Java snippet runs, every command is listed, nothing points outside. */
class ReadmeTest {
    private static final Path README = Path.of("README.md");

    private static String readme() throws IOException {
        return Files.readString(README);
    }

    /** The bodies of the fenced blocks of a language, in order. */
    static List<String> fencedBlocks(String markdown, String language) {
        Matcher m = Pattern.compile("(?ms)^```" + language + "\\n(.*?)^```$").matcher(markdown);
        List<String> blocks = new ArrayList<>();
        while (m.find()) blocks.add(m.group(1));
        return blocks;
    }

    /**
     * Every ```java block of the README, pasted in order into {@code jlens jshell} started in a folder laid out as the
     * repository: no error, no exception, no variable used before it is declared, and the files the snippets save.
     */
    @Test
    void everyJavaSnippetPastesIntoJlensJshell(@TempDir Path root) throws Exception {
        List<String> snippets = fencedBlocks(readme(), "java");
        assertThat(snippets).hasSizeGreaterThanOrEqualTo(2);
        String printed;
        try (LauncherCopy copy = LauncherCopy.make(root)) {
            Process jshell = copy.command("jshell", "--feedback", "normal").redirectErrorStream(true).start();
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> read(jshell.getInputStream()));
            try (OutputStream in = jshell.getOutputStream()) {
                in.write((String.join("\n", snippets) + "\nSystem.out.println(\"README snippets done\");\n/exit\n").getBytes(StandardCharsets.UTF_8));
            }
            assertThat(jshell.waitFor(300, TimeUnit.SECONDS)).as("jshell ended").isTrue();
            printed = output.get();
        }
        assertThat(printed).as(printed).doesNotContain("|  Error").doesNotContain("Exception").doesNotContain("cannot be referenced until")
                .doesNotContain("cannot be invoked until").contains("Ranks of the answer tokens").contains("README snippets done");
        for (String saved : new String[] {"heads.html", "heads.png", "ioi.html", "report.html"}) {
            assertThat(root.resolve(saved)).as(printed).isNotEmptyFile();
        }
    }

    @Test
    void theMavenCoordinatesAreThePoms() throws IOException {
        String pom = Files.readString(Path.of("pom.xml"));
        String coordinates = fencedBlocks(readme(), "xml").getFirst();
        for (String tag : new String[] {"groupId", "artifactId", "version"}) {
            Matcher inPom = Pattern.compile("<" + tag + ">([^<]+)</" + tag + ">").matcher(pom.substring(pom.indexOf("</modelVersion>")));
            assertThat(inPom.find()).isTrue();
            assertThat(coordinates).contains("<" + tag + ">" + inPom.group(1) + "</" + tag + ">");
        }
    }

    @Test
    void theCommandTableListsEveryCommand() throws Exception {
        String text = readme();
        Class<?> root = Class.forName("dev.jlens.cli.JlensCommand");
        CommandLine.Command command = root.getAnnotation(CommandLine.Command.class);
        List<String> missing = new ArrayList<>();
        for (Class<?> sub : command.subcommands()) {
            String name = sub.getAnnotation(CommandLine.Command.class).name();
            if (!text.contains("| `jlens " + name)) missing.add(name);
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void theExperimentFileDocNamesEveryFieldAndPatchingKind() throws Exception {
        String doc = Files.readString(Path.of("docs/experiment-file.md"));
        Field fields = Class.forName("dev.jlens.experiment.Experiment").getDeclaredField("FIELDS");
        fields.setAccessible(true);
        for (Object field : (Set<?>) fields.get(null)) assertThat(doc).as("field " + field).contains("| `" + field + "` |");
        for (PatchKind kind : PatchKind.values()) {
            assertThat(doc).as("kind " + kind.id()).contains("| `" + kind.id() + "` | `" + kind.transformerLensFunction() + "` |");
        }
    }

    /** A fresh clone has only itself: no reference to the project's reference folder beside it, or to this machine's paths. */
    @Test
    void nothingPointsOutsideTheRepository() throws IOException {
        Pattern outside = Pattern.compile("\\.\\./shared|\\bshared/(seed|bench|fixtures|spec|design|research|hooks)|/w[o]rk/");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("."))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String path = f.toString();
                if (path.startsWith("./target") || path.startsWith("./jlens-spark/target") || path.startsWith("./.git") || path.startsWith("./.idea")) continue;
                String text;
                try {
                    text = new String(Files.readAllBytes(f), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    continue;
                }
                if (text.indexOf('\0') >= 0) continue;   // binary: weights, images
                Matcher m = outside.matcher(text);
                if (m.find()) found.add(path + ": " + m.group());
            }
        }
        assertThat(found).isEmpty();
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code jlens jshell} imports every library package (all but the command line, the web UI and the Jupyter kernel). */
    @Test
    void jshellImportsEveryLibraryPackage() throws IOException {
        String script = Files.readString(Path.of("scripts/jlens.jsh"));
        Set<String> notLibrary = Set.of("cli", "server", "kernel");
        List<String> missing = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(Path.of("src/main/java/dev/jlens"))) {
            for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
                String name = d.getFileName().toString();
                if (!notLibrary.contains(name) && !script.contains("import dev.jlens." + name + ".*;")) missing.add(name);
            }
        }
        assertThat(missing).isEmpty();
    }
}
