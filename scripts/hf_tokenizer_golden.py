"""Expected ids for jlens' tokenizer tests, from Hugging Face's own `tokenizers` library.

Usage: python3 hf_tokenizer_golden.py OUT.json NAME=FOLDER [NAME=FOLDER ...]

Each FOLDER holds a tokenizer.json. For every text of TEXTS (and a seeded random mix) it records
encode(text, add_special_tokens=False) and (=True), decode(ids) with and without special tokens, and
decode([id]) of every id. A NAME ending in "-metaspace" re-reads the folder's tokenizer.json with the
SentencePiece-style normalizer moved into a Metaspace pre-tokenizer (prepend_scheme "first"), as newer
conversions of Llama-style tokenizers write it.
"""
import hashlib
import json
import random
import sys

import tokenizers

TEXTS = [
    "", " ", "  ", "\n", "\r\n", "\t", "Hello world", " Hello world", "Hello world ", "Hello  world",
    "hello\nworld\n\n", "  leading and trailing  ", "When John and Mary went to the shops, John gave the bag to",
    "The quick brown fox jumps over the lazy dog.", "I'm sure you'll see we've done it, they'd said.",
    "DON'T SHOUT, IT'S LOUD", "'s 'S 'ſ", "it'ſ it'S it's K\u212a", "1 12 123 1234 12345 3.14159 1,000,000 -42 0x1F",
    "Numbers: 2024-12-03 and 100%", "café cafe\u0301 naïve Ångström", "e\u0301\u0301!", "ﬁ ﬂ ① ² Ⅻ",
    "日本語のテキストです。", "中文文本测试，很好。", "한국어 텍스트", "Привет, мир!", "Γειά σου κόσμε",
    "مرحبا بالعالم", "नमस्ते दुनिया", "สวัสดีชาวโลก", "🙂 😀😀 👍🏽 👨‍👩‍👧 🇯🇵 🏳️‍🌈",
    "a\u00a0b c\u3000d e\u2028f", "\ufeffBOM", "zero\u200bwidth", "tab\there\tand\nnewline",
    "def f(x):\n    return x ** 2  # square\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}",
    "    four spaces\n        eight spaces", "<html><body class=\"x\">&amp;</body></html>",
    "https://example.com/path?q=1&r=two#frag", "user@example.com", "$ git commit -m \"fix\" && ls -la ~/",
    "<|endoftext|>", "a<|endoftext|>b", "Hello<|endoftext|> world<|endoftext|>", "<|padding|>",
    "<s>", "</s>", "<s> Hello </s>", "Hello <s>world", "<unk>", "<bos>", "<eos>", "<pad>", "<bos>Hello<eos>",
    "<start_of_turn>user\nHi<end_of_turn>", "<mask> <unused0>", "<|begin_of_text|>Hello", "Hi<|end_of_text|>",
    "<|reserved_special_token_0|>", "<0x41> <0xFF>", "▁ ▁▁x ▁hello", "\x00\x01\x1f\x7f", "\u0085x\u180e",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "!!!!!????....,,,,", "ＡＢＣ　全角",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟙𝟚𝟛", "\U0001F600\U000E0001\U0010FFFD", "İstanbul ǅ Σσς ß ẞ",
]


def random_texts(count, seed=20261203):
    pools = ["abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", " ", "  ", "\n", "\t",
             ".,;:!?'\"()[]{}<>-_=+*/\\|@#$%^&~`", "éèàüößçñÅ", "日本中文한국", "😀👍🏽🇯🇵", "▁",
             "<s>", "</s>", "<|endoftext|>", "<bos>", "'s", "'LL", "\u00a0\u3000\u2028", "e\u0301"]
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts = [rng.choice(rng.choice(pools)) if rng.random() < 0.7 else rng.choice(pools)
                 for _ in range(rng.randint(1, 40))]
        out.append("".join(parts))
    return out


def load(name, folder):
    path = folder + "/tokenizer.json"
    if not name.endswith("-metaspace"):
        return tokenizers.Tokenizer.from_file(path), path
    spec = json.load(open(path, encoding="utf-8"))
    spec["normalizer"] = None
    spec["pre_tokenizer"] = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False}
    spec["decoder"] = {"type": "Sequence", "decoders": [
        {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False},
        {"type": "ByteFallback"}, {"type": "Fuse"}]}
    return tokenizers.Tokenizer.from_str(json.dumps(spec)), path


def main():
    out_path = sys.argv[1]
    texts = TEXTS + random_texts(300)
    result = {"about": "Expected ids from Hugging Face tokenizers " + tokenizers.__version__
                       + " (scripts/hf_tokenizer_golden.py)", "tokenizers": {}}
    for arg in sys.argv[2:]:
        name, folder = arg.split("=", 1)
        tok, path = load(name, folder)
        sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
        cases = []
        for text in texts:
            ids = tok.encode(text, add_special_tokens=False).ids
            with_special = tok.encode(text, add_special_tokens=True).ids
            cases.append({"text": text, "ids": ids, "ids_with_special_tokens": with_special,
                          "decoded": tok.decode(ids, skip_special_tokens=False),
                          "decoded_skipping_special": tok.decode(ids, skip_special_tokens=True),
                          "token_strings": [tok.decode([i], skip_special_tokens=False) for i in ids]})
        result["tokenizers"][name] = {"tokenizer_json_sha256": sha, "vocab_size": tok.get_vocab_size(True),
                                      "cases": cases}
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=True, separators=(",", ":"))
        f.write("\n")




# Components alone: `python3 hf_tokenizer_golden.py --components OUT.json` records what Hugging Face's normalizers
# and pre-tokenizers make of a few texts, for the options the real files above do not use.
COMPONENT_TEXTS = ["the-final--countdown", "-a--b-", "Hello  world ", " x", "ＡＢＣ ﬁ Σσς İ", "a1b22c333 ٣٤",
                   "\u00a0 pad \u3000", "e\u0301 ñ", "it'ſ it'S K\u212a", "it'ſx 'ſx 'Sx 'sx", ""]
NORMALIZERS = [{"type": "NFC"}, {"type": "NFD"}, {"type": "NFKC"}, {"type": "NFKD"}, {"type": "Lowercase"},
               {"type": "Strip", "strip_left": True, "strip_right": True},
               {"type": "Strip", "strip_left": False, "strip_right": True},
               {"type": "Replace", "pattern": {"Regex": "\\s+"}, "content": "_"},
               {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "\u2581"},
                                                    {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]}]
PRE_TOKENIZERS = [{"type": "Split", "pattern": {"String": "-"}, "behavior": b, "invert": False}
                  for b in ["Removed", "Isolated", "MergedWithPrevious", "MergedWithNext", "Contiguous"]] + [
    {"type": "Split", "pattern": {"Regex": "\\d+"}, "behavior": "Isolated", "invert": True},
    {"type": "Split", "pattern": {"Regex": "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|"
                                        " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"},
     "behavior": "Isolated", "invert": False},
    {"type": "Digits", "individual_digits": True}, {"type": "Digits", "individual_digits": False},
    {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
    {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "never", "split": False},
    {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
    {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]


def components(out_path):
    base = {"version": "1.0", "model": {"type": "BPE", "vocab": {}, "merges": []}}
    cases = []
    for spec in NORMALIZERS:
        tok = tokenizers.Tokenizer.from_str(json.dumps(dict(base, normalizer=spec)))
        cases.append({"normalizer": spec, "results": [[t, tok.normalizer.normalize_str(t)] for t in COMPONENT_TEXTS]})
    for spec in PRE_TOKENIZERS:
        tok = tokenizers.Tokenizer.from_str(json.dumps(dict(base, pre_tokenizer=spec)))
        cases.append({"pre_tokenizer": spec, "results": [
            [t, [piece for piece, _ in tok.pre_tokenizer.pre_tokenize_str(t)]] for t in COMPONENT_TEXTS]})
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"about": "Hugging Face tokenizers " + tokenizers.__version__ + " normalizers and pre-tokenizers"
                            " (scripts/hf_tokenizer_golden.py --components)", "cases": cases}, f, ensure_ascii=True,
                  indent=0)
        f.write("\n")


if __name__ == "__main__":
    if sys.argv[1] == "--components":
        components(sys.argv[2])
    else:
        main()
