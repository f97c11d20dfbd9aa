package dev.jlens.testing;

import dev.jlens.JlensException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs fuzz tries on one worker thread with a time limit, so that a hang becomes a failure: each try must end,
 * either normally or with a {@link JlensException} whose message is one line; any other exception or error
 * (a stack overflow, an out-of-memory error, an index out of bounds) fails the property. Also generates JSON
 * documents by mutating a valid one's tree, which gets past the parser to the checks behind it.
 */
public final class Fuzz implements AutoCloseable {
    private final ExecutorService runner = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("fuzz").factory());
    private final Duration limit;

    public Fuzz(Duration limit) {
        this.limit = limit;
    }

    /** Runs {@code action}; it must end within the limit, normally or with a one-line JlensException. */
    public void survives(Runnable action) {
        Future<?> run = runner.submit(() -> {
            try {
                action.run();
            } catch (JlensException e) {
                assertThat(e.getMessage()).as("message of a JlensException").isNotBlank().doesNotContain("\n").doesNotContain("\r");
            }
        });
        try {
            run.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            run.cancel(true);
            throw new AssertionError("still running after " + limit, e);
        } catch (ExecutionException e) {
            throw new AssertionError("failed with " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        runner.shutdownNow();
    }

    // ---- JSON mutations -------------------------------------------------------------------------------------

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** Writes mutated trees however deep (the default writer stops at 500 levels). */
    private static final JsonMapper WRITER = JsonMapper.builder(tools.jackson.core.json.JsonFactory.builder()
            .streamWriteConstraints(tools.jackson.core.StreamWriteConstraints.builder().maxNestingDepth(1_000_000).build()).build()).build();

    /** A copy of {@code original} with 1..3 edits: a value replaced by one of another type or an odd one, a field removed or added. */
    public static JsonNode mutateTree(Random r, JsonNode original, List<String> fieldNames) {
        JsonNode root = original.deepCopy();
        int edits = 1 + r.nextInt(3);
        for (int e = 0; e < edits; e++) {
            List<JsonNode> containers = new ArrayList<>();
            collectContainers(root, containers);
            JsonNode target = containers.get(r.nextInt(containers.size()));
            if (target instanceof ObjectNode o) {
                List<String> names = new ArrayList<>(o.propertyNames());
                switch (r.nextInt(4)) {
                    case 0 -> { if (!names.isEmpty()) o.remove(names.get(r.nextInt(names.size()))); }
                    case 1 -> o.set(RandomCases.oneOf(r, fieldNames), oddValue(r, 0));
                    default -> { if (!names.isEmpty()) o.set(names.get(r.nextInt(names.size())), oddValue(r, 0)); }
                }
            } else if (target instanceof ArrayNode a) {
                switch (r.nextInt(4)) {
                    case 0 -> { if (!a.isEmpty()) a.remove(r.nextInt(a.size())); }
                    case 1 -> a.add(oddValue(r, 0));
                    case 2 -> { if (!a.isEmpty()) a.add(a.get(r.nextInt(a.size())).deepCopy()); }
                    default -> { if (!a.isEmpty()) a.set(r.nextInt(a.size()), oddValue(r, 0)); }
                }
            }
        }
        return root;
    }

    private static void collectContainers(JsonNode n, List<JsonNode> out) {
        if (n.isObject() || n.isArray()) {
            out.add(n);
            for (JsonNode child : n.values()) collectContainers(child, out);
        }
    }

    /** A value of any JSON type, often an edge case: empty, negative, huge, fractional, a lone surrogate, deep. */
    public static JsonNode oddValue(Random r, int depth) {
        return switch (r.nextInt(depth > 3 ? 12 : 15)) {
            case 0 -> F.nullNode();
            case 1 -> F.booleanNode(r.nextBoolean());
            case 2 -> F.numberNode(RandomCases.oneOf(r, List.of(0L, -1L, 1L, 2L, 3L, 7L, 64L, 1024L, 50257L, 4_194_303L, 4_194_304L, Integer.MAX_VALUE - 1L, Integer.MAX_VALUE + 1L, Long.MIN_VALUE, Long.MAX_VALUE)));
            case 3 -> F.numberNode(RandomCases.oneOf(r, List.of(0.5, -0.0, 1e-5, 1e300, -1e300, 64.0, 1e-320)));
            case 4 -> F.numberNode(new java.math.BigInteger("123456789012345678901234567890"));
            case 5 -> F.stringNode("");
            case 6 -> F.stringNode(RandomCases.oneOf(r, List.of(" x", "x", " Mary", " John", "\ud800", "a\udc00b", "\u0000", "<|endoftext|>",
                    "resid_pre", "attn_head_out_all_pos", "gpt2", "gelu_new", "gelu", "\n", "hello world")));
            case 7 -> F.stringNode(RandomCases.anyChars(r, 20));
            case 8 -> F.stringNode(RandomCases.ascii(r, 30));
            case 9 -> F.stringNode("word ".repeat(r.nextInt(3000)));
            case 10 -> F.arrayNode();
            case 11 -> F.objectNode();
            case 12 -> {
                ArrayNode a = F.arrayNode();
                int n = r.nextInt(4);
                for (int i = 0; i < n; i++) a.add(oddValue(r, depth + 1));
                yield a;
            }
            case 13 -> {
                ObjectNode o = F.objectNode();
                o.set(RandomCases.ascii(r, 5), oddValue(r, depth + 1));
                yield o;
            }
            default -> {
                JsonNode deep = F.stringNode("x");
                int levels = r.nextInt(490);   // Jackson writes at most 500 levels; deeper is added as text
                for (int i = 0; i < levels; i++) deep = F.arrayNode().add(deep);
                yield deep;
            }
        };
    }

    /** A mutated tree as text; now and then with a byte-level mutation on top (which mostly breaks the syntax). */
    public static String mutatedJsonText(Random r, JsonNode original, List<String> fieldNames) {
        String text = WRITER.writeValueAsString(mutateTree(r, original, fieldNames));
        int colon = text.indexOf(':', r.nextInt(Math.max(1, text.length())));
        if (r.nextInt(10) == 0 && colon >= 0) {
            // a value nested deeper than any parser here accepts (and deeper than Jackson writes)
            int levels = 500 + r.nextInt(100_000);
            text = text.substring(0, colon + 1) + "[".repeat(levels) + "]".repeat(levels) + text.substring(colon + 1).replaceFirst("^[^,}\\]]*", "");
        }
        if (r.nextInt(5) == 0) {
            text = new String(RandomCases.mutate(r, text.getBytes(java.nio.charset.StandardCharsets.UTF_8)), java.nio.charset.StandardCharsets.UTF_8);
        }
        return text;
    }
}
