package dev.jlens.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.jlens.JlensException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every way a safetensors header can be wrong gives one line that names the file and the problem. */
class MalformedSafetensorsTest {

    private static final String OK_ENTRY = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("bad.safetensors");
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertRejected(Path file) {
        return assertThatThrownBy(() -> Checkpoint.open(file).close())
                .isExactlyInstanceOf(JlensException.class)
                .hasMessageStartingWith("bad.safetensors: ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("unexpected"));
    }

    private AbstractThrowableAssert<?, ? extends Throwable> assertHeaderRejected(String header, int dataBytes) throws IOException {
        return assertRejected(SafetensorsFiles.write(file(), header, new byte[dataBytes]));
    }

    @Test
    void emptyAndTruncatedFiles() throws IOException {
        Files.write(file(), new byte[0]);
        assertRejected(file()).hasMessage("bad.safetensors: is 0 bytes, too short for a safetensors file (it starts with an 8-byte header length)");
        Files.write(file(), new byte[] {1, 2, 3, 4, 5});
        assertRejected(file()).hasMessageContaining("is 5 bytes, too short");
    }

    @Test
    void headerLengthBeyondTheFile() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        SafetensorsFiles.writeRaw(file(), Long.MAX_VALUE, header, new byte[0]);
        assertRejected(file()).hasMessage("bad.safetensors: header length 9223372036854775807 exceeds the file size (10 bytes)");
        SafetensorsFiles.writeRaw(file(), -1, header, new byte[0]);
        assertRejected(file()).hasMessage("bad.safetensors: header length 18446744073709551615 exceeds the file size (10 bytes)");
        SafetensorsFiles.writeRaw(file(), 3, header, new byte[0]);
        assertRejected(file()).hasMessage("bad.safetensors: header length 3 exceeds the file size (10 bytes)");
    }

    @Test
    void headerLengthTooSmall() throws IOException {
        SafetensorsFiles.writeRaw(file(), 1, "{".getBytes(StandardCharsets.UTF_8), new byte[0]);
        assertRejected(file()).hasMessage("bad.safetensors: header length 1 is too small for a JSON object");
    }

    @Test
    void headerIsNotUtf8() throws IOException {
        SafetensorsFiles.writeRaw(file(), 4, new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}, new byte[0]);
        assertRejected(file()).hasMessage("bad.safetensors: header is not valid UTF-8");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            [1, 2]                                  | header does not start with '{'
            {"a": {"dtype": "F32"                   | header is not valid JSON
            {"a": nope}                             | header is not valid JSON
            {} trailing                             | header is not valid JSON
            {"a": 5}                                | tensor 'a': entry is not a JSON object
            {"a": {"dtype": "F32", "shape": [2]}}   | tensor 'a': entry needs dtype, shape and data_offsets
            {"__metadata__": [1]}                   | header __metadata__ is not a JSON object
            {"__metadata__": {"k": 1}}              | header __metadata__ value of 'k' is not a string
            """)
    void headerIsNotTheRightJson(String header, String problem) throws IOException {
        assertHeaderRejected(header, 8).hasMessageStartingWith("bad.safetensors: " + problem);
    }

    @Test
    void duplicateTensorName() throws IOException {
        assertHeaderRejected("{\"a\":" + OK_ENTRY + ",\"a\":" + OK_ENTRY + "}", 8)
                .hasMessageStartingWith("bad.safetensors: header is not valid JSON: Duplicate Object property \"a\"");
    }

    @Test
    void nestingBeyondTheLimit() throws IOException {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertHeaderRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":" + deep + "}}", 8)
                .hasMessageContaining("header is not valid JSON").hasMessageContaining("nesting depth");
    }

    @Test
    void unknownDtype() throws IOException {
        assertHeaderRejected("{\"w\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2)
                .hasMessage("bad.safetensors: tensor 'w': unsupported dtype 'F8_E4M3' (jlens reads F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL)");
        assertHeaderRejected("{\"w\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,2]}}", 2)
                .hasMessage("bad.safetensors: tensor 'w': dtype is not a string");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            [-2]              | [0,8]     | tensor 'w': shape holds the negative number -2
            [2.5]             | [0,8]     | tensor 'w': shape must hold only integers
            ["2"]             | [0,8]     | tensor 'w': shape must hold only integers
            2                 | [0,8]     | tensor 'w': shape is not an array
            [99999999999999999999] | [0,8] | tensor 'w': shape holds '99999999999999999999', too large
            [2]               | [0,-8]    | tensor 'w': data_offsets holds the negative number -8
            [2]               | [0,4,8]   | tensor 'w': data_offsets must be [begin, end], got 3 numbers
            [2]               | [8,0]     | tensor 'w': data_offsets [8, 0] end before they begin
            [2]               | [8,16]    | tensor 'w': data_offsets [8, 16] reach past the end of the file (data area is 8 bytes)
            [3]               | [0,8]     | tensor 'w': shape [3] of F32 needs 12 bytes but data_offsets [0, 8] hold 8
            [1099511627776,1099511627776] | [0,8] | tensor 'w': shape [1099511627776, 1099511627776] has too many elements
            """)
    void badShapesAndOffsets(String shape, String offsets, String problem) throws IOException {
        assertHeaderRejected("{\"w\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}", 8)
                .hasMessage("bad.safetensors: " + problem);
    }

    @Test
    void overlappingRanges() throws IOException {
        assertHeaderRejected("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12)
                .hasMessage("bad.safetensors: tensor 'b': data_offsets [4, 12] overlap those of tensor 'a' [0, 8]");
    }

    @Test
    void hostileNamesStayOnOneLine() throws IOException {
        assertHeaderRejected("{\"evil\\nname\":{\"dtype\":\"Q\",\"shape\":[],\"data_offsets\":[0,0]}}", 0)
                .hasMessageStartingWith("bad.safetensors: tensor 'evil\\nname': unsupported dtype 'Q'");
    }
}
