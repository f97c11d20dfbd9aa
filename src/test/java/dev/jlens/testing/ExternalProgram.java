package dev.jlens.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A program outside the JVM that some tests drive (chromium, strace, Jupyter). Where it is missing, those tests are skipped
 * with one line on stderr saying what to install, so that a fresh developer machine runs the rest green; CI installs
 * the programs and sets {@value #REQUIRE} to 1, which turns the skip into a failure.
 *
 * @param tests   the tests that need it, for the message ("browser tests")
 * @param files   files that must be executable (a bare name is looked up on PATH)
 * @param install the command that installs it
 */
public record ExternalProgram(String tests, List<String> files, String install) {
    /** Set to 1 by .ci/run: every test that needs an external program runs, and fails where it is missing. */
    public static final String REQUIRE = "JLENS_REQUIRE_EXTERNAL_PROGRAMS";

    public static final ExternalProgram CHROMIUM = new ExternalProgram("browser tests",
            List.of(Browser.CHROMIUM.toString(), Browser.CHROMEDRIVER.toString()), "apt-get install -y chromium chromium-driver");
    public static final ExternalProgram JUPYTER = new ExternalProgram("Jupyter tests",
            List.of("jupyter-nbconvert", "jupyter-notebook", "/usr/bin/python3"),
            "apt-get install -y jupyter-notebook jupyter-nbconvert python3-nbclient python3-ipykernel jupyter-client");
    /** python3-numpy's f2py3 stands for numpy (a module, not a program). */
    public static final ExternalProgram NUMPY = new ExternalProgram("numpy tests", List.of("/usr/bin/python3", "/usr/bin/f2py3"), "apt-get install -y python3-numpy");
    public static final ExternalProgram STRACE = new ExternalProgram("durability tests of atomic writes", List.of("strace"), "apt-get install -y strace");

    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

    /** The files that are not there (empty when the program is installed). */
    public List<String> missing(String path) {
        return files.stream().filter(f -> !installed(f, path)).toList();
    }

    /** Whether the tests run here: yes where the program is installed or required; else a skip with its reason. */
    public ConditionEvaluationResult evaluate(Map<String, String> env) {
        List<String> missing = missing(env.getOrDefault("PATH", ""));
        if (missing.isEmpty()) return ConditionEvaluationResult.enabled(tests + ": " + String.join(", ", files) + " installed");
        if ("1".equals(env.get(REQUIRE))) return ConditionEvaluationResult.enabled(REQUIRE + "=1: they run, and fail without " + missing);
        return ConditionEvaluationResult.disabled(tests + " skipped: " + String.join(" and ", missing) + " missing; install with `" + install
                + "` (" + REQUIRE + "=1, as .ci/run sets, makes them fail instead)");
    }

    private static boolean installed(String file, String path) {
        if (file.contains("/")) return Files.isExecutable(Path.of(file));
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, file))) return true;
        }
        return false;
    }

    /** Says once per run, on stderr, which tests are skipped and why (surefire shows only a count of skipped tests). */
    private ConditionEvaluationResult announced(ConditionEvaluationResult result) {
        if (result.isDisabled() && ANNOUNCED.add(tests)) System.err.println("jlens tests: " + result.getReason().orElse(tests + " skipped"));
        return result;
    }

    /** The condition of {@link BrowserTest}. */
    public static final class NeedsChromium implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return CHROMIUM.announced(CHROMIUM.evaluate(System.getenv()));
        }
    }

    /** The condition of {@link JupyterTest}. */
    public static final class NeedsJupyter implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return JUPYTER.announced(JUPYTER.evaluate(System.getenv()));
        }
    }

    /** The condition of {@link NumpyTest}. */
    public static final class NeedsNumpy implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return NUMPY.announced(NUMPY.evaluate(System.getenv()));
        }
    }

    /** The condition of {@link StraceTest}. */
    public static final class NeedsStrace implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return STRACE.announced(STRACE.evaluate(System.getenv()));
        }
    }
}
