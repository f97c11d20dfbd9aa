package dev.jlens.cli;

import dev.jlens.JlensException;
import dev.jlens.io.SmallFiles;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command-line arguments as the bytes the process was started with, read as UTF-8. The JVM decodes them with
 * the locale's charset before main sees them: under LANG=C or POSIX every non-ASCII byte becomes U+FFFD, so "café"
 * arrives as "caf\uFFFD\uFFFD", and under a UTF-8 locale an invalid byte becomes U+FFFD too; either way a prompt
 * would change unseen. On Linux the bytes are in /proc/self/cmdline (the JVM's own options first, main's
 * arguments last); elsewhere, or when they do not match what main got, the JVM's strings are used as they are.
 */
final class RawArguments {
    private static final Path CMDLINE = Path.of("/proc/self/cmdline");
    /** Linux allows about 2 MB of arguments and environment together. */
    private static final long MAX_CMDLINE_BYTES = 16L << 20;

    /** An argument that is not UTF-8: which one (from 0), and where in its bytes. */
    static final class NotUtf8 extends Exception {
        final int index;
        final int offset;
        final int value;

        NotUtf8(int index, int offset, int value) {
            super(null, null, false, false);
            this.index = index;
            this.offset = offset;
            this.value = value;
        }
    }

    private RawArguments() {}

    /** {@code args} as this process's own argument bytes read as UTF-8. */
    static String[] utf8(String[] args) throws NotUtf8 {
        return utf8(args, CMDLINE, jvmCharset());
    }

    /**
     * {@code args} decoded again from the last {@code args.length} entries of {@code cmdline} (NUL-terminated
     * byte strings), provided that decoding those entries as the JVM did ({@code jvmCharset}) gives {@code args}:
     * otherwise they are not main's arguments (the java launcher read them from an @file, say) and args is returned.
     */
    static String[] utf8(String[] args, Path cmdline, Charset jvmCharset) throws NotUtf8 {
        List<byte[]> entries;
        try {
            entries = entries(SmallFiles.read(cmdline, MAX_CMDLINE_BYTES, "a command line"));
        } catch (IOException | JlensException notLinux) {
            return args;
        }
        if (entries.size() < args.length) return args;
        List<byte[]> tail = entries.subList(entries.size() - args.length, entries.size());
        for (int i = 0; i < args.length; i++) {
            if (!new String(tail.get(i), jvmCharset).equals(args[i])) return args;
        }
        String[] decoded = new String[args.length];
        for (int i = 0; i < args.length; i++) decoded[i] = strictUtf8(i, tail.get(i));
        return decoded;
    }

    /** The one line for an argument that is not UTF-8, naming the option whose value it is when it is one. */
    static String message(NotUtf8 e, String[] args, CommandSpec root) {
        return String.format("%s: not valid UTF-8 text (byte 0x%02X at byte %d); jlens reads its arguments as UTF-8, whatever the locale",
                name(e.index, args, root), e.value, e.offset);
    }

    private static List<byte[]> entries(byte[] cmdline) {
        List<byte[]> entries = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                entries.add(Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        if (start < cmdline.length) entries.add(Arrays.copyOfRange(cmdline, start, cmdline.length));
        return entries;
    }

    private static String strictUtf8(int index, byte[] bytes) throws NotUtf8 {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            // the decoder stops at the first bad sequence: its buffer position is where that sequence starts
            int at = in.position();
            throw new NotUtf8(index, at, at < bytes.length ? bytes[at] & 0xFF : 0);
        }
    }

    /** "--prompt" when the argument is that option's value ("--prompt X" or "--prompt=X"), else "argument N". */
    private static String name(int index, String[] args, CommandSpec root) {
        String arg = args[index];
        CommandSpec command = index > 0 && root.subcommands().containsKey(args[0]) ? root.subcommands().get(args[0]).getCommandSpec() : root;
        int equals = arg.indexOf('=');
        if (arg.startsWith("-") && equals > 0 && takesAValue(command, arg.substring(0, equals))) return arg.substring(0, equals);
        if (index > 0 && takesAValue(command, args[index - 1])) return args[index - 1];
        return "argument " + (index + 1);
    }

    private static boolean takesAValue(CommandSpec command, String arg) {
        if (!arg.startsWith("-") || arg.equals("--")) return false;
        OptionSpec option = command.findOption(arg);
        return option != null && option.arity().max() > 0;
    }

    /** The charset the JVM decoded main's arguments with (its file-name charset). */
    private static Charset jvmCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }
}
