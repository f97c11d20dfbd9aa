package dev.jlens.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** How ./jlens and ./mvn-jdk25 find a JDK 25 (scripts/find-jdk25.sh), with fake JVM folders. */
class LauncherTest {
    private record Outcome(int exit, String stdout, String stderr) {}

    private static Outcome findJdk(String javaHome, Path jvmDir) throws IOException, InterruptedException {
        Path script = Path.of("scripts/find-jdk25.sh").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", ". \"$0\" && jlens_find_jdk25 && echo \"$JAVA_HOME\"", script.toString());
        pb.environment().put("JAVA_HOME", javaHome);
        pb.environment().put("JLENS_JVM_DIR", jvmDir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return new Outcome(p.waitFor(), out, err);
    }

    private static Path fakeJdk(Path dir, String name, String version) throws IOException {
        Path home = Files.createDirectories(dir.resolve(name));
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        java.toFile().setExecutable(true);
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
        return home;
    }

    @Test
    void picksTheNewestJdk25OrLaterFromTheJvmFolder(@TempDir Path jvm) throws Exception {
        fakeJdk(jvm, "java-17-openjdk", "17.0.15");
        Path jdk25 = fakeJdk(jvm, "temurin-25-jdk", "25.0.3");
        Outcome o = findJdk("", jvm);
        assertThat(o.exit()).isZero();
        assertThat(o.stdout()).isEqualTo(jdk25.toString());
    }

    @Test
    void keepsJavaHomeWhenItIs25OrNewer(@TempDir Path jvm) throws Exception {
        Path own = fakeJdk(jvm.resolve("elsewhere"), "my-jdk", "26");
        fakeJdk(jvm, "temurin-25-jdk", "25.0.3");
        assertThat(findJdk(own.toString(), jvm).stdout()).isEqualTo(own.toString());
    }

    @Test
    void ignoresAnOlderJavaHome(@TempDir Path jvm) throws Exception {
        Path old = fakeJdk(jvm.resolve("elsewhere"), "jdk17", "17.0.15");
        Path jdk25 = fakeJdk(jvm, "temurin-25-jdk", "25.0.3");
        assertThat(findJdk(old.toString(), jvm).stdout()).isEqualTo(jdk25.toString());
    }

    @Test
    void failsWithOneClearLineWithoutAJdk25(@TempDir Path jvm) throws Exception {
        fakeJdk(jvm, "java-17-openjdk", "17.0.15");
        Outcome o = findJdk("", jvm);
        assertThat(o.exit()).isNotZero();
        assertThat(o.stderr()).startsWith("jlens: no JDK 25 or newer found").doesNotContain("\n");
    }
}
