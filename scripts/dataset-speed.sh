#!/usr/bin/env bash
# The dataset jobs' speed and memory figures of issue 17, on a random-weight GPT-2 of a real shape (made once under
# $BENCH_DIR, as scripts/bench-table.sh does) and a generated text corpus:
#   1. batched forward throughput: `jlens eval` (forward + loss, batches over all cores) in tokens/s, beside the
#      PyTorch yardstick's forward on a batch of the same shape (scripts/ort/forward_torch_batched.py; needs
#      python3-torch, see scripts/pytorch_gpt2_yardstick.py for the thread split);
#   2. activation export against the forward alone: `jlens activations` of every layer's resid_post over the same
#      rows, its tokens/s beside eval's (the issue asks for export within 20% of the forward);
#   3. peak memory flat in the dataset's size: each jlens run's maximum resident set (GNU time) on N and on 10 N rows.
# Each throughput is marginal: (time of 10 N rows - time of N rows) / (9 N rows' tokens), so loading does not count.
#   scripts/dataset-speed.sh [shape] [context] [rows]      (defaults: small 128 32)
# Run it on an otherwise idle machine; figures on a shared or other machine differ.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${BENCH_DIR:-$here/target/jlens-bench}
shape=${1:-small}; ctx=${2:-128}; rows=${3:-32}
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install -y time)" >&2; exit 1; }
mkdir -p "$dir"
# MODEL=folder runs another model instead (a quick check of the script on a test fixture, say)
model=${MODEL:-$dir/gpt2-$shape-random}
[ -n "${MODEL:-}" ] || [ -f "$model/model.safetensors" ] || "$here/jlens" make-random-model --shape "$shape" \
    --tokenizer-from "$here/src/test/resources/fixtures/tiny-gpt2-a" --out "$model" >/dev/null
"$here/jlens" bench --model "$model" --tokens 8 --runs 1 --no-sweep >/dev/null  # first load: fills the weights cache

# A corpus of 10 N rows and more: generated words, one document a line, the same every time.
corpus="$dir/corpus-$ctx-$rows.txt"
[ -f "$corpus" ] || python3 - "$corpus" "$((ctx * rows * 12))" <<'PY'
import random, sys
words = "the of and to in a is that for it as was with be by on not he this are or his from at which but have an they".split()
rng, out, n = random.Random(0), open(sys.argv[1], "w"), int(sys.argv[2])
while n > 0:
    line = " ".join(rng.choice(words) for _ in range(rng.randint(20, 200)))
    out.write(line.capitalize() + ".\n"); n -= len(line.split())
PY

# run LABEL N COMMAND...: seconds and peak resident KB of one run over N rows
run() {
  local label=$1 n=$2; shift 2
  local log="$dir/time-$label-$n.log"
  /usr/bin/time -f '%e %M' -o "$log" "$@" >/dev/null
  echo "$label $n $(cat "$log")"
}
results=$(
  for n in "$rows" "$((10 * rows))"; do
    run eval "$n" "$here/jlens" eval --model "$model" --dataset "$corpus" --context "$ctx" --max-sequences "$n"
    rm -rf "$dir/acts"
    run activations "$n" "$here/jlens" activations --model "$model" --dataset "$corpus" --context "$ctx" \
        --max-tokens "$((n * ctx))" --hooks 'blocks\.[0-9]+\.hook_resid_post' --out "$dir/acts"
  done
)
rm -rf "$dir/acts"
echo "$results" | awk -v ctx="$ctx" -v rows="$rows" '
  { t[$1 " " $2] = $3; m[$1 " " $2] = $4 }
  END {
    big = 10 * rows
    split("eval activations", jobs, " ")
    for (i = 1; i <= 2; i++) {
      j = jobs[i]; dt = t[j " " big] - t[j " " rows]
      tps[j] = dt > 0 ? 9 * rows * ctx / dt : 0
      printf "%-12s %8.0f tokens/s (marginal, %d -> %d rows of %d tokens); peak RSS %d MB at %d rows, %d MB at %d rows\n",
             j, tps[j], rows, big, ctx, m[j " " rows] / 1024, rows, m[j " " big] / 1024, big
    }
    if (tps["eval"] > 0) printf "export / forward: %.2f (1.00 = writing costs nothing; the issue asks for >= 0.80)\n", tps["activations"] / tps["eval"]
  }'
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  for split in "1 2" "2 1"; do
    set -- $split
    (cd "$here/scripts/ort" && env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$1" \
        /usr/bin/python3 -u forward_torch_batched.py "$shape" 4 "$ctx" "$2") | sed "s/\$/  (OPENBLAS_NUM_THREADS=$1, torch threads $2)/"
  done
else
  echo "PyTorch yardstick: not measured (no python3-torch)"
fi
