package dev.jlens;

/**
 * A problem with something the user gave jlens (a model folder, a weights file, a prompt, an experiment
 * file, an argument). The message is one line that names the input and says what is wrong with it; the
 * command line prints exactly that line, without a stack trace unless {@code --debug} is given.
 */
public class JlensException extends RuntimeException {
    public JlensException(String message) {
        super(message);
    }

    public JlensException(String message, Throwable cause) {
        super(message, cause);
    }
}
