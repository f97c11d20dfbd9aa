package dev.jlens.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages read top-down: kernels and files at the bottom, the model over them, TransformerLens' functions
 * over the model, the experiment pipeline, figures, the Hub, the web UI, the Jupyter kernel and the command line on top. A class
 * that reaches up (or a cycle between packages) fails here with the offending dependency named.
 */
class LayersTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.jlens");

    @Test
    void noCycleBetweenPackages() {
        slices().matching("dev.jlens.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void eachLayerDependsOnlyOnTheOnesBelowIt() {
        // lowest first; a package may use its own and those listed before it (and the root's JlensException)
        String[][] layers = {
                {"util"}, {"tensor"}, {"io"}, {"tokenizer"}, {"hooks"}, {"cache"}, {"model"}, {"analysis"}, {"sae"}, {"patching"}, {"experiment"}, {"dataset"}, {"bench"},
                {"viz"}, {"hub"}, {"server"}, {"kernel"}, {"cli"}};
        for (int i = 0; i < layers.length; i++) {
            String[] above = new String[layers.length - i - 1];
            for (int j = i + 1; j < layers.length; j++) above[j - i - 1] = "dev.jlens." + layers[j][0] + "..";
            if (above.length == 0) continue;
            ArchRule rule = noClasses().that().resideInAPackage("dev.jlens." + layers[i][0] + "..")
                    .should().dependOnClassesThat().resideInAnyPackage(above);
            rule.check(MAIN);
        }
    }
}
