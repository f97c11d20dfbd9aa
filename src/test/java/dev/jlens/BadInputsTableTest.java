package dev.jlens;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/bad-inputs.md: every row of its tables names at least one test, and every test it names exists (a class,
 * or a class's {@code @Test} method, written {@code Class#method} or {@code #method} for the class named before it).
 */
class BadInputsTableTest {
    private static final Pattern REFERENCE = Pattern.compile("`([A-Z]\\w*)?#(\\w+)`|`([A-Z]\\w*Test)`");

    @Test
    void everyRowNamesTestsThatExist() throws IOException, ClassNotFoundException {
        Map<String, String> classes = testClasses();
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("docs/bad-inputs.md"))) {
            if (line.startsWith("| ") && !line.startsWith("| input |")) rows.add(line);
        }
        assertThat(rows).hasSizeGreaterThan(100);
        for (String row : rows) {
            String[] cells = row.split(" \\| ");
            String tests = cells[cells.length - 1];
            Matcher m = REFERENCE.matcher(tests);
            String current = null;
            int found = 0;
            while (m.find()) {
                found++;
                if (m.group(3) != null) {
                    assertThat(classes).as("test class of row: " + row).containsKey(m.group(3));
                    continue;
                }
                if (m.group(1) != null) current = m.group(1);
                assertThat(current).as("a class before #" + m.group(2) + " in row: " + row).isNotNull();
                assertThat(classes).as("test class of row: " + row).containsKey(current);
                String method = m.group(2);
                if (classes.get(current).startsWith(OTHER_MODULE)) {
                    assertThat(Files.readString(Path.of(classes.get(current).substring(OTHER_MODULE.length())))).as(current + "#" + method + " (row: " + row + ")")
                            .containsPattern("@Test\\s+void " + method + "\\(");
                    continue;
                }
                Class<?> type = Class.forName(classes.get(current));
                assertThat(java.util.Arrays.stream(type.getDeclaredMethods()).filter(x -> x.getName().equals(method))
                        .anyMatch(BadInputsTableTest::isTest)).as(current + "#" + method + " (row: " + row + ")").isTrue();
            }
            assertThat(found).as("tests named by row: " + row).isPositive();
        }
    }

    private static boolean isTest(Method m) {
        return m.isAnnotationPresent(org.junit.jupiter.api.Test.class) || m.isAnnotationPresent(org.junit.jupiter.params.ParameterizedTest.class);
    }

    /** Marks a test class of another module (jlens-spark), which is not on this class path: checked in its source. */
    private static final String OTHER_MODULE = "source:";

    /**
     * Simple name -> qualified name of every class under src/test/java, and -> {@code source:} and its file for the
     * test classes of jlens-spark/src/test/java.
     */
    private static Map<String, String> testClasses() throws IOException {
        Map<String, String> out = new HashMap<>();
        try (Stream<Path> files = Files.walk(Path.of("jlens-spark/src/test/java"))) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> out.put(p.getFileName().toString().replaceAll("\\.java$", ""), OTHER_MODULE + p));
        }
        Path root = Path.of("src/test/java");
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
                String qualified = root.relativize(p).toString().replace('/', '.').replaceAll("\\.java$", "");
                out.put(p.getFileName().toString().replaceAll("\\.java$", ""), qualified);
            });
        }
        return out;
    }
}
