package dev.jlens.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test that reads jlens' output with Debian's python3 and numpy, as a user's script would: tagged {@code numpy},
 * skipped with one line where they are missing, required by CI (see {@link ExternalProgram}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("numpy")
@ExtendWith(ExternalProgram.NeedsNumpy.class)
public @interface NumpyTest {}
