package dev.jlens.util;

import dev.jlens.cache.Slice;
import dev.jlens.cache.StackOptions;
import dev.jlens.model.GenerateOptions;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every wither of the option records sets exactly the component it is named for, and nothing else. */
class RecordCopyTest {

    @Test
    void everyWitherOfGenerateOptionsSetsItsOwnComponent() throws Exception {
        checkWithers(GenerateOptions.sampling(10), 9);
    }

    @Test
    void everyWitherOfStackOptionsSetsItsOwnComponent() throws Exception {
        checkWithers(StackOptions.defaults(), 11);
    }

    @Test
    void theRecordsOwnChecksHoldForTheCopy() {
        assertThrows(IllegalArgumentException.class, () -> GenerateOptions.sampling(10).withTopK(0));
        assertThrows(IllegalArgumentException.class, () -> StackOptions.defaults().mode("both"));
    }

    @Test
    void anUnknownComponentIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecordCopy.with(StackOptions.defaults(), "inclMidd", true));
        assertTrue(e.getMessage().contains("inclMidd"), e.getMessage());
    }

    /** Each public one-argument method returning the record: the component of the same name changes, the others stay. */
    private static void checkWithers(Record start, int expectedWithers) throws Exception {
        RecordComponent[] components = start.getClass().getRecordComponents();
        List<String> checked = new ArrayList<>();
        for (Method m : start.getClass().getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || Modifier.isStatic(m.getModifiers()) || m.getReturnType() != start.getClass() || m.getParameterCount() != 1) continue;
            String component = m.getName().startsWith("with") ? Character.toLowerCase(m.getName().charAt(4)) + m.getName().substring(5) : m.getName();
            Object value = another(m.getParameterTypes()[0], valueOf(start, component, components));
            Object copy = m.invoke(start, value);
            for (RecordComponent c : components) {
                Object before = c.getAccessor().invoke(start), after = c.getAccessor().invoke(copy);
                if (c.getName().equals(component)) assertEquals(value, after, m.getName() + " sets " + component);
                else assertEquals(before, after, m.getName() + " keeps " + c.getName());
            }
            checked.add(m.getName());
        }
        assertEquals(expectedWithers, checked.size(), "withers checked: " + checked);
    }

    private static Object valueOf(Record r, String name, RecordComponent[] components) throws Exception {
        for (RecordComponent c : components) if (c.getName().equals(name)) return c.getAccessor().invoke(r);
        throw new AssertionError("no component named " + name + " (a wither named for no component)");
    }

    /** A valid value of {@code type} different from {@code current}. */
    private static Object another(Class<?> type, Object current) {
        Object v;
        if (type == boolean.class || type == Boolean.class) v = !Boolean.TRUE.equals(current);
        else if (type == int.class || type == Integer.class) v = current == null ? 3 : (Integer) current + 7;
        else if (type == long.class) v = (Long) current + 7;
        else if (type == double.class) v = (Double) current + 0.5;
        else if (type == Double.class) v = 0.5;
        else if (type == String.class) v = "attn";
        else if (type == Slice.class) v = Slice.at(-1);
        else throw new AssertionError("no test value for " + type);
        assertTrue(!Objects.equals(v, current), "test value differs");
        return v;
    }
}
