package dev.jlens.kernel;

import jdk.jshell.execution.LocalExecutionControl;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

import java.lang.reflect.Field;
import java.util.Map;

/**
 * JShell's in-process execution engine, keeping the object a variable holds when JShell asks for its value.
 * JShell itself only ever sees values as strings; a notebook needs the object (a figure renders as HTML), and
 * since cells run in the kernel's own JVM, the object is right there.
 */
final class ValueCapturingEngine extends LocalExecutionControl {
    private Object lastValue;

    /** The value of the variable most recently read through {@link jdk.jshell.JShell#varValue}. */
    Object lastValue() {
        return lastValue;
    }

    @Override
    public String varValue(String className, String varName) throws RunException, EngineTerminationException, InternalException {
        try {
            Field field = findClass(className).getDeclaredField(varName);
            field.setAccessible(true);
            lastValue = field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new InternalException(e.toString());
        }
        return super.varValue(className, varName);
    }

    /** Hands JShell this engine (JShell asks a provider for its engine). */
    static final class Provider implements ExecutionControlProvider {
        private final ValueCapturingEngine engine = new ValueCapturingEngine();

        ValueCapturingEngine engine() {
            return engine;
        }

        @Override
        public String name() {
            return "jlens-local";
        }

        @Override
        public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
            return engine;
        }
    }
}
