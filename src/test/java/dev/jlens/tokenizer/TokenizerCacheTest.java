package dev.jlens.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The tokenizer cache is read when it checks out, and otherwise deleted and rebuilt from the files. */
class TokenizerCacheTest {
    private static final Path FOLDER = TestFixtures.resource("fixtures/tiny-gpt2-a");
    private static final String TEXT = "Mary is a human. Fido is a dog. Pebbles, naïve café 😀 <|endoftext|>  x";

    @TempDir
    Path cache;

    private Path cacheFile() throws IOException {
        return TokenizerCache.fileFor(cache, List.of(FOLDER.resolve("vocab.json"), FOLDER.resolve("merges.txt")));
    }

    @Test
    void aSecondLoadReadsTheCacheFile() throws IOException {
        Gpt2Tokenizer built = Gpt2Tokenizer.load(FOLDER, Optional.of(cache));
        assertThat(cacheFile()).isRegularFile();
        // the same tables under a different vocabulary size: only a load that reads the file can report it
        Gpt2Tokenizer.Tables t = built.tables();
        TokenizerCache.write(cacheFile(), new Gpt2Tokenizer.Tables(t.tokenOfId(), 12345, t.bytesOfId(), t.specialId(), t.idOfByte(),
                t.merges(), t.addedTokens(), t.endOfTextId()));
        Gpt2Tokenizer reloaded = Gpt2Tokenizer.load(FOLDER, Optional.of(cache));
        assertThat(reloaded.vocabSize()).isEqualTo(12345);
        assertThat(reloaded.encode(TEXT)).containsExactly(built.encode(TEXT));
        assertThat(reloaded.decode(reloaded.encode(TEXT))).isEqualTo(TEXT);
        assertThat(reloaded.idOf("Ġdog")).isEqualTo(built.idOf("Ġdog"));
    }

    @Test
    void aDamagedFileIsDeletedAndRebuilt() throws IOException {
        Gpt2Tokenizer built = Gpt2Tokenizer.load(FOLDER, Optional.of(cache));
        Path file = cacheFile();
        byte[] bytes = Files.readAllBytes(file);
        for (int damage = 0; damage < 3; damage++) {
            byte[] damaged = switch (damage) {
                case 0 -> java.util.Arrays.copyOf(bytes, bytes.length / 2);          // truncated
                case 1 -> flip(bytes, bytes.length / 3);                               // one byte changed
                default -> new byte[0];                                                // empty
            };
            Files.write(file, damaged);
            assertThat(TokenizerCache.read(file)).as("damage %d", damage).isEmpty();
            assertThat(file).as("damage %d", damage).doesNotExist();
            Gpt2Tokenizer again = Gpt2Tokenizer.load(FOLDER, Optional.of(cache));
            assertThat(again.encode(TEXT)).containsExactly(built.encode(TEXT));
            assertThat(again.vocabSize()).isEqualTo(built.vocabSize());
            assertThat(file).as("rewritten after damage %d", damage).isRegularFile();
        }
    }

    @Test
    void theSameFilesElsewhereShareTheCacheFile(@TempDir Path copy) throws IOException {
        for (String name : List.of("vocab.json", "merges.txt")) Files.copy(FOLDER.resolve(name), copy.resolve(name));
        Path mine = cacheFile(), theirs = TokenizerCache.fileFor(cache, List.of(copy.resolve("vocab.json"), copy.resolve("merges.txt")));
        assertThat(theirs).isEqualTo(mine);
    }

    @Test
    void aSourceReplacedByAnotherOfTheSameSizeAndTimeGetsAnotherCacheFile(@TempDir Path copy) throws IOException {
        for (String name : List.of("vocab.json", "merges.txt")) Files.copy(FOLDER.resolve(name), copy.resolve(name));
        List<Path> sources = List.of(copy.resolve("vocab.json"), copy.resolve("merges.txt"));
        Gpt2Tokenizer.load(copy, Optional.of(cache));
        Path before = TokenizerCache.fileFor(cache, sources);
        assertThat(before).isRegularFile();

        // the first two merges swapped: same size, same time, other priorities
        Path merges = copy.resolve("merges.txt");
        java.nio.file.attribute.FileTime mtime = Files.getLastModifiedTime(merges);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(merges));
        java.util.Collections.swap(lines, 1, 2);
        Files.write(merges, String.join("\n", lines).concat("\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.setLastModifiedTime(merges, mtime);
        assertThat(Files.size(merges)).isEqualTo(Files.size(FOLDER.resolve("merges.txt")));

        assertThat(TokenizerCache.fileFor(cache, sources)).isNotEqualTo(before);
        Gpt2Tokenizer reloaded = Gpt2Tokenizer.load(copy, Optional.of(cache)), fresh = Gpt2Tokenizer.load(copy, Optional.empty());
        assertThat(java.util.Arrays.equals(reloaded.tables().merges().table().keys(), fresh.tables().merges().table().keys())).as("the new merges").isTrue();
        assertThat(java.util.Arrays.equals(reloaded.tables().merges().table().values(), fresh.tables().merges().table().values())).as("the new ranks").isTrue();
    }

    private static byte[] flip(byte[] bytes, int at) {
        byte[] out = bytes.clone();
        out[at] ^= 0x5A;
        return out;
    }
}
