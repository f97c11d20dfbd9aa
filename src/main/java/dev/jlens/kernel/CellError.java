package dev.jlens.kernel;

/**
 * Why a cell failed, as Jupyter shows it: a name (the exception's class, or {@code CompileError}) and one line
 * of message. The stack trace of the cell's exception goes along only when the notebook asked for it. Jupyter
 * names the error after the class of what the kernel throws, hence this class's name.
 */
final class CellError extends RuntimeException {
    private final String errorName;
    private final String detail;

    CellError(String errorName, String message, String detail) {
        super(message, null, false, false);
        this.errorName = errorName;
        this.detail = detail;
    }

    String errorName() {
        return errorName;
    }

    /** The stack trace (or null), shown under the message when stack traces are on. */
    String detail() {
        return detail;
    }
}
