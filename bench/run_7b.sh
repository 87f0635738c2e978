#!/usr/bin/env bash
# 7B-scale check: synthesise a LLaMA-7B-shaped bf16 checkpoint (random weights, real HF layout,
# ~13.5 GB) and time `outlierscope run` on it for a 9-token and a 1024-token input, capturing
# every block's residual stream. Prints wall time and peak RSS of each run; fails if a run's peak
# RSS reaches 16 GiB (the weights are memory-mapped, so RSS is ~the bf16 weights plus activations).
#
# usage: bench/run_7b.sh [MODEL_DIR]   (default /tmp/outlierscope-llama7b; kept for reuse)
# env:   OUTLIERSCOPE_BIN (default build/outlierscope), OUTLIERSCOPE_SHARED (default ../shared),
#        KEEP=0 to delete the model afterwards.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${OUTLIERSCOPE_BIN:-$here/build/outlierscope}
shared=${OUTLIERSCOPE_SHARED:-$here/../shared}
model=${1:-/tmp/outlierscope-llama7b}
limit_kib=$((16 * 1024 * 1024))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[[ -x $bin ]] || { echo "run_7b: no outlierscope binary at $bin (set OUTLIERSCOPE_BIN)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "run_7b: /usr/bin/time is needed for peak RSS" >&2; exit 2; }

# synth refuses by itself (exit 2) when the disk cannot hold the model.
if [[ ! -f $model/model.safetensors.index.json ]]; then
  echo "== synth llama 7b bf16 -> $model (free: $(df -h --output=avail "$(dirname "$model")" | tail -1))"
  /usr/bin/time -f "synth: %e s wall, %M KiB peak RSS" "$bin" synth --arch llama --preset 7b --dtype bf16 --out "$model"
fi

# A 32000-piece LLaMA SentencePiece vocabulary, so that --text can be tokenised.
vocab=$shared/testdata/tokenizer/ggml-vocab-llama-spm.gguf
[[ -f $model/tokenizer.gguf ]] || cp "$vocab" "$model/tokenizer.gguf"

# 9 tokens with BOS; then 1024 tokens: BOS + 1023 pieces of " the" (one piece each).
short_text="Once upon a time there was a little"
{ printf 'the %.0s' $(seq 1022); printf 'the'; } > "$work/long.txt"

measure() {  # label, then the run arguments
  local label=$1
  shift
  /usr/bin/time -v "$bin" -q run "$model" "$@" --hooks 'blocks.*.hook_resid_post' --out "$work/acts.safetensors" \
    2> "$work/time.txt" > /dev/null || { cat "$work/time.txt" >&2; exit 1; }
  local wall rss tokens
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
  tokens=$(sed -n 's/^\([0-9]*\) tokens, .*/\1/p' "$work/time.txt")
  printf '%-10s %5s tokens  wall %-9s peak RSS %6.2f GiB\n' "$label" "$tokens" "$wall" "$(echo "$rss / 1048576" | bc -l)"
  if (( rss >= limit_kib )); then
    echo "run_7b: $label peak RSS $rss KiB is not below 16 GiB" >&2
    exit 1
  fi
}

measure short --text "$short_text"
measure long --file "$work/long.txt"

[[ ${KEEP:-1} == 0 ]] && rm -rf "$model"
exit 0
