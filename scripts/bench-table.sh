#!/usr/bin/env bash
# Reproduces the README's speed table: random-weight GPT-2s of real shapes (made once under $BENCH_DIR), and for each
# shape and prompt length, side by side:
#   - jlens: `jlens bench` (forward_ms, backward_ms = forward + backward to every activation, the resid_pre sweep);
#   - ONNX Runtime: scripts/ort/bench.mjs (onnxruntime-node, installed once under $BENCH_DIR with npm) on an ONNX
#     export of the yardstick's GPT-2 made with Debian's python3-torch (scripts/ort/export.py, checked against
#     PyTorch's logits);
#   - PyTorch eager: scripts/ort/forward_torch.py (forward, and forward + backward) at both thread splits,
#     OPENBLAS_NUM_THREADS=1 with 2 torch threads and OPENBLAS_NUM_THREADS=2 with 1, taking the faster (which one
#     wins depends on the machine), and the yardstick's own patching sweep (scripts/pytorch_gpt2_yardstick.py, a full
#     forward per layer and position) for small at 38 tokens only, at the faster split.
#   scripts/bench-table.sh [small medium large] [-- 38 128 512 1024]
# Prints a Markdown table naming the CPU (`-` where not measured: no python3-torch, no node, or a sweep too long to
# run). Both sides use every core: run it on an otherwise idle machine, and expect other figures on other CPUs.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/jlens-bench}
shapes=(small medium large); lengths=(38 128 512 1024)
if [ $# -gt 0 ]; then
  shapes=(); while [ $# -gt 0 ] && [ "$1" != "--" ]; do shapes+=("$1"); shift; done
  if [ "${1:-}" = "--" ]; then shift; lengths=("$@"); fi
fi
mkdir -p "$dir"
python=/usr/bin/python3
torch=false; "$python" -c 'import torch' 2>/dev/null && torch=true
ort=false
node_dir=$dir/ort-node
if $torch && command -v node >/dev/null && command -v npm >/dev/null; then
  mkdir -p "$node_dir"
  cp "$here/scripts/ort/bench.mjs" "$here/scripts/ort/package.json" "$node_dir/"
  # --ignore-scripts: the CPU runtime ships inside the package; its install script would only fetch CUDA libraries
  [ -d "$node_dir/node_modules/onnxruntime-node" ] || (cd "$node_dir" && npm install --ignore-scripts --no-package-lock \
      --no-audit --no-fund >&2) || true
  [ -d "$node_dir/node_modules/onnxruntime-node" ] && ort=true
fi

# PyTorch with OPENBLAS_NUM_THREADS=$1 and $2 torch threads: script shape positions threads [more arguments]
torch_run() {
  local blas=$1 threads=$2 script=$3 shape=$4 n=$5; shift 5
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$blas" "$python" -u "$script" "$shape" "$n" "$threads" "$@"
}
field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p"; }
json_field() { sed -n "s/.*\"$1\": *\([0-9.]*\).*/\1/p"; }
min() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "") print b; else if (b == "" || a + 0 <= b + 0) print a; else print b }'; }
onnx_model() { [ "$1" = large ] && echo "$dir/gpt2-large-onnx/gpt2-large.onnx" || echo "$dir/gpt2-$1.onnx"; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "Measured on: ${cpu:-an unknown CPU}, $(nproc) cores, $(date +%Y-%m-%d)"
echo
echo "| shape | tokens | jlens forward | ONNX Runtime forward | PyTorch forward | jlens / ORT | jlens / PyTorch | jlens forward + backward | PyTorch forward + backward | jlens \`resid_pre\` sweep | PyTorch sweep |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for shape in "${shapes[@]}"; do
  model="$dir/gpt2-$shape-random"
  [ -f "$model/model.safetensors" ] || "$here/jlens" make-random-model --shape "$shape" \
      --tokenizer-from "$here/src/test/resources/fixtures/tiny-gpt2-a" --out "$model" >/dev/null
  "$here/jlens" bench --model "$model" --tokens 8 --runs 1 --no-sweep >/dev/null  # first load: fills the weights cache
  onnx=$(onnx_model "$shape")
  if $ort && [ ! -f "$onnx" ]; then
    mkdir -p "$(dirname "$onnx")"
    (cd "$here/scripts/ort" && "$python" export.py "$shape" "$onnx" "$node_dir" >&2) || true
  fi
  for n in "${lengths[@]}"; do
    # the sweep's cost grows with layers^2 x tokens^2: measured for small up to 128 tokens, the others at 38
    sweep=(); [ "$n" -gt 128 ] && sweep=(--no-sweep)
    [ "$shape" != small ] && [ "$n" -gt 38 ] && sweep=(--no-sweep)
    line=$("$here/jlens" bench --model "$model" --tokens "$n" "${sweep[@]}" --json | tail -n 1)
    jf=$(json_field forward_ms <<<"$line"); jb=$(json_field backward_ms <<<"$line"); js=$(json_field sweep_resid_pre_s <<<"$line")
    of=; pf=; pb=; ps=; split=
    if $ort && [ -f "$onnx" ]; then of=$(cd "$node_dir" && node bench.mjs "$onnx" "$n" | field forward_ms); fi
    if $torch; then
      for s in "1 2" "2 1"; do
        # shellcheck disable=SC2086
        out=$(cd "$here/scripts/ort" && torch_run $s forward_torch.py "$shape" "$n" --backward 2>/dev/null || true)
        f=$(field forward_ms <<<"$out"); b=$(field backward_ms <<<"$out")
        if [ -n "$f" ] && [ "$(min "$pf" "$f")" = "$f" ]; then pf=$f; split=$s; fi
        pb=$(min "$pb" "$b")
      done
      if [ "$shape" = small ] && [ "$n" = 38 ] && [ -n "$split" ]; then
        # shellcheck disable=SC2086
        ps=$(torch_run $split "$here/scripts/pytorch_gpt2_yardstick.py" "$shape" "$n" 2>/dev/null | field sweep_s || true)
      fi
    fi
    ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }' || echo -; }
    ms() { [ -n "$1" ] && echo "$1 ms" || echo -; }
    s() { [ -n "$1" ] && echo "$1 s" || echo -; }
    echo "| $shape | $n | $(ms "$jf") | $(ms "$of") | $(ms "$pf") | $(ratio "$jf" "$of") | $(ratio "$jf" "$pf") | $(ms "$jb") | $(ms "$pb") | $(s "$js") | $(s "$ps") |"
  done
done
