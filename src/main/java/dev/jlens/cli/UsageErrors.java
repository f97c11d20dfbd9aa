package dev.jlens.cli;

import dev.jlens.util.Text;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The one line that answers a malformed command line. An unknown command or option is named with the nearest
 * known one ({@code test_prompt} -> {@code test-prompt}, {@code --topk} -> {@code --top-k}), also when picocli
 * found a required option missing first: a mistyped {@code --promt} is the cause of the missing {@code --prompt}.
 */
final class UsageErrors {
    private UsageErrors() {}

    static String message(ParameterException e) {
        CommandLine command = e.getCommandLine();
        List<String> unmatched = new ArrayList<>();
        if (e instanceof CommandLine.UnmatchedArgumentException u) {
            unmatched.addAll(u.getUnmatched());
        } else if (e instanceof CommandLine.MissingParameterException && command.getParseResult() != null) {
            unmatched.addAll(command.getParseResult().unmatched());
        }
        String base = unmatched.isEmpty() ? Text.oneLine(e.getMessage()) : unknown(command.getCommandSpec(), unmatched.getFirst(), e);
        return base + " (see: " + helpCommand(command) + ")";
    }

    private static String unknown(CommandSpec spec, String argument, ParameterException e) {
        if (argument.startsWith("-") && argument.length() > 1) {
            String name = argument.contains("=") ? argument.substring(0, argument.indexOf('=')) : argument;
            List<String> options = new ArrayList<>();
            for (OptionSpec o : spec.options()) if (!o.hidden()) options.addAll(List.of(o.names()));
            return "unknown option '" + name + "'" + guess(name, options);
        }
        if (!spec.subcommands().isEmpty() && spec.parent() == null) {
            return "unknown command '" + argument + "'" + guess(argument, spec.subcommands().keySet());
        }
        return Text.oneLine(e.getMessage());
    }

    private static String helpCommand(CommandLine command) {
        String path = command.getCommandSpec().qualifiedName(" ");
        return path + " --help";
    }

    /** "; did you mean 'x'?" for the nearest candidate, or nothing when none is near. */
    static String guess(String typed, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(normalized(typed), normalized(c));
            if (d < bestDistance) {
                best = c;
                bestDistance = d;
            }
        }
        // a near miss is a typo; beyond a third of the name it is another word
        int allowed = Math.max(1, normalized(typed).replace("-", "").length() / 3);
        return best != null && bestDistance <= allowed ? "; did you mean '" + best + "'?" : "";
    }

    private static String normalized(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Edits (insert, delete, replace, swap of neighbors) that turn {@code a} into {@code b}. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
