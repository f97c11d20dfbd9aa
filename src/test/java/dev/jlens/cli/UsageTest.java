package dev.jlens.cli;

import dev.jlens.Fixtures;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How the command line helps a user who does not know it yet: suggestions for a mistyped command or option,
 * {@code jlens help}, the usage on a bare {@code jlens}, and help texts whose placeholders cannot be confused.
 */
class UsageTest {
    private static final String A = Fixtures.modelDir("a").toString();

    @Test
    void aMistypedCommandGetsTheNearestOne() {
        assertThat(Refused.usage("test_prompt", "--model", A, "--prompt", "x", "--answer", "y").err())
                .isEqualTo("jlens: unknown command 'test_prompt'; did you mean 'test-prompt'? (see: jlens --help)\n");
        assertThat(Refused.usage("test-promt", "--model", A).err())
                .isEqualTo("jlens: unknown command 'test-promt'; did you mean 'test-prompt'? (see: jlens --help)\n");
    }

    @Test
    void aCommandLikeNoOtherGetsNoGuess() {
        assertThat(Refused.usage("explain", "--model", A).err()).isEqualTo("jlens: unknown command 'explain' (see: jlens --help)\n");
    }

    /** picocli reports missing required options before unknown ones; the typo is the cause, so it is named. */
    @Test
    void aMistypedOptionGetsTheNearestOneEvenWhenARequiredOptionIsThenMissing() {
        assertThat(Refused.usage("test-prompt", "--model", A, "--promt", "x", "--answer", "y").err())
                .isEqualTo("jlens: unknown option '--promt'; did you mean '--prompt'? (see: jlens test-prompt --help)\n");
        assertThat(Refused.usage("test-prompt", "--model", A, "--prompt", "x", "--answer", "y", "--topk", "3").err())
                .isEqualTo("jlens: unknown option '--topk'; did you mean '--top-k'? (see: jlens test-prompt --help)\n");
        assertThat(Refused.usage("test-prompt", "--model", A, "--prompt", "x", "--answer", "y", "--topk=3").err())
                .isEqualTo("jlens: unknown option '--topk'; did you mean '--top-k'? (see: jlens test-prompt --help)\n");
    }

    @Test
    void anOptionLikeNoOtherGetsNoGuess() {
        assertThat(Refused.usage("generate", "--model", A, "--prompt", "x", "--beams", "4").err())
                .isEqualTo("jlens: unknown option '--beams' (see: jlens generate --help)\n");
    }

    @Test
    void helpIsACommand() {
        CliRunner.Result all = CliRunner.run("help");
        assertThat(all.exitCode()).isZero();
        assertThat(all.out()).startsWith("Usage: jlens").contains("test-prompt").contains("make-random-model");
        CliRunner.Result one = CliRunner.run("help", "generate");
        assertThat(one.exitCode()).isZero();
        assertThat(one.out()).startsWith("Usage: jlens generate").contains("--max-new-tokens");
    }

    @Test
    void bareJlensPrintsTheUsageOnStderrAndFails() {
        CliRunner.Result r = CliRunner.run();
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("Usage: jlens").contains("test-prompt").contains("jlens help COMMAND");
    }

    /** A command line that names its command builds only that one: its help must read as when every command is built. */
    @Test
    void aCommandBuiltAloneReadsAsAmongAllTheOthers() {
        assertThat(JlensCommand.commandLine(null, new String[] {"analyze", "--help"}).getSubcommands().keySet()).containsExactly("analyze");
        for (String command : List.of("analyze", "sae", "dataset", "kernel", "bench")) {
            CliRunner.Result alone = CliRunner.run(command, "--help"), viaHelp = CliRunner.run("help", command);
            assertThat(alone.exitCode()).isZero();
            assertThat(alone.out()).as(command).isEqualTo(viaHelp.out());
        }
        assertThat(Refused.usage("anlyze").err()).contains("analyze");
    }

    /** "--prompt=P --top-p=P" would read as one value given twice; each placeholder of a command names one thing. */
    @Test
    void everyCommandsPlaceholdersAreDistinct() {
        CommandSpec root = JlensCommand.commandLine(null).getCommandSpec();
        List<String> clashes = new ArrayList<>();
        for (CommandLine sub : root.subcommands().values()) {
            Map<String, String> owner = new HashMap<>();
            for (ArgSpec arg : sub.getCommandSpec().args()) {
                if (arg.typeInfo().isBoolean()) continue;
                String label = arg.paramLabel(), name = arg.isOption() ? ((CommandLine.Model.OptionSpec) arg).longestName() : label;
                String before = owner.putIfAbsent(label, name);
                if (before != null && !before.equals(name)) clashes.add(sub.getCommandName() + ": " + before + "=" + label + " and " + name + "=" + label);
            }
        }
        assertThat(clashes).isEmpty();
    }

    @Test
    void theTopLevelHelpHintHasNoDoubleSpace() {
        assertThat(Refused.usage("--frobnicate").err()).isEqualTo("jlens: unknown option '--frobnicate' (see: jlens --help)\n");
    }

    /** jshell and run start another program in the JVM's place, which only the launcher can do. */
    @Test
    void launcherCommandsReachedDirectlySayHowToRunThem() {
        assertThat(Refused.run("jshell").err())
                .isEqualTo("jlens: jshell: runs through the ./jlens launcher, which starts the JDK's jshell in its place; run ./jlens jshell\n");
        assertThat(Refused.run("run", "examples/SeedNotebook.java").err())
                .isEqualTo("jlens: run: runs through the ./jlens launcher, which starts the program's JVM in its place; run ./jlens run\n");
        assertThat(CliRunner.run("help").out()).contains("jshell").contains("run ");
    }
}
