package dev.jlens.io;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The tiny GPT-2 checkpoints under src/test/resources/fixtures. */
final class Fixtures {

    private Fixtures() {
    }

    static Path safetensorsA() {
        return resource("/fixtures/tiny-gpt2-a/model.safetensors");
    }

    static Path torchB() {
        return resource("/fixtures/tiny-gpt2-b/pytorch_model.bin");
    }

    private static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
