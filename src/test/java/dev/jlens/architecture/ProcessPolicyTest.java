package dev.jlens.architecture;

import com.tngtech.archunit.core.domain.JavaCodeUnitAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import org.junit.jupiter.api.Test;

import java.util.Set;
import java.util.concurrent.ForkJoinPool;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * What belongs to the program, not to the library: environment variables, full collections, shutdown hooks,
 * exiting, thread pools. Only the programs (the command line, the web UI's server, the Jupyter kernel) do these; the library does them only
 * where a runtime the caller passes says so ({@code JlensRuntime}), or as the documented default of a caller
 * that passes none (the Hub's and rich's own environment variables, as huggingface_hub and rich read them).
 */
class ProcessPolicyTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.jlens");

    @Test
    void onlyTheProgramReadsTheEnvironmentExceptForDocumentedDefaults() {
        check("read the environment", "java.lang.System", Set.of("getenv"),
                Set.of("dev.jlens.model.JlensRuntime.defaults", "dev.jlens.hub.HubSettings.fromEnvironment", "dev.jlens.util.RichText.consoleWidth"));
    }

    @Test
    void onlyTheProgramOrARuntimeThatAllowsItCollectsGarbage() {
        check("collect garbage", "java.lang.System", Set.of("gc"), Set.of("dev.jlens.model.JlensRuntime.collectGarbage"));
        check("collect garbage", "java.lang.Runtime", Set.of("gc"), Set.of());
    }

    @Test
    void onlyTheProgramInstallsShutdownHooksOrExits() {
        check("install shutdown hooks or exit", "java.lang.Runtime", Set.of("addShutdownHook", "exit", "halt"), Set.of());
        check("exit", "java.lang.System", Set.of("exit"), Set.of());
    }

    @Test
    void kernelThreadsComeFromParallelOnly() {
        check("make a fork/join pool", ForkJoinPool.class.getName(), Set.of("<init>", "commonPool"), Set.of("dev.jlens.tensor.Parallel.<init>"));
    }

    /** Fails naming each call of (or method reference to) {@code owner.method} from the library outside the {@code allowed} methods ("Class.method"). */
    private static void check(String what, String owner, Set<String> methods, Set<String> allowed) {
        classes().that().resideOutsideOfPackages("dev.jlens.cli..", "dev.jlens.server..", "dev.jlens.kernel..")
                .should(new ArchCondition<JavaClass>("not " + what + " (" + owner + "." + methods + ")") {
                    @Override
                    public void check(JavaClass c, ConditionEvents events) {
                        for (JavaCodeUnitAccess<?> call : c.getCodeUnitAccessesFromSelf()) {
                            if (!call.getTargetOwner().getName().equals(owner) || !methods.contains(call.getName())) continue;
                            String from = call.getOrigin().getOwner().getName() + "." + call.getOrigin().getName();
                            if (!allowed.contains(from)) events.add(SimpleConditionEvent.violated(c, call.getDescription()));
                        }
                    }
                })
                .check(MAIN);
    }
}
