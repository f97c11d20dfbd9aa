package dev.jlens.cli;

import dev.jlens.Fixtures;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Broken copies of fixture A's model folder, for the bad-input tests. */
final class ModelFolders {
    private static final JsonMapper JSON = JsonMapper.shared();

    private ModelFolders() {}

    /** A copy of fixture A in {@code dir/model}: config and tokenizer files copied, the weights hard-linked (or copied). */
    static Path copyOfA(Path dir) {
        try {
            Path model = Files.createDirectories(dir.resolve("model"));
            Path a = Fixtures.modelDir("a");
            for (String f : new String[] {"config.json", "vocab.json", "merges.txt", "tokenizer_config.json"}) {
                Files.copy(a.resolve(f), model.resolve(f));
            }
            try {
                Files.createLink(model.resolve("model.safetensors"), a.resolve("model.safetensors"));   // no copy where the file system allows
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(a.resolve("model.safetensors"), model.resolve("model.safetensors"));
            }
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fixture A with its config.json changed by {@code change}. */
    static Path withConfig(Path dir, Consumer<ObjectNode> change) {
        try {
            ObjectNode config = (ObjectNode) JSON.readTree(Fixtures.modelDir("a").resolve("config.json").toFile());
            change.accept(config);
            return withConfigText(dir, JSON.writeValueAsString(config));
        } catch (RuntimeException e) {
            throw e;
        }
    }

    static Path withConfigText(Path dir, String text) {
        return withFile(dir, "config.json", text.getBytes(StandardCharsets.UTF_8));
    }

    /** Fixture A with one file replaced (or added). */
    static Path withFile(Path dir, String name, byte[] content) {
        Path model = copyOfA(dir);
        try {
            Files.deleteIfExists(model.resolve(name));
            Files.write(model.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return model;
    }

    /** Fixture A with its weights rewritten: the safetensors header changed by {@code header}, the data by {@code data}. */
    static Path withSafetensors(Path dir, Consumer<ObjectNode> header, java.util.function.BiConsumer<ObjectNode, ByteBuffer> data) {
        try {
            byte[] file = Files.readAllBytes(Fixtures.modelDir("a").resolve("model.safetensors"));
            ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) in.getLong(0);
            ObjectNode h = (ObjectNode) JSON.readTree(new String(file, 8, n, StandardCharsets.UTF_8));
            ByteBuffer body = ByteBuffer.wrap(file, 8 + n, file.length - 8 - n).slice().order(ByteOrder.LITTLE_ENDIAN);
            data.accept(h.deepCopy(), body);
            header.accept(h);
            return withSafetensorsBytes(dir, JSON.writeValueAsString(h).getBytes(StandardCharsets.UTF_8), body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fixture A whose model.safetensors is this header (as given, length-prefixed) and this data. */
    static Path withSafetensorsBytes(Path dir, byte[] header, ByteBuffer data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length).array());
        out.writeBytes(header);
        byte[] d = new byte[data.remaining()];
        data.duplicate().get(d);
        out.writeBytes(d);
        return withFile(dir, "model.safetensors", out.toByteArray());
    }

    /** Where a tensor's bytes start within the data area. */
    static int dataStart(ObjectNode header, String tensor) {
        return header.get(tensor).get("data_offsets").get(0).asInt();
    }

    /** Fixture A whose weights are a pytorch_model.bin (zip, as torch.save writes) holding only this data.pkl. */
    static Path withPickle(Path dir, byte[] pickle) {
        Path model = copyOfA(dir);
        try {
            Files.delete(model.resolve("model.safetensors"));
            ByteArrayOutputStream zip = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(zip)) {
                ZipEntry entry = new ZipEntry("archive/data.pkl");
                entry.setMethod(ZipEntry.STORED);   // torch stores its entries uncompressed
                entry.setSize(pickle.length);
                CRC32 crc = new CRC32();
                crc.update(pickle);
                entry.setCrc(crc.getValue());
                z.putNextEntry(entry);
                z.write(pickle);
                z.closeEntry();
            }
            Files.write(model.resolve("pytorch_model.bin"), zip.toByteArray());
            return model;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A pickle of protocol 2: the header, the given opcodes, STOP. */
    static byte[] pickle(String opcodes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        out.writeBytes(opcodes.getBytes(StandardCharsets.ISO_8859_1));
        out.write('.');
        return out.toByteArray();
    }
}
