package dev.jlens.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes safetensors files byte by byte, valid or not, for tests. */
final class SafetensorsFiles {

    private SafetensorsFiles() {
    }

    /** An 8-byte length that matches {@code header}, the header, then {@code data}. */
    static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        return writeRaw(file, json.length, json, data);
    }

    /** Whatever length, header bytes and data the test wants, in that order. */
    static Path writeRaw(Path file, long headerLength, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header).put(data);
        Files.write(file, b.array());
        return file;
    }
}
