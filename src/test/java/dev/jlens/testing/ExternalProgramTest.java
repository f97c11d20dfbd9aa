package dev.jlens.testing;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that need chromium or strace skip on a machine without them, with a line saying what to install, and run
 * (failing if the program is missing) where CI requires them.
 */
class ExternalProgramTest {
    private static final ExternalProgram ABSENT = new ExternalProgram("browser tests", List.of("/nonexistent/chromium"), "apt-get install -y chromium");

    @Test
    void aMissingProgramSkipsItsTestsSayingWhatToInstall() {
        ConditionEvaluationResult r = ABSENT.evaluate(Map.of("PATH", "/usr/bin"));
        assertThat(r.isDisabled()).isTrue();
        assertThat(r.getReason()).hasValue("browser tests skipped: /nonexistent/chromium missing; install with `apt-get install -y chromium` "
                + "(JLENS_REQUIRE_EXTERNAL_PROGRAMS=1, as .ci/run sets, makes them fail instead)");
    }

    @Test
    void aRequiredProgramRunsItsTestsEvenWhenMissing() {
        assertThat(ABSENT.evaluate(Map.of(ExternalProgram.REQUIRE, "1")).isDisabled()).isFalse();
    }

    @Test
    void anInstalledProgramIsFoundByPathOrOnPath() {
        assertThat(new ExternalProgram("t", List.of("/bin/sh"), "-").evaluate(Map.of()).isDisabled()).isFalse();
        assertThat(new ExternalProgram("t", List.of("sh"), "-").evaluate(Map.of("PATH", "/nonexistent:/bin")).isDisabled()).isFalse();
        assertThat(new ExternalProgram("t", List.of("sh"), "-").evaluate(Map.of("PATH", "/nonexistent")).isDisabled()).isTrue();
    }

    @Test
    void ciRequiresTheExternalPrograms() throws IOException {
        assertThat(Files.readString(Path.of(".ci/run"))).contains("export " + ExternalProgram.REQUIRE + "=1");
    }

    /** A browser test without the annotation would fail, not skip, on a machine without chromium. */
    @Test
    void everyClassThatStartsABrowserIsABrowserTest() {
        JavaClasses tests = new ClassFileImporter().withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
                .importUrl(ExternalProgramTest.class.getProtectionDomain().getCodeSource().getLocation());
        List<String> untagged = tests.stream()
                .filter(c -> c.getMethodCallsFromSelf().stream().anyMatch(call -> call.getTargetOwner().isEquivalentTo(Browser.class)
                        && call.getName().equals("start")))
                .map(ExternalProgramTest::outermost)
                .filter(c -> !c.isAnnotatedWith(BrowserTest.class))
                .map(JavaClass::getName).distinct().toList();
        assertThat(untagged).isEmpty();
    }

    @Test
    void theDurabilityTestIsAnStraceTest() throws ClassNotFoundException {
        assertThat(Class.forName("dev.jlens.io.AtomicFileDurabilityTest").isAnnotationPresent(StraceTest.class)).isTrue();
    }

    private static JavaClass outermost(JavaClass c) {
        while (c.getEnclosingClass().isPresent()) c = c.getEnclosingClass().get();
        return c;
    }
}
