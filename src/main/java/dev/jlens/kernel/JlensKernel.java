package dev.jlens.kernel;

import dev.jlens.JlensException;
import dev.jlens.viz.jupyter.JJavaExtension;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.ExpressionSnippet;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.VarSnippet;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;
import org.dflib.jjava.jupyter.kernel.magic.MagicTranspiler;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The jlens Jupyter kernel: a cell is Java, evaluated by JShell in this JVM with jlens on the class path and its
 * packages imported. The cell's last expression is its value; a jlens figure shows as its HTML (with SVG and
 * text beside it), a tensor as a table under its shape, anything else as text. A failing cell shows one line saying why; {@code showStackTraces(true)}
 * in a cell adds the stack trace.
 */
public final class JlensKernel extends BaseKernel {
    /** What every cell sees without importing it. */
    static final List<String> IMPORTS = List.of(
            "java.util.*", "java.util.stream.*", "java.nio.file.*",
            "dev.jlens.tensor.*", "dev.jlens.model.*", "dev.jlens.hooks.*", "dev.jlens.cache.*",
            "dev.jlens.analysis.*", "dev.jlens.patching.*", "dev.jlens.experiment.*", "dev.jlens.viz.*");

    private final JShell shell;
    private final ValueCapturingEngine engine;
    private volatile boolean interrupted;
    private volatile boolean running;
    private volatile long cells;  // cells begun, so that an interrupt stops only the cell it was meant for

    JlensKernel(String classPath) {
        super("jlens", JlensKernel.class.getPackage().getImplementationVersion() == null ? "dev" : JlensKernel.class.getPackage().getImplementationVersion(),
                new LanguageInfo("java", Runtime.version().toString(), "text/x-java-source", ".jshell", "java", "java", "java"),
                List.of(), null, new JupyterIO(StandardCharsets.UTF_8), new CommManager(), new Renderer(),
                new MagicParser("(?<=(?:^|=))\\s*%", "%%", new MagicTranspiler()), new MagicsRegistry(), false, plainErrors());
        JJavaExtension.register(getRenderer());
        TensorTables.register(getRenderer());
        ValueCapturingEngine.Provider provider = new ValueCapturingEngine.Provider();
        this.shell = JShell.builder()
                .executionEngine(provider, java.util.Map.of())
                .compilerOptions("--add-modules", "jdk.incubator.vector")
                .build();
        this.engine = provider.engine();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.isEmpty()) shell.addToClasspath(entry);
        }
        for (String p : IMPORTS) shell.eval("import " + p + ";");
        shell.eval("import static dev.jlens.kernel.Notebook.*;");
        Notebook.attach(this);
    }

    private static StringStyler plainErrors() {
        return new StringStyler.Builder().build();
    }

    /**
     * Runs a cell snippet by snippet, as JShell splits it; returns the last snippet's value if it is an
     * expression (not a declaration or an assignment), else null.
     */
    @Override
    public Object evalRaw(String code) {
        interrupted = false;
        cells++;
        running = true;
        try {
            return evalSnippets(code);
        } finally {
            running = false;
        }
    }

    private Object evalSnippets(String code) {
        SourceCodeAnalysis analysis = shell.sourceCodeAnalysis();
        String remaining = code;
        Object value = null;
        while (!remaining.isBlank()) {
            if (interrupted) throw interruptedError();
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            if (info.completeness() == SourceCodeAnalysis.Completeness.EMPTY) break;
            String source;
            if (info.completeness().isComplete()) {
                source = info.source();
                remaining = info.remaining();
            } else {
                source = remaining;  // an unfinished snippet: let the compiler say what is missing
                remaining = "";
            }
            value = run(source);
        }
        return value;
    }

    private Object run(String source) {
        List<SnippetEvent> events = shell.eval(source);
        if (interrupted) throw interruptedError();
        Object value = null;
        for (SnippetEvent e : events) {
            if (e.causeSnippet() != null) continue;
            Snippet s = e.snippet();
            if (e.status() == Snippet.Status.REJECTED) throw compileError(s);
            if (e.exception() != null) throw runtimeError(e.exception());
            value = valueOf(s);
        }
        return value;
    }

    private Object valueOf(Snippet s) {
        VarSnippet shown = null;
        if (s instanceof VarSnippet v && s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND) {
            shown = v;
        } else if (s instanceof ExpressionSnippet x && s.subKind() == Snippet.SubKind.VAR_VALUE_SUBKIND) {
            shown = shell.variables().filter(v -> v.name().equals(x.name())).reduce((a, b) -> b).orElse(null);
        }
        if (shown == null) return null;
        shell.varValue(shown);
        return engine.lastValue();
    }

    private CellError compileError(Snippet s) {
        List<Diag> errors = shell.diagnostics(s).filter(Diag::isError).toList();
        if (errors.isEmpty()) {
            return new CellError("CompileError", "this code could not be compiled: " + s.source().strip(), null);
        }
        Diag d = errors.getFirst();
        // javac's message, without its "location:" line (a JShell wrapper class the cell never sees)
        String message = d.getMessage(Locale.ROOT).lines().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("location:")).collect(Collectors.joining("; "));
        String where = s.source().lines().skip(Math.max(0, lineOf(s.source(), d.getStartPosition()) - 1)).findFirst().orElse("").strip();
        return new CellError("CompileError", message + (where.isEmpty() ? "" : " (in: " + where + ")"), null);
    }

    private static int lineOf(String source, long position) {
        if (position < 0) return 1;
        int line = 1;
        for (int i = 0; i < Math.min(position, source.length()); i++) if (source.charAt(i) == '\n') line++;
        return line;
    }

    private static CellError runtimeError(JShellException e) {
        if (e instanceof UnresolvedReferenceException u) {
            return new CellError("CompileError", "uses something not defined yet: " + u.getSnippet().source().strip(), null);
        }
        EvalException ex = (EvalException) e;
        String name = ex.getExceptionClassName();
        String simple = name.substring(name.lastIndexOf('.') + 1);
        String message = ex.getMessage() == null ? "" : ex.getMessage();
        boolean ours = name.startsWith(JlensException.class.getName());
        String trace = Arrays.stream(ex.getStackTrace()).map(f -> "    at " + f).collect(Collectors.joining("\n"));
        return new CellError(simple, ours || message.isEmpty() ? (message.isEmpty() ? simple : message) : simple + ": " + message,
                trace);
    }

    @Override
    public List<String> formatError(Throwable e) {
        List<String> lines = new ArrayList<>();
        if (e instanceof CellError c) {
            lines.add(c.getMessage());
            if (Notebook.stackTraces() && c.detail() != null) lines.addAll(c.detail().lines().toList());
        } else {
            lines.add(String.valueOf(e));
        }
        return lines;
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        return null;
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int[] anchor = new int[1];
        List<String> options = shell.sourceCodeAnalysis().completionSuggestions(code, at, anchor).stream()
                .map(SourceCodeAnalysis.Suggestion::continuation).distinct().toList();
        return options.isEmpty() ? null : new ReplacementOptions(options, anchor[0], at);
    }

    @Override
    public String isComplete(String code) {
        SourceCodeAnalysis.Completeness c = shell.sourceCodeAnalysis().analyzeCompletion(code).completeness();
        if (c == SourceCodeAnalysis.Completeness.DEFINITELY_INCOMPLETE) return IS_COMPLETE_MAYBE;
        if (c == SourceCodeAnalysis.Completeness.UNKNOWN) return IS_COMPLETE_BAD;
        return IS_COMPLETE_YES;
    }

    /**
     * Stops the running cell: JShell stops the cell's code at its next loop turn and interrupts its thread. JShell
     * ignores a stop while it compiles, so the stop is repeated until the cell has ended.
     */
    @Override
    public void interrupt() {
        interrupted = true;
        long cell = cells;
        Thread.ofPlatform().daemon().name("jlens-kernel-interrupt").start(() -> {
            while (running && cells == cell) {
                shell.stop();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    /** Throws the interrupted cell's error once the kernel has been interrupted (for jobs that report progress). */
    void stopIfInterrupted() {
        if (interrupted) throw interruptedError();
    }

    private static CellError interruptedError() {
        return new CellError("Interrupted", "the cell was interrupted", null);
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        shell.close();
    }
}
