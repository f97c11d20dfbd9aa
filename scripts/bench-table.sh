#!/usr/bin/env bash
# Reproduces the README's speed table: random-weight GPT-2s of real shapes (made once under $BENCH_DIR),
# `jlens bench` for each shape and prompt length, and, where Debian's python3-torch is installed, the
# PyTorch yardstick scripts/pytorch_gpt2_yardstick.py (or $YARDSTICK) on the same shapes: its forward pass everywhere,
# its patching sweep (a full forward per layer and position) for small at 38 tokens only, since on
# bigger shapes it runs for many minutes.
#   scripts/bench-table.sh [small medium large] [-- 38 128 512 1024]
# Prints one line per cell: shape tokens jlens_forward_ms jlens_sweep_s pytorch_forward_ms pytorch_sweep_s
# ("-" where not measured). Run it on an otherwise idle machine: both sides use every core.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/jlens-bench}
shapes=(small medium large); lengths=(38 128 512 1024)
if [ $# -gt 0 ]; then
  shapes=(); while [ $# -gt 0 ] && [ "$1" != "--" ]; do shapes+=("$1"); shift; done
  if [ "${1:-}" = "--" ]; then shift; lengths=("$@"); fi
fi
yardstick=${YARDSTICK:-$here/scripts/pytorch_gpt2_yardstick.py}
torch=false
if [ -f "$yardstick" ] && /usr/bin/python3 -c 'import torch' 2>/dev/null; then torch=true; fi

# the yardstick at its best settings (see its header), 2 threads; prints "forward_ms" then, unless stopped, "sweep_s"
python_yardstick=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -u "$yardstick")
yardstick() { "${python_yardstick[@]}" "$@" 2; }

# only the yardstick's forward pass: it is stopped once that line is out
yardstick_forward() {
  local out pid; out=$(mktemp)
  # env execs python, so $! is python itself
  "${python_yardstick[@]}" "$@" 2 >"$out" 2>/dev/null & pid=$!
  while kill -0 "$pid" 2>/dev/null && ! grep -q '^forward_ms' "$out"; do sleep 0.5; done
  kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
  sed -n 's/^forward_ms \([0-9.]*\).*/\1/p' "$out"; rm -f "$out"
}

json_field() { sed -n "s/.*\"$1\": *\([0-9.]*\).*/\1/p"; }

mkdir -p "$dir"
echo "shape tokens jlens_forward_ms jlens_sweep_s pytorch_forward_ms pytorch_sweep_s"
for shape in "${shapes[@]}"; do
  model="$dir/gpt2-$shape-random"
  [ -f "$model/model.safetensors" ] || "$here/jlens" make-random-model --shape "$shape" \
      --tokenizer-from "$here/src/test/resources/fixtures/tiny-gpt2-a" --out "$model" >/dev/null
  "$here/jlens" bench --model "$model" --tokens 8 --runs 1 --no-sweep >/dev/null  # first load: fills the weights cache
  for n in "${lengths[@]}"; do
    # the sweep's cost grows with layers^2 x tokens^2: measured for small up to 128 tokens, the others at 38
    sweep=(); [ "$n" -gt 128 ] && sweep=(--no-sweep)
    [ "$shape" != small ] && [ "$n" -gt 38 ] && sweep=(--no-sweep)
    line=$("$here/jlens" bench --model "$model" --tokens "$n" "${sweep[@]}" --json | tail -n 1)
    jf=$(json_field forward_ms <<<"$line"); js=$(json_field sweep_resid_pre_s <<<"$line")
    pf=-; ps=-
    if $torch; then
      if [ "$shape" = small ] && [ "$n" = 38 ]; then
        out=$(yardstick "$shape" "$n")
        pf=$(sed -n 's/^forward_ms \([0-9.]*\).*/\1/p' <<<"$out"); ps=$(sed -n 's/^sweep_s \([0-9.]*\).*/\1/p' <<<"$out")
      else
        pf=$(yardstick_forward "$shape" "$n")
      fi
    fi
    echo "$shape $n ${jf:--} ${js:--} ${pf:--} ${ps:--}"
  done
done
