package dev.jlens.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A test class that watches system calls with strace: tagged {@code strace}, skipped with one line where strace is
 * missing, required by CI (see {@link ExternalProgram}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("strace")
@ExtendWith(ExternalProgram.NeedsStrace.class)
public @interface StraceTest {}
