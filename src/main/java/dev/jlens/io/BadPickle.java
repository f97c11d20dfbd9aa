package dev.jlens.io;

/**
 * A problem found while interpreting a pickle. It never leaves the package: the unpickler turns it
 * into a JlensException that names the file and the byte offset.
 */
final class BadPickle extends RuntimeException {
    BadPickle(String message) {
        // No stack trace: these are expected outcomes for malformed input, and fuzzing raises many.
        super(message, null, false, false);
    }
}
