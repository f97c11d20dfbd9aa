package dev.jlens.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class that drives Debian's Jupyter (nbconvert, jupyter_client): tagged {@code jupyter}, skipped with one
 * line where Jupyter is missing, required by CI (see {@link ExternalProgram}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("jupyter")
@ExtendWith(ExternalProgram.NeedsJupyter.class)
public @interface JupyterTest {}
