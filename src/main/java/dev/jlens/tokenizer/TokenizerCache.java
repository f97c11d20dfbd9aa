package dev.jlens.tokenizer;

import dev.jlens.io.AtomicFile;
import dev.jlens.io.CacheFiles;
import dev.jlens.io.ContentId;
import dev.jlens.tokenizer.AddedTokens.AddedToken;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A built tokenizer kept on disk, so that a second load reads a few flat arrays instead of parsing a megabyte
 * of JSON and 50,000 merge lines (which, in a JVM that has not compiled its parser yet, took half a second:
 * the longest step of loading a model from the weights cache).
 *
 * <p>One file per content of the source files (their names and sha256s, see {@link ContentId}) and format
 * version, named by a hash of those: files replaced by others, even of the same sizes and times, get another. The file holds only numbers and strings, ends with a CRC-32 of its contents, and is
 * written whole or not at all; one that does not check out is deleted and rebuilt, never trusted.
 */
final class TokenizerCache {
    private static final byte[] MAGIC = "JLENST01".getBytes(StandardCharsets.US_ASCII);
    private static final int FORMAT = 1;
    /** Far above GPT-2's 50257 ids: a count beyond it means a damaged file, not a big vocabulary. */
    private static final int MAX_IDS = 1 << 22;

    private TokenizerCache() {}

    /** The cache file for the content of these tokenizer source files (hashed unless memoized in {@code folder}). */
    static Path fileFor(Path folder, List<Path> sources) throws IOException {
        StringBuilder identity = new StringBuilder("format=").append(FORMAT);
        for (Path source : sources) {
            ContentId content = ContentId.of(source, Optional.of(folder));
            identity.append('\n').append(source.getFileName()).append(' ').append(content.sha256()).append(' ').append(content.size());
        }
        return CacheFiles.named(folder, identity.toString(), "jlt");
    }

    /** Writes the tokenizer's tables; a failure (read-only folder, full disk) only means no cache next time. */
    static void write(Path file, Gpt2Tokenizer.Tables t) {
        try {
            Files.createDirectories(file.getParent());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(4 << 20);
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeInt(t.vocabSize());
            out.writeInt(t.endOfTextId());
            out.writeInt(t.bytesOfId().length);
            for (int id = 0; id < t.bytesOfId().length; id++) {
                String token = t.tokenOfId()[id];
                out.writeBoolean(token != null);
                if (token == null) continue;
                out.writeBoolean(t.specialId()[id]);
                writeBytes(out, token.getBytes(StandardCharsets.UTF_8));
                writeBytes(out, t.bytesOfId()[id]);
            }
            for (int b = 0; b < 256; b++) out.writeInt(t.idOfByte()[b]);
            out.writeInt(t.addedTokens().size());
            for (AddedToken a : t.addedTokens()) {
                writeBytes(out, a.content().getBytes(StandardCharsets.UTF_8));
                out.writeInt(a.id());
                out.writeBoolean(a.special());
            }
            BpeMerges.Table merges = t.merges().table();
            out.writeInt(merges.size());
            out.writeInt(merges.keys().length);
            for (long k : merges.keys()) out.writeLong(k);
            for (long v : merges.values()) out.writeLong(v);
            byte[] payload = bytes.toByteArray();
            CRC32 crc = new CRC32();
            crc.update(payload);
            ByteBuffer buffer = ByteBuffer.allocate(payload.length + Long.BYTES).put(payload).putLong(crc.getValue()).flip();
            AtomicFile.write(file, channel -> {
                while (buffer.hasRemaining()) channel.write(buffer);
            });
            CacheFiles.markUsed(file);
        } catch (IOException | RuntimeException e) {
            // no cache this time; the tokenizer itself is fine
        }
    }

    /** The tables in {@code file}, or empty when it is absent or does not check out (then it is deleted). */
    static Optional<Gpt2Tokenizer.Tables> read(Path file) {
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            byte[] all = Files.readAllBytes(file);
            if (all.length < MAGIC.length + 8 || !java.util.Arrays.equals(all, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) return invalid(file);
            CRC32 crc = new CRC32();
            crc.update(all, 0, all.length - 8);
            ByteBuffer in = ByteBuffer.wrap(all).order(ByteOrder.BIG_ENDIAN);
            if (in.getLong(all.length - 8) != crc.getValue()) return invalid(file);
            in.position(MAGIC.length).limit(all.length - 8);
            int vocabSize = in.getInt(), endOfText = in.getInt(), ids = count(in.getInt(), MAX_IDS);
            String[] tokenOfId = new String[ids];
            byte[][] bytesOfId = new byte[ids][];
            boolean[] specialId = new boolean[ids];
            for (int id = 0; id < ids; id++) {
                if (in.get() == 0) continue;
                specialId[id] = in.get() != 0;
                tokenOfId[id] = new String(readBytes(in), StandardCharsets.UTF_8);
                bytesOfId[id] = readBytes(in);
            }
            int[] idOfByte = new int[256];
            for (int b = 0; b < 256; b++) idOfByte[b] = checkId(in.getInt(), ids);
            int addedCount = count(in.getInt(), ids);
            List<AddedToken> added = new ArrayList<>(addedCount);
            for (int i = 0; i < addedCount; i++) {
                String content = new String(readBytes(in), StandardCharsets.UTF_8);
                added.add(new AddedToken(content, checkId(in.getInt(), ids), in.get() != 0));
            }
            int mergeCount = in.getInt(), capacity = in.getInt();
            if (capacity <= 0 || Integer.bitCount(capacity) != 1 || capacity > 2 * MAX_IDS || mergeCount < 0 || mergeCount > capacity) return invalid(file);
            long[] keys = new long[capacity], values = new long[capacity];
            in.asLongBuffer().get(keys);
            in.position(in.position() + capacity * Long.BYTES);
            in.asLongBuffer().get(values);
            in.position(in.position() + capacity * Long.BYTES);
            if (in.hasRemaining() || endOfText < 0 || endOfText >= ids || vocabSize < 0 || vocabSize > ids) return invalid(file);
            CacheFiles.markUsed(file);
            return Optional.of(new Gpt2Tokenizer.Tables(tokenOfId, vocabSize, bytesOfId, specialId, idOfByte,
                    BpeMerges.of(new BpeMerges.Table(keys, values, mergeCount)), added, endOfText));
        } catch (IOException | RuntimeException e) {
            return invalid(file);
        }
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(ByteBuffer in) {
        byte[] b = new byte[count(in.getInt(), in.remaining())];
        in.get(b);
        return b;
    }

    private static int count(int n, int max) {
        if (n < 0 || n > max) throw new BufferUnderflowException();
        return n;
    }

    private static int checkId(int id, int ids) {
        if (id < 0 || id >= ids) throw new IllegalStateException("id out of range");
        return id;
    }

    private static <T> Optional<T> invalid(Path file) {
        return CacheFiles.discard(file);
    }
}
