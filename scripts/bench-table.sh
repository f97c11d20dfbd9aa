#!/usr/bin/env bash
# Reproduces the README's speed table: random-weight GPT-2s of real shapes (made once under $BENCH_DIR),
# jlens bench for each shape and prompt length, and, where Debian's python3-torch is installed, the
# PyTorch yardstick of ../shared/bench (or $YARDSTICK) on the same shapes.
#   scripts/bench-table.sh [small medium large] [-- 38 128 512 1024]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/jlens-bench}
shapes=(small medium large); lengths=(38 128 512 1024)
if [ $# -gt 0 ]; then
  shapes=(); while [ $# -gt 0 ] && [ "$1" != "--" ]; do shapes+=("$1"); shift; done
  if [ "${1:-}" = "--" ]; then shift; lengths=("$@"); fi
fi
mkdir -p "$dir"
for shape in "${shapes[@]}"; do
  model="$dir/gpt2-$shape-random"
  [ -f "$model/model.safetensors" ] || "$here/jlens" make-random-model --shape "$shape" \
      --tokenizer-from "$here/src/test/resources/fixtures/tiny-gpt2-a" --out "$model" >/dev/null
  for n in "${lengths[@]}"; do
    sweep=(); [ "$n" -gt 128 ] && sweep=(--no-sweep)
    [ "$shape" != small ] && [ "$n" -gt 38 ] && sweep=(--no-sweep)
    printf '%s %s jlens ' "$shape" "$n"; "$here/jlens" bench --model "$model" --tokens "$n" "${sweep[@]}" --json | tail -n 1
  done
done
yardstick=${YARDSTICK:-$here/../shared/bench/pytorch_gpt2_yardstick.py}
if [ -f "$yardstick" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  for shape in "${shapes[@]}"; do
    printf '%s 38 pytorch ' "$shape"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 "$yardstick" "$shape" 38 2 | tr '\n' ' '; echo
  done
fi
