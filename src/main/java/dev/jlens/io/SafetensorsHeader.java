package dev.jlens.io;

import dev.jlens.util.Text;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;

/**
 * The validated header of a safetensors file: an 8-byte little-endian length N, then N bytes of UTF-8
 * JSON mapping each tensor name to its dtype, shape and byte range in the data area that follows, plus
 * an optional string-to-string {@code __metadata__} object. Everything is checked here, before any
 * tensor is read, so that later reads cannot go wrong.
 */
record SafetensorsHeader(long dataStart, SequencedMap<String, Entry> tensors, Map<String, String> metadata) {

    /** One tensor: its info and its bytes [begin, end) relative to the start of the data area. */
    record Entry(TensorInfo info, long begin, long end) implements MappedCheckpoint.Stored {
    }

    static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final String METADATA_KEY = "__metadata__";
    private static final ValueLayout.OfLong U64 = Elements.I64;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(64)
                    .maxNumberLength(100)
                    .maxStringLength((int) MAX_HEADER_BYTES)
                    .maxNameLength((int) MAX_HEADER_BYTES)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    static SafetensorsHeader read(MappedFile file) {
        MemorySegment bytes = file.bytes();
        long fileSize = bytes.byteSize();
        if (fileSize < 8) {
            throw file.error("is " + fileSize + " bytes, too short for a safetensors file (it starts with an 8-byte header length)");
        }
        long headerLength = bytes.get(U64, 0);
        String shownLength = Long.toUnsignedString(headerLength);
        if (headerLength < 0 || headerLength > fileSize - 8) {
            throw file.error("header length " + shownLength + " exceeds the file size (" + fileSize + " bytes)");
        }
        if (headerLength < 2) {
            throw file.error("header length " + shownLength + " is too small for a JSON object");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw file.error("header length " + shownLength + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        byte[] headerBytes = bytes.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
        String json = decodeUtf8(file, headerBytes);
        if (!json.startsWith("{")) {
            throw file.error("header does not start with '{' (not a safetensors file?)");
        }
        long dataStart = 8 + headerLength;
        HeaderParser parser = new HeaderParser(file, fileSize - dataStart);
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
            parser.parse(p);
        } catch (JacksonException e) {
            throw file.error("header is not valid JSON: " + jsonProblem(e));
        }
        checkNoOverlap(file, parser.tensors);
        return new SafetensorsHeader(dataStart, parser.tensors, parser.metadata);
    }

    private static String decodeUtf8(MappedFile file, byte[] headerBytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(headerBytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw file.error("header is not valid UTF-8");
        }
    }

    private static String jsonProblem(JacksonException e) {
        String problem = e.getOriginalMessage();
        TokenStreamLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            problem += " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        }
        return problem;
    }

    private static void checkNoOverlap(MappedFile file, SequencedMap<String, Entry> tensors) {
        List<Entry> byBegin = new ArrayList<>(tensors.values());
        byBegin.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        for (int i = 1; i < byBegin.size(); i++) {
            Entry previous = byBegin.get(i - 1);
            Entry current = byBegin.get(i);
            if (current.begin() < previous.end()) {
                throw file.error("tensor " + Text.quote(current.info().name()) + ": data_offsets "
                        + range(current) + " overlap those of tensor " + Text.quote(previous.info().name())
                        + " " + range(previous));
            }
        }
    }

    private static String range(Entry e) {
        return "[" + e.begin() + ", " + e.end() + "]";
    }

    /** Walks the JSON tokens of the header; the structure is shallow, so no recursion is needed. */
    private static final class HeaderParser {
        private final MappedFile file;
        private final long dataSize;
        final SequencedMap<String, Entry> tensors = new LinkedHashMap<>();
        final Map<String, String> metadata = new LinkedHashMap<>();

        HeaderParser(MappedFile file, long dataSize) {
            this.file = file;
            this.dataSize = dataSize;
        }

        void parse(JsonParser p) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw file.error("header is not a JSON object");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals(METADATA_KEY)) {
                    readMetadata(p);
                } else {
                    tensors.put(name, readTensor(p, name));
                }
            }
            if (p.nextToken() != null) {
                throw file.error("header has content after its JSON object");
            }
        }

        private void readMetadata(JsonParser p) {
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw file.error("header " + METADATA_KEY + " is not a JSON object");
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String key = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw file.error("header " + METADATA_KEY + " value of " + Text.quote(key) + " is not a string");
                }
                metadata.put(key, p.getString());
            }
        }

        private Entry readTensor(JsonParser p, String name) {
            String where = "tensor " + Text.quote(name);
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw file.error(where + ": entry is not a JSON object");
            }
            String dtypeName = null;
            long[] shape = null;
            long[] offsets = null;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "dtype" -> {
                        if (p.currentToken() != JsonToken.VALUE_STRING) {
                            throw file.error(where + ": dtype is not a string");
                        }
                        dtypeName = p.getString();
                    }
                    case "shape" -> shape = readNaturals(p, where, "shape");
                    case "data_offsets" -> offsets = readNaturals(p, where, "data_offsets");
                    // Unknown fields are tolerated, as the reference implementation does.
                    default -> p.skipChildren();
                }
            }
            if (dtypeName == null || shape == null || offsets == null) {
                throw file.error(where + ": entry needs dtype, shape and data_offsets");
            }
            String dtypeShown = dtypeName;
            DType dtype = DType.fromSafetensorsName(dtypeName).orElseThrow(() -> file.error(where
                    + ": unsupported dtype " + Text.quote(dtypeShown) + " (jlens reads F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)"));
            if (offsets.length != 2) {
                throw file.error(where + ": data_offsets must be [begin, end], got " + offsets.length + " numbers");
            }
            long begin = offsets[0];
            long end = offsets[1];
            if (begin > end) {
                throw file.error(where + ": data_offsets [" + begin + ", " + end + "] end before they begin");
            }
            if (end > dataSize) {
                throw file.error(where + ": data_offsets [" + begin + ", " + end + "] reach past the end of the file (data area is "
                        + dataSize + " bytes)");
            }
            long byteCount = byteCount(shape, dtype, where);
            if (byteCount != end - begin) {
                throw file.error(where + ": shape " + Arrays.toString(shape) + " of " + dtype + " needs " + byteCount
                        + " bytes but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
            }
            return new Entry(new TensorInfo(name, dtype, shape), begin, end);
        }

        private long byteCount(long[] shape, DType dtype, String where) {
            try {
                long n = dtype.byteSize();
                for (long dim : shape) {
                    n = Math.multiplyExact(n, dim);
                }
                return n;
            } catch (ArithmeticException e) {
                throw file.error(where + ": shape " + Arrays.toString(shape) + " has too many elements");
            }
        }

        /** An array of integers in [0, 2^63); anything else is an error. */
        private long[] readNaturals(JsonParser p, String where, String field) {
            if (p.currentToken() != JsonToken.START_ARRAY) {
                throw file.error(where + ": " + field + " is not an array");
            }
            List<Long> values = new ArrayList<>();
            JsonToken token;
            while ((token = p.nextToken()) != JsonToken.END_ARRAY) {
                if (token != JsonToken.VALUE_NUMBER_INT) {
                    throw file.error(where + ": " + field + " must hold only integers");
                }
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw file.error(where + ": " + field + " holds " + Text.quote(p.getString()) + ", too large");
                }
                long value = p.getLongValue();
                if (value < 0) {
                    throw file.error(where + ": " + field + " holds the negative number " + value);
                }
                values.add(value);
            }
            return values.stream().mapToLong(Long::longValue).toArray();
        }
    }
}
