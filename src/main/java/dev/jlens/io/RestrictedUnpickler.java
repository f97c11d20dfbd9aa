package dev.jlens.io;

import dev.jlens.util.Text;

import dev.jlens.JlensException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Python unpickler for the subset of pickle that {@code torch.save} writes, safe for hostile input.
 *
 * <p>Safety: a GLOBAL is refused on sight unless it is one of {@link PickleGlobal}'s pure Java
 * stand-ins, so REDUCE, NEWOBJ and BUILD can only ever apply those. Every length is checked against
 * the bytes that remain and a fixed limit before anything is allocated; the number of values, memo
 * entries and MARK depth are bounded; every opcode consumes at least one byte; and no value is ever
 * traversed recursively. So arbitrary bytes end in a value or in a one-line JlensException, never in
 * another exception, a hang or a crash.
 *
 * <p>Values: None is {@code null}; bool {@link Boolean}; int {@link Long} (or {@link BigInteger}
 * beyond 64 bits); float {@link Double}; str {@link String}; bytes {@code byte[]}; list
 * {@link ArrayList}; tuple {@link Tuple}; dict and OrderedDict {@link LinkedHashMap}; a tensor
 * {@code TorchTensorRef}; a persistent id whatever the {@link PersistentLoader} returns.
 */
public final class RestrictedUnpickler {

    /** Resolves a persistent id (torch: a tuple naming a storage) to a value; may throw JlensException. */
    @FunctionalInterface
    public interface PersistentLoader {
        Object load(Object persistentId);
    }

    /** A Python tuple; may hold nulls. */
    public record Tuple(List<Object> items) {
        static final Tuple EMPTY = new Tuple(List.of());

        public Tuple {
            items = Collections.unmodifiableList(new ArrayList<>(items));
        }

        // Pickles can build cyclic structures; never walk into them.
        @Override
        public String toString() {
            return "tuple of " + items.size();
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    static final int MAX_MARK_DEPTH = 1000;
    /**
     * Every value the pickle creates passes through the stack, so this bounds the memory a pickle can
     * claim. A GPT-2 XL state dict needs about 15,000.
     */
    static final int MAX_VALUES = 1 << 22;
    static final int MAX_MEMO = 1 << 20;
    /** Strings and bytes in a state dict are names; nothing needs more, and a large file could claim gigabytes. */
    static final int MAX_STRING_BYTES = 100 * 1024 * 1024;
    /** LONG4 could declare a 2 GB integer; no torch pickle needs more than a few bytes. */
    static final int MAX_LONG_BYTES = 256;
    static final int MAX_GLOBAL_NAME = 256;
    static final int HIGHEST_PROTOCOL = 5;

    private final String fileName;
    private final String streamName;
    private final MemorySegment in;
    private final PersistentLoader loader;
    private long position;
    private long opcodeStart;
    private int values;

    private final ArrayList<Object> stack = new ArrayList<>();
    private final int[] marks = new int[MAX_MARK_DEPTH];
    private int markDepth;
    private final Map<Long, Object> memo = new HashMap<>();

    /**
     * @param fileName   the file, to start every message with
     * @param streamName where the pickle sits in the file (a zip entry name), or null if the offsets are the file's
     * @param in         the bytes; pickles are read from {@code start} on, one per {@link #load()}
     * @param loader     resolves persistent ids, or null to refuse them
     */
    public RestrictedUnpickler(String fileName, String streamName, MemorySegment in, long start, PersistentLoader loader) {
        this.fileName = fileName;
        this.streamName = streamName;
        this.in = in;
        this.position = start;
        this.loader = loader;
    }

    /** Reads one pickle, up to and including its STOP, and returns its value. */
    public Object load() {
        stack.clear();
        memo.clear();
        markDepth = 0;
        values = 0;
        while (true) {
            opcodeStart = position;
            if (position >= in.byteSize()) {
                throw error("pickle ends without a STOP opcode");
            }
            int opcode = u8();
            try {
                if (opcode == STOP) {
                    return pop();
                }
                execute(opcode);
            } catch (BadPickle e) {
                throw error(e.getMessage());
            }
        }
    }

    /** Where the next {@link #load()} starts: just past the last STOP read. */
    public long position() {
        return position;
    }

    // Opcodes, as named in CPython's pickle.py.
    private static final int MARK = '(', STOP = '.', POP = '0', POP_MARK = '1', DUP = '2', BINFLOAT = 'G',
            BININT = 'J', BININT1 = 'K', BININT2 = 'M', NONE = 'N', BINPERSID = 'Q', REDUCE = 'R',
            BINSTRING = 'T', SHORT_BINSTRING = 'U', BINUNICODE = 'X', APPEND = 'a', BUILD = 'b', GLOBAL = 'c',
            EMPTY_DICT = '}', APPENDS = 'e', BINGET = 'h', LONG_BINGET = 'j', EMPTY_LIST = ']', BINPUT = 'q',
            LONG_BINPUT = 'r', SETITEM = 's', TUPLE = 't', EMPTY_TUPLE = ')', SETITEMS = 'u', BINBYTES = 'B',
            SHORT_BINBYTES = 'C', PROTO = 0x80, NEWOBJ = 0x81, TUPLE1 = 0x85, TUPLE2 = 0x86, TUPLE3 = 0x87,
            NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8a, LONG4 = 0x8b, SHORT_BINUNICODE = 0x8c,
            BINUNICODE8 = 0x8d, BINBYTES8 = 0x8e, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94,
            FRAME = 0x95;

    private void execute(int opcode) {
        switch (opcode) {
            case PROTO -> {
                int version = u8();
                if (version > HIGHEST_PROTOCOL) {
                    throw new BadPickle("pickle protocol " + version + " is newer than " + HIGHEST_PROTOCOL);
                }
            }
            case FRAME -> take(8); // frames only help buffered readers; the data is all mapped
            case MARK -> {
                if (markDepth == MAX_MARK_DEPTH) {
                    throw new BadPickle("more than " + MAX_MARK_DEPTH + " nested MARKs");
                }
                marks[markDepth++] = stack.size();
            }
            case POP -> {
                if (stack.size() > stackBase()) {
                    stack.removeLast();
                } else {
                    popMark();
                }
            }
            case POP_MARK -> popMark();
            case DUP -> push(peek());
            case NONE -> push(null);
            case NEWTRUE -> push(Boolean.TRUE);
            case NEWFALSE -> push(Boolean.FALSE);
            case BININT -> push((long) in.get(Elements.I32, take(4)));
            case BININT1 -> push((long) u8());
            case BININT2 -> push((long) (in.get(Elements.I16, take(2)) & 0xFFFF));
            case LONG1 -> push(littleEndianInt(u8()));
            case LONG4 -> push(littleEndianInt(length(in.get(Elements.I32, take(4)), MAX_LONG_BYTES)));
            case BINFLOAT -> push(in.get(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), take(8)));
            case BINUNICODE -> push(utf8(u32()));
            case SHORT_BINUNICODE -> push(utf8(u8()));
            case BINUNICODE8 -> push(utf8(in.get(Elements.I64, take(8))));
            // Python 2 str; torch.load decodes these as UTF-8.
            case BINSTRING -> push(utf8(in.get(Elements.I32, take(4))));
            case SHORT_BINSTRING -> push(utf8(u8()));
            case BINBYTES -> push(bytes(u32()));
            case SHORT_BINBYTES -> push(bytes(u8()));
            case BINBYTES8 -> push(bytes(in.get(Elements.I64, take(8))));
            case EMPTY_TUPLE -> push(Tuple.EMPTY);
            case TUPLE -> push(new Tuple(popMark()));
            case TUPLE1, TUPLE2, TUPLE3 -> push(new Tuple(popN(opcode - TUPLE1 + 1)));
            case EMPTY_LIST -> push(new ArrayList<>());
            case EMPTY_DICT -> push(new LinkedHashMap<>());
            case APPEND -> {
                Object value = pop();
                list(peek()).add(value);
            }
            case APPENDS -> {
                List<Object> values = popMark();
                list(peek()).addAll(values);
            }
            case SETITEM -> {
                Object value = pop();
                Object key = pop();
                dict(peek()).put(key(key), value);
            }
            case SETITEMS -> {
                List<Object> items = popMark();
                if (items.size() % 2 != 0) {
                    throw new BadPickle("SETITEMS with an odd number of items");
                }
                Map<Object, Object> dict = dict(peek());
                for (int i = 0; i < items.size(); i += 2) {
                    dict.put(key(items.get(i)), items.get(i + 1));
                }
            }
            case BINPUT -> memoize(u8());
            case LONG_BINPUT -> memoize(u32());
            case MEMOIZE -> memoize(memo.size());
            case BINGET -> push(recall(u8()));
            case LONG_BINGET -> push(recall(u32()));
            case GLOBAL -> {
                String module = line();
                String name = line();
                push(whitelisted(module, name));
            }
            case STACK_GLOBAL -> {
                Object name = pop();
                Object module = pop();
                if (!(module instanceof String m) || !(name instanceof String n)) {
                    throw new BadPickle("STACK_GLOBAL needs two strings, got " + typeName(module) + " and " + typeName(name));
                }
                push(whitelisted(m, n));
            }
            case REDUCE -> {
                Object args = pop();
                Object callable = pop();
                push(global(callable, "REDUCE").call(tuple(args, "REDUCE arguments").items()));
            }
            case NEWOBJ -> {
                tuple(pop(), "NEWOBJ arguments");
                push(global(pop(), "NEWOBJ").newInstance());
            }
            case NEWOBJ_EX -> {
                dict(pop());
                tuple(pop(), "NEWOBJ_EX arguments");
                push(global(pop(), "NEWOBJ_EX").newInstance());
            }
            case BUILD -> {
                pop();
                Object target = peek();
                // torch state dicts are OrderedDicts whose BUILD state sets a _metadata attribute jlens does not need.
                if (!(target instanceof LinkedHashMap<?, ?>)) {
                    throw new BadPickle("BUILD on " + typeName(target) + " is not supported");
                }
            }
            case BINPERSID -> {
                Object id = pop();
                if (loader == null) {
                    throw new BadPickle("persistent id where none is expected");
                }
                push(loader.load(id));
            }
            default -> throw new BadPickle(String.format("unsupported pickle opcode 0x%02x%s", opcode,
                    opcode >= 0x21 && opcode < 0x7f ? " ('" + (char) opcode + "')" : ""));
        }
    }

    /** Refuses every global but the whitelist's, before anything could be called. */
    private PickleGlobal whitelisted(String module, String name) {
        return PickleGlobal.lookup(module, name).orElseThrow(() -> new JlensException(Text.oneLine(fileName
                + ": refuses the pickle global '" + shorten(module) + "." + shorten(name) + "' ("
                + PickleGlobal.REFUSAL_REASON + "); nothing from the file was executed")));
    }

    private static String shorten(String s) {
        return s.length() > MAX_GLOBAL_NAME ? s.substring(0, MAX_GLOBAL_NAME) + "..." : s;
    }

    private static PickleGlobal global(Object value, String opcode) {
        if (value instanceof PickleGlobal g) {
            return g;
        }
        throw new BadPickle(opcode + " on " + typeName(value) + ", which is not callable");
    }

    private static Tuple tuple(Object value, String what) {
        if (value instanceof Tuple t) {
            return t;
        }
        throw new BadPickle(what + " must be a tuple, got " + typeName(value));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        if (value instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw new BadPickle("APPEND target is not a list but " + typeName(value));
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object value) {
        if (value instanceof LinkedHashMap<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new BadPickle("expected a dict, got " + typeName(value));
    }

    /** Only scalar keys: their hashCode cannot recurse into a (possibly cyclic) container. */
    private static Object key(Object key) {
        if (key == null || key instanceof String || key instanceof Long || key instanceof BigInteger
                || key instanceof Boolean || key instanceof Double) {
            return key;
        }
        throw new BadPickle("dict key of type " + typeName(key) + " is not supported");
    }

    private void memoize(long index) {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(index)) {
            throw new BadPickle("more than " + MAX_MEMO + " memo entries");
        }
        memo.put(index, peek());
    }

    private Object recall(long index) {
        if (!memo.containsKey(index)) {
            throw new BadPickle("memo entry " + index + " is read before it is written");
        }
        return memo.get(index);
    }

    private int stackBase() {
        return markDepth == 0 ? 0 : marks[markDepth - 1];
    }

    private void push(Object value) {
        if (++values > MAX_VALUES) {
            throw new BadPickle("pickle creates more than " + MAX_VALUES + " values");
        }
        stack.add(value);
    }

    private Object pop() {
        if (stack.size() <= stackBase()) {
            throw new BadPickle("stack underflow");
        }
        return stack.removeLast();
    }

    private Object peek() {
        if (stack.size() <= stackBase()) {
            throw new BadPickle("stack underflow");
        }
        return stack.getLast();
    }

    private List<Object> popN(int n) {
        if (stack.size() - stackBase() < n) {
            throw new BadPickle("stack underflow");
        }
        List<Object> top = stack.subList(stack.size() - n, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    private List<Object> popMark() {
        if (markDepth == 0) {
            throw new BadPickle("no MARK to pop to");
        }
        int base = marks[--markDepth];
        List<Object> top = stack.subList(base, stack.size());
        List<Object> items = new ArrayList<>(top);
        top.clear();
        return items;
    }

    // --- reading bytes; every read is checked against the end of the input first ---

    /** Consumes n bytes and returns the offset where they start. */
    private long take(long n) {
        if (n < 0 || n > in.byteSize() - position) {
            throw new BadPickle("pickle is truncated: needs " + Long.toUnsignedString(n) + " more bytes, "
                    + (in.byteSize() - position) + " remain");
        }
        long start = position;
        position += n;
        return start;
    }

    private int u8() {
        return in.get(ValueLayout.JAVA_BYTE, take(1)) & 0xFF;
    }

    private long u32() {
        return in.get(Elements.I32, take(4)) & 0xFFFFFFFFL;
    }

    private static int length(int declared, int limit) {
        if (declared < 0 || declared > limit) {
            throw new BadPickle("declared length " + declared + " is out of range (0 to " + limit + ")");
        }
        return declared;
    }

    private byte[] bytes(long length) {
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw new BadPickle("declared length " + length + " is negative or above the limit of " + MAX_STRING_BYTES + " bytes");
        }
        return in.asSlice(take(length), length).toArray(ValueLayout.JAVA_BYTE);
    }

    private String utf8(long length) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes(length)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new BadPickle("string is not valid UTF-8");
        }
    }

    /** A GLOBAL operand: bytes up to a newline, bounded in length. */
    private String line() {
        long end = Math.min(in.byteSize(), position + MAX_GLOBAL_NAME + 1);
        for (long p = position; p < end; p++) {
            if (in.get(ValueLayout.JAVA_BYTE, p) == '\n') {
                String text = utf8(p - position);
                position++;
                return text;
            }
        }
        throw new BadPickle("GLOBAL name is not terminated by a newline within " + MAX_GLOBAL_NAME + " bytes");
    }

    /** Two's-complement little-endian integer of n bytes, as pickle's LONG1/LONG4 store it. */
    private Object littleEndianInt(int n) {
        byte[] le = bytes(n);
        if (n == 0) {
            return 0L;
        }
        byte[] be = new byte[n];
        for (int i = 0; i < n; i++) {
            be[i] = le[n - 1 - i];
        }
        BigInteger value = new BigInteger(be);
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    private JlensException error(String problem) {
        String where = " at byte " + opcodeStart + (streamName == null ? "" : " of " + streamName);
        return new JlensException(Text.oneLine(fileName + ": " + problem + where));
    }

    /** A Python-ish type name for messages; never looks inside a value. */
    static String typeName(Object value) {
        return switch (value) {
            case null -> "None";
            case Boolean _ -> "bool";
            case Long _ -> "int";
            case BigInteger _ -> "int";
            case Double _ -> "float";
            case String _ -> "str";
            case byte[] _ -> "bytes";
            case Tuple _ -> "tuple";
            case ArrayList<?> _ -> "list";
            case LinkedHashMap<?, ?> _ -> "dict";
            case PickleGlobal g -> g.qualifiedName();
            case TorchTensorRef _ -> "tensor";
            case TorchStorageRef _ -> "storage";
            default -> value.getClass().getSimpleName();
        };
    }
}
