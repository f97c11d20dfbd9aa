package dev.jlens.cli;

import dev.jlens.Fixtures;
import dev.jlens.testing.NamedPipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/bad-inputs.md, the rows about models: names, folders, config.json, weights files, pickles and tokenizer
 * files. Each test runs the command line on one broken input and checks the one-line answer (see {@link Refused}).
 */
class BadModelInputsTest {
    @TempDir
    Path dir;

    /** Loads the model (the cheapest command that needs the weights). */
    private static CliRunner.Result load(Path model) {
        return Refused.run("generate", "--model", model.toString(), "--prompt", "x", "--max-new-tokens", "1", "--greedy");
    }

    /** Loads only the tokenizer. */
    private static CliRunner.Result tokenize(Path model) {
        return Refused.run("tokenize", "--model", model.toString(), "--", "hello");
    }

    // ---- model names and folders --------------------------------------------------------------------------------

    @Test
    void emptyModelName() {
        assertThat(Refused.run("generate", "--model", "", "--prompt", "x", "--max-new-tokens", "1").err())
                .isEqualTo("jlens: --model is empty; give a model name (e.g. gpt2-small) or a folder\n");
    }

    @Test
    void invalidRepoId() {
        assertThat(Refused.run("download", "acme/gpt2/extra").err()).contains("'acme/gpt2/extra' is not a valid Hugging Face repo id");
    }

    @Test
    void invalidRevision() {
        assertThat(Refused.run("download", "gpt2", "--revision", "../../etc").err()).contains("'../../etc' is not a valid revision");
    }

    @Test
    void hubEndpointThatIsNotAUrl() {
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("HF_ENDPOINT", "not a url");
        env.remove("HF_HUB_OFFLINE");
        assertThat(Refused.runWithEnv(env, "download", "gpt2").err()).isEqualTo("jlens: HF_ENDPOINT 'not a url' is not a URL\n");
    }

    @Test
    void hubCacheThatIsAFile() {
        java.util.Map<String, String> env = new java.util.HashMap<>(System.getenv());
        env.put("HF_HUB_CACHE", Fixtures.modelDir("a").resolve("config.json").toString());
        env.put("HF_HUB_OFFLINE", "1");
        assertThat(Refused.runWithEnv(env, "tokenize", "--model", "gpt2", "x").err())
                .contains("HF_HUB_OFFLINE is set and openai-community/gpt2@main is not in the Hugging Face cache at " + env.get("HF_HUB_CACHE"));
    }

    @Test
    void modelPathThatIsAFile() {
        Path file = Fixtures.modelDir("a").resolve("config.json");
        assertThat(load(file).err()).contains(file.toString()).contains("is a file, not a folder");
    }

    @Test
    void folderWithoutConfigJson() throws IOException {
        Path model = ModelFolders.copyOfA(dir);
        Files.delete(model.resolve("config.json"));
        assertThat(load(model).err()).isEqualTo("jlens: model folder " + model + " has no config.json\n");
    }

    @Test
    void configJsonThatIsAFolder() throws Exception {
        Path model = withReplaced("config.json", Files::createDirectory);
        assertThat(load(model).err()).isEqualTo("jlens: " + model.resolve("config.json") + " is a folder, not a config file\n");
    }

    @Test
    void configJsonThatIsADanglingLink() throws Exception {
        Path model = withReplaced("config.json", p -> Files.createSymbolicLink(p, Path.of("../gone/config.json")));
        assertThat(load(model).err())
                .isEqualTo("jlens: " + model.resolve("config.json") + " is a symbolic link to ../gone/config.json, which does not exist\n");
    }

    // ---- the weights file: a name that is there, but not a file -----------------------------------------------------

    /**
     * Loads the folder with its {@code model.safetensors} replaced by what {@code make} puts at that name; returns the
     * answer after "jlens: M/model.safetensors".
     */
    private String weightsNameRefused(IOConsumer<Path> make) throws Exception {
        Path weights = withReplaced("model.safetensors", make).resolve("model.safetensors");
        String err = load(weights.getParent()).err();
        assertThat(err).startsWith("jlens: " + weights);
        return err.substring(("jlens: " + weights).length());
    }

    private interface IOConsumer<T> {
        void accept(T t) throws Exception;
    }

    /** A copy of fixture A whose file {@code name} is replaced by what {@code make} puts at its path. */
    private Path withReplaced(String name, IOConsumer<Path> make) throws Exception {
        Path model = ModelFolders.copyOfA(dir);
        Files.delete(model.resolve(name));
        make.accept(model.resolve(name));
        return model;
    }

    @Test
    void weightsFileThatIsAFolder() throws Exception {
        assertThat(weightsNameRefused(Files::createDirectory)).isEqualTo(" is a folder, not a weights file\n");
    }

    /** As a Hugging Face cache snapshot whose blob was deleted. */
    @Test
    void weightsFileThatIsADanglingLink() throws Exception {
        assertThat(weightsNameRefused(p -> Files.createSymbolicLink(p, Path.of("../../blobs/0123abcd"))))
                .isEqualTo(" is a symbolic link to ../../blobs/0123abcd, which does not exist\n");
    }

    @Test
    void weightsFileThatIsALoopOfLinks() throws Exception {
        assertThat(weightsNameRefused(p -> Files.createSymbolicLink(p, p.getFileName())))
                .isEqualTo(" is a symbolic link to model.safetensors, which cannot be followed (a loop of links?)\n");
    }

    @Test
    void weightsFileThatIsANamedPipe() throws Exception {
        assertThat(weightsNameRefused(NamedPipe::make)).isEqualTo(" is a named pipe (FIFO), not a weights file\n");
    }

    @Test
    void weightsFileThatIsADevice() throws Exception {
        assertThat(weightsNameRefused(p -> Files.createSymbolicLink(p, Path.of("/dev/zero")))).isEqualTo(" is a device, not a weights file\n");
    }

    // ---- config.json ----------------------------------------------------------------------------------------------

    private String configError(java.util.function.Consumer<ObjectNode> change) {
        Path model = ModelFolders.withConfig(dir, change);
        String err = load(model).err();
        assertThat(err).startsWith("jlens: " + model.resolve("config.json") + ": ");
        return err;
    }

    @Test
    void configNotJson() {
        Path model = ModelFolders.withConfigText(dir, "{\"n_embd\": 64,");
        assertThat(load(model).err()).contains("config.json: not valid JSON");
    }

    @Test
    void configNotUtf8() {
        Path model = ModelFolders.withFile(dir, "config.json", new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'});
        assertThat(load(model).err()).contains("config.json: not valid UTF-8 text");
    }

    @Test
    void configNotAnObject() {
        assertThat(load(ModelFolders.withConfigText(dir, "[64, 4, 4]")).err()).contains("config.json: not a JSON object");
    }

    @Test
    void configWithDuplicateKeys() {
        assertThat(load(ModelFolders.withConfigText(dir, "{\"n_embd\": 64, \"n_embd\": 128}")).err())
                .contains("not valid JSON").contains("Duplicate").contains("n_embd");
    }

    @Test
    void configNestedTooDeeply() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        assertThat(load(ModelFolders.withConfigText(dir, "{\"task_specific_params\": " + deep + "}")).err())
                .contains("config.json: not valid JSON (Document nesting depth (65) exceeds the maximum allowed (64");
    }

    @Test
    void configLargerThan16MB() throws IOException {
        Path model = ModelFolders.copyOfA(dir);
        try (RandomAccessFile f = new RandomAccessFile(model.resolve("config.json").toFile(), "rw")) {
            f.setLength(17L << 20);   // sparse: nothing is written
        }
        assertThat(load(model).err()).contains("config.json: 17825792 bytes, more than the 16 MB a config.json may have");
    }

    @Test
    void configFieldMissing() {
        assertThat(configError(c -> c.remove("n_head"))).contains("field \"n_head\" is missing");
    }

    @Test
    void configFieldOfTheWrongType() {
        assertThat(configError(c -> c.put("n_embd", "64"))).contains("field \"n_embd\" must be an integer, got \"64\"");
    }

    @Test
    void configSizeThatIsAFraction() {
        assertThat(configError(c -> c.put("n_layer", 4.5))).contains("field \"n_layer\" must be an integer, got 4.5");
    }

    @Test
    void configStringFieldOfTheWrongType() {
        assertThat(configError(c -> c.putObject("model_type").put("a", 1))).contains("field \"model_type\" must be a string, got {\"a\":1}");
    }

    @Test
    void configActivationOfTheWrongType() {
        assertThat(configError(c -> c.putArray("activation_function").add(1))).contains("field \"activation_function\" must be a string, got [1]");
    }

    @Test
    void configBooleanFieldOfTheWrongType() {
        assertThat(configError(c -> c.put("scale_attn_by_inverse_layer_idx", "yes")))
                .contains("field \"scale_attn_by_inverse_layer_idx\" must be true or false, got \"yes\"");
    }

    @Test
    void configAbsurdWidth() {
        assertThat(configError(c -> c.put("n_embd", 1_000_000_000))).contains("field \"n_embd\" = 1000000000 is out of range (1..16384)");
    }

    @Test
    void configIntegerBeyond64Bits() {
        assertThat(configError(c -> c.put("n_layer", new java.math.BigInteger("1000000000000000000000000"))))
                .contains("field \"n_layer\" = 1000000000000000000000000 is out of range (1..512)");
    }

    @Test
    void configZeroLayers() {
        assertThat(configError(c -> c.put("n_layer", 0))).contains("field \"n_layer\" = 0 is out of range (1..512)");
    }

    @Test
    void configNegativeVocabulary() {
        assertThat(configError(c -> c.put("vocab_size", -5))).contains("field \"vocab_size\" = -5 is out of range");
    }

    @Test
    void configHeadsThatDoNotDivideTheWidth() {
        assertThat(configError(c -> c.put("n_head", 3))).contains("n_embd 64 is not divisible by n_head 3");
    }

    @Test
    void configSizesWhoseTensorIsTooLargeForAnArray() {
        assertThat(configError(c -> c.put("n_embd", 16384).put("n_head", 16).put("vocab_size", 4_000_000)))
                .contains("vocab_size x n_embd (the token embedding) = 65536000000 values, more than one tensor can hold");
    }

    @Test
    void configOfAnotherArchitecture() {
        assertThat(configError(c -> c.put("model_type", "mamba"))).contains("model_type is \"mamba\"; jlens runs GPT-2, GPT-NeoX, Llama, Gemma 2 models only");
    }

    @Test
    void configWithAnotherActivation() {
        assertThat(configError(c -> c.put("activation_function", "relu"))).contains("activation_function \"relu\" is not supported");
    }

    @Test
    void configWithLayerIndexScaling() {
        assertThat(configError(c -> c.put("scale_attn_by_inverse_layer_idx", true))).contains("scale_attn_by_inverse_layer_idx=true");
    }

    @Test
    void configEpsilonOutOfRange() {
        assertThat(configError(c -> c.put("layer_norm_epsilon", 0))).contains("layer_norm_epsilon 0.0 must be in (0, 1)");
    }

    @Test
    void configEpsilonThatIsZeroInFloat32() {
        assertThat(configError(c -> c.put("layer_norm_epsilon", 1e-50))).contains("layer_norm_epsilon 1.0E-50 must be in (0, 1) and not round to 0 as a float32");
    }

    // ---- config.json against the weights and the tokenizer --------------------------------------------------------

    @Test
    void configWiderThanTheWeights() {
        Path model = ModelFolders.withConfig(dir, c -> c.put("n_embd", 128));
        // the first tensor read: conversion starts with the largest task, the embedding matrix
        assertThat(load(model).err()).contains("model.safetensors: tensor 'transformer.wte.weight' has shape [50257, 64] but config.json implies [50257, 128]");
    }

    @Test
    void configWithMoreLayersThanTheWeights() {
        Path model = ModelFolders.withConfig(dir, c -> c.put("n_layer", 5));
        assertThat(load(model).err()).contains("tensor 'transformer.h.4.ln_1.weight' is missing (a GPT-2 with 5 layers, as config.json says, needs it)");
    }

    @Test
    void configWithALongerContextThanThePositionEmbedding() {
        Path model = ModelFolders.withConfig(dir, c -> c.put("n_ctx", 4096).put("n_positions", 4096));
        assertThat(load(model).err()).contains("tensor 'wpe.weight' has shape [1024, 64] but config.json implies [>=4096, 64]");
    }

    @Test
    void configWithAnotherVocabularySize() {
        Path model = ModelFolders.withConfig(dir, c -> c.put("vocab_size", 50000));
        assertThat(load(model).err()).contains("tensor 'transformer.wte.weight' has shape [50257, 64] but config.json implies [50000, 64]");
    }

    @Test
    void tokenizerLargerThanTheVocabulary() throws IOException {
        ObjectNode vocab = (ObjectNode) tools.jackson.databind.json.JsonMapper.shared().readTree(Fixtures.modelDir("a").resolve("vocab.json").toFile());
        vocab.put("zzzz", 50257);
        Path model = ModelFolders.withFile(dir, "vocab.json", tools.jackson.databind.json.JsonMapper.shared().writeValueAsBytes(vocab));
        assertThat(load(model).err()).contains("the tokenizer has 50258 tokens but config.json's vocab_size is 50257");
    }

    // ---- weights: safetensors -------------------------------------------------------------------------------------

    private static final String LN = "transformer.h.0.ln_1.weight";

    @Test
    void safetensorsHeaderLengthBeyondTheFile() {
        byte[] bytes = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).put((byte) '{').put((byte) '}').array();
        Path model = ModelFolders.withFile(dir, "model.safetensors", bytes);
        assertThat(load(model).err()).isEqualTo("jlens: model.safetensors: header length 1099511627776 exceeds the file size (10 bytes)\n");
    }

    @Test
    void safetensorsHeaderOverTheLimit() throws IOException {
        Path model = ModelFolders.copyOfA(dir);
        Path weights = model.resolve("model.safetensors");
        Files.delete(weights);
        try (RandomAccessFile f = new RandomAccessFile(weights.toFile(), "rw")) {
            f.setLength(210L << 20);   // sparse
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(200L << 20).array());
        }
        assertThat(load(model).err()).contains("model.safetensors: header length 209715200 exceeds the limit of 104857600 bytes");
    }

    @Test
    void safetensorsHeaderNotUtf8() {
        Path model = ModelFolders.withSafetensorsBytes(dir, new byte[] {'{', (byte) 0xff, '}'}, ByteBuffer.allocate(0));
        assertThat(load(model).err()).isEqualTo("jlens: model.safetensors: header is not valid UTF-8\n");
    }

    @Test
    void safetensorsHeaderOfGarbage() {
        Path model = ModelFolders.withSafetensorsBytes(dir, "{{{{ not json".getBytes(StandardCharsets.UTF_8), ByteBuffer.allocate(0));
        assertThat(load(model).err()).contains("model.safetensors: header is not valid JSON");
    }

    @Test
    void safetensorsHeaderNestedTooDeeply() {
        byte[] header = ("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8], \"x\": " + "[".repeat(100_000)
                + "]".repeat(100_000) + "}}").getBytes(StandardCharsets.UTF_8);
        assertThat(load(ModelFolders.withSafetensorsBytes(dir, header, ByteBuffer.allocate(0))).err())
                .contains("model.safetensors: header is not valid JSON").contains("nesting depth");
    }

    @Test
    void safetensorsOffsetsOutsideTheFile() {
        Path model = ModelFolders.withSafetensors(dir, h -> {
            long end = h.get("transformer.wte.weight").get("data_offsets").get(1).asLong();
            ((ObjectNode) h.get(LN)).putArray("data_offsets").add(end * 10).add(end * 10 + 256);
        }, (h, d) -> {});
        assertThat(load(model).err()).contains("model.safetensors: tensor '" + LN + "': data_offsets").contains("reach past the end of the file");
    }

    @Test
    void safetensorsOverlappingTensors() {
        Path model = ModelFolders.withSafetensors(dir, h -> ((ObjectNode) h.get("transformer.h.0.ln_1.bias")).set("data_offsets", h.get(LN).get("data_offsets").deepCopy()),
                (h0, d) -> {});
        assertThat(load(model).err()).contains("model.safetensors: tensor").contains("overlap those of tensor");
    }

    @Test
    void safetensorsUnknownDtype() {
        Path model = ModelFolders.withSafetensors(dir, h -> ((ObjectNode) h.get(LN)).put("dtype", "F7"), (h, d) -> {});
        assertThat(load(model).err()).contains("model.safetensors: tensor '" + LN + "': unsupported dtype 'F7'");
    }

    @Test
    void safetensorsDtypeThatDisagreesWithTheByteCount() {
        Path model = ModelFolders.withSafetensors(dir, h -> ((ObjectNode) h.get(LN)).put("dtype", "F16"), (h, d) -> {});
        assertThat(load(model).err()).contains("shape [64] of F16 needs 128 bytes but data_offsets").contains("hold 256");
    }

    @Test
    void safetensorsTensorMissing() {
        Path model = ModelFolders.withSafetensors(dir, h -> h.remove("transformer.h.1.mlp.c_fc.bias"), (h, d) -> {});
        assertThat(load(model).err()).contains("model.safetensors: tensor 'transformer.h.1.mlp.c_fc.bias' is missing");
    }

    @Test
    void safetensorsTensorOfTheWrongShape() {
        Path model = ModelFolders.withSafetensors(dir, h -> {
            ObjectNode t = (ObjectNode) h.get("transformer.h.2.attn.c_proj.weight");
            t.putArray("shape").add(32).add(128);
        }, (h, d) -> {});
        assertThat(load(model).err()).contains("tensor 'transformer.h.2.attn.c_proj.weight' has shape [32, 128] but config.json implies [64, 64]");
    }

    @Test
    void safetensorsWithoutAnyGpt2Tensor() {
        Path model = ModelFolders.withSafetensors(dir, h -> {
            h.remove("transformer.wte.weight");
        }, (h, d) -> {});
        assertThat(load(model).err()).contains("no GPT-2 embedding tensor");
    }

    /** NaN and infinite weights are loaded, as TransformerLens (torch) loads them; what they compute is the user's to judge. */
    @Test
    void nanAndInfiniteWeightsAreAccepted() {
        Path model = ModelFolders.withSafetensors(dir, h -> {}, (h, d) -> {
            int ln = ModelFolders.dataStart(h, LN);
            d.putFloat(ln, Float.NaN);
            d.putFloat(ln + 4, Float.POSITIVE_INFINITY);
            d.putFloat(ln + 8, Float.NEGATIVE_INFINITY);
        });
        CliRunner.Result r = CliRunner.run("generate", "--model", model.toString(), "--prompt", "x", "--max-new-tokens", "1", "--greedy");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).isEmpty();
        assertThat(r.out()).startsWith("x");
    }

    // ---- weights: pytorch_model.bin (pickles) ---------------------------------------------------------------------

    @Test
    void pickleCallingAWhitelistedNameThatIsNotCallable() {
        // torch.FloatStorage may be named (as a storage type) but not called: GLOBAL, empty tuple, REDUCE
        Path model = ModelFolders.withPickle(dir, ModelFolders.pickle("ctorch\nFloatStorage\n)R"));
        assertThat(load(model).err()).contains("pytorch_model.bin").contains("torch.FloatStorage cannot be called");
    }

    @Test
    void pickleNamingAForeignGlobalThroughStackGlobal() {
        // protocol 4's STACK_GLOBAL with builtins.eval, then a REDUCE of it: refused when named, nothing runs
        String name = "\u008c\u0008builtins\u008c\u0004eval\u0093";
        Path model = ModelFolders.withPickle(dir, ModelFolders.pickle(name + "\u008c\u000bopen('x','w')\u0085R"));
        assertThat(load(model).err()).contains("pytorch_model.bin: refuses the pickle global 'builtins.eval'")
                .contains("nothing from the file was executed");
        assertThat(Path.of("x")).doesNotExist();
    }

    @Test
    void pickleWithMarksNestedTooDeeply() {
        Path model = ModelFolders.withPickle(dir, ModelFolders.pickle("(".repeat(5000)));
        assertThat(load(model).err()).contains("pytorch_model.bin").contains("more than 1000 nested MARKs");
    }

    @Test
    void pickleOfListsNestedTooDeeplyForRecursion() {
        // 200,000 nested lists: built without recursion, then refused as not a state dict (no stack overflow)
        Path model = ModelFolders.withPickle(dir, ModelFolders.pickle("]".repeat(200_000) + "a".repeat(199_999)));
        assertThat(load(model).err()).contains("pytorch_model.bin").contains("instead of a state dict");
    }

    @Test
    void pickleTruncated() {
        Path model = ModelFolders.withPickle(dir, new byte[] {(byte) 0x80, 2, '}', 'X', 100, 0, 0, 0, 'a'});
        assertThat(load(model).err()).contains("pytorch_model.bin").contains("truncated");
    }

    // ---- tokenizer files ------------------------------------------------------------------------------------------

    @Test
    void noTokenizerFiles() throws IOException {
        Path model = ModelFolders.copyOfA(dir);
        Files.delete(model.resolve("vocab.json"));
        Files.delete(model.resolve("merges.txt"));
        assertThat(tokenize(model).err()).contains(model + ": no tokenizer files: expected vocab.json + merges.txt or tokenizer.json");
    }

    @Test
    void tokenizerFileThatIsANamedPipe() throws Exception {
        Path model = withReplaced("vocab.json", NamedPipe::make);
        assertThat(tokenize(model).err()).isEqualTo("jlens: " + model.resolve("vocab.json") + " is a named pipe (FIFO), not a tokenizer file\n");
    }

    @Test
    void vocabJsonNotJson() {
        Path model = ModelFolders.withFile(dir, "vocab.json", "{\"a\": 1".getBytes(StandardCharsets.UTF_8));
        assertThat(tokenize(model).err()).contains(model.resolve("vocab.json") + ": bad JSON at line");
    }

    @Test
    void vocabJsonNotAnObject() {
        Path model = ModelFolders.withFile(dir, "vocab.json", "[\"a\", \"b\"]".getBytes(StandardCharsets.UTF_8));
        assertThat(tokenize(model).err()).contains(model.resolve("vocab.json") + ": line 1: expected a JSON object of token -> id");
    }

    @Test
    void vocabJsonNestedTooDeeply() {
        Path model = ModelFolders.withFile(dir, "vocab.json", ("{\"a\": " + "[".repeat(100_000)).getBytes(StandardCharsets.UTF_8));
        assertThat(tokenize(model).err()).contains(model.resolve("vocab.json") + ": line 1: token \"a\" has id a list, not an integer");
    }

    @Test
    void vocabJsonWithAHugeId() {
        Path model = ModelFolders.withFile(dir, "vocab.json", "{\"a\": 2147483646}".getBytes(StandardCharsets.UTF_8));
        assertThat(tokenize(model).err()).contains("token \"a\" has id 2147483646, outside 0..4194303");
    }

    @Test
    void tokenizerFileLargerThan256MB() throws IOException {
        Path model = ModelFolders.copyOfA(dir);
        try (RandomAccessFile f = new RandomAccessFile(model.resolve("vocab.json").toFile(), "rw")) {
            f.setLength(300L << 20);   // sparse
        }
        assertThat(tokenize(model).err()).contains("vocab.json: 314572800 bytes, more than the 256 MB a tokenizer file may have");
    }

    @Test
    void mergesTxtWithABadLine() {
        Path model = ModelFolders.withFile(dir, "merges.txt", "#version: 0.2\n\u0120 t\nfoo\n".getBytes(StandardCharsets.UTF_8));
        assertThat(tokenize(model).err()).contains(model.resolve("merges.txt") + ": line 3: expected two tokens separated by one space, found \"foo\"");
    }

    @Test
    void mergesTxtWithATokenOutsideTheVocabulary() {
        Path model = ModelFolders.withFile(dir, "merges.txt", "#version: 0.2\nqq zz\n".getBytes(StandardCharsets.UTF_8));
        assertThat(tokenize(model).err()).contains("merges.txt: line 2: merged token \"qqzz\" of merge \"qq zz\" is not in the vocabulary");
    }

    @Test
    void tokenizerJsonOfAnotherModelType() throws IOException {
        Path model = ModelFolders.copyOfA(dir);
        Files.delete(model.resolve("vocab.json"));
        Files.delete(model.resolve("merges.txt"));
        Files.writeString(model.resolve("tokenizer.json"), "{\"model\": {\"type\": \"WordPiece\", \"vocab\": {}, \"merges\": []}}");
        assertThat(tokenize(model).err()).contains("tokenizer.json: model.type is \"WordPiece\"; only BPE");
    }

    @Test
    void tokenizerJsonNestedTooDeeply() throws IOException {
        Path model = ModelFolders.copyOfA(dir);
        Files.delete(model.resolve("vocab.json"));
        Files.delete(model.resolve("merges.txt"));
        Files.writeString(model.resolve("tokenizer.json"), "{\"decoder\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}");
        assertThat(tokenize(model).err()).contains("tokenizer.json: bad JSON: Document nesting depth (501) exceeds the maximum allowed (500");
    }
}
