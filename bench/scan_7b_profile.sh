#!/usr/bin/env bash
# Issue 14 item 5: where the time of a 7B `scan` goes. On a LLaMA-7B-shaped bf16 checkpoint (random
# weights, ~13.5 GB, the LLaMA vocabulary beside it): first `scan weights` alone (the weight
# statistics: GB/s against STREAM), then `scan --file wiki.test.raw --max-tokens 512 --max-windows 8
# --ablate-file wiki.test.raw --figures` under `perf record` (CPU samples of every thread, CLOCK_MONOTONIC
# timestamps) with the progress log timestamped on the same clock. bench/scan_phases.py then splits
# the CPU samples by phase (the progress lines mark the phase boundaries; inside the forward sweep the
# weight statistics are told from the forward by symbol). CPU seconds, not wall: the figures hold on
# a shared machine.
#
# usage: bench/scan_7b_profile.sh MODEL_DIR OUT_DIR   (the 7B checkpoint is written to MODEL_DIR if absent)
# env:   OUTLIERSCOPE_BIN (default build/outlierscope), OUTLIERSCOPE_SHARED (default ../shared),
#        WINDOWS (8), TOKENS (512), ABLATE_WINDOWS (16, the scan's default), PERF_HZ (49),
#        SCAN_ARGS: more scan options (random weights have no outliers at the default thresholds,
#        and without an outlier site there is no ablation: e.g. SCAN_ARGS="--act-rule relative --act-k 7")
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${OUTLIERSCOPE_BIN:-$here/build/outlierscope}
shared=${OUTLIERSCOPE_SHARED:-$here/../shared}
model=${1:?usage: bench/scan_7b_profile.sh MODEL_DIR OUT_DIR}
out=${2:?usage: bench/scan_7b_profile.sh MODEL_DIR OUT_DIR}
text=$shared/corpora/wikitext-2-raw/wiki.test.raw
hz=${PERF_HZ:-49}
mkdir -p "$out"

for tool in /usr/bin/time perf python3; do
  command -v "$tool" > /dev/null || { echo "scan_7b_profile: $tool is needed" >&2; exit 2; }
done
[[ -f $text ]] || { echo "scan_7b_profile: $text is missing (OUTLIERSCOPE_SHARED)" >&2; exit 2; }
if [[ ! -f $model/config.json ]]; then
  "$bin" -q synth --arch llama --preset 7b --dtype bf16 --out "$model"
fi
[[ -f $model/tokenizer.gguf ]] || cp "$shared/testdata/tokenizer/ggml-vocab-llama-spm.gguf" "$model/tokenizer.gguf"

stamp() {  # prefixes each line with CLOCK_MONOTONIC seconds (perf record -k CLOCK_MONOTONIC's clock)
  python3 -u -c 'import sys, time
for line in sys.stdin: print(f"{time.monotonic():.3f} {line}", end="", flush=True)'
}

echo "== scan weights (weight statistics alone)"
/usr/bin/time -v "$bin" scan weights "$model" --out "$out/weights" 2> "$out/time-weights.txt" > /dev/null
grep -E "Elapsed|User time|System time|Maximum resident" "$out/time-weights.txt"

echo "== scan, ${WINDOWS:-8} x ${TOKENS:-512} tokens + ablation (${ABLATE_WINDOWS:-16} windows) + figures"
start=$(python3 -c 'import time; print(f"{time.monotonic():.3f}")')
perf record -q -F "$hz" -k CLOCK_MONOTONIC -o "$out/perf.data" -- /usr/bin/time -v "$bin" scan "$model" \
  --file "$text" --max-tokens "${TOKENS:-512}" --max-windows "${WINDOWS:-8}" \
  --ablate-file "$text" --ablate-windows "${ABLATE_WINDOWS:-16}" --figures --out "$out/scan" ${SCAN_ARGS:-} \
  2> >(stamp > "$out/progress.log") > "$out/stdout.txt"
end=$(python3 -c 'import time; print(f"{time.monotonic():.3f}")')
sleep 1
echo "$start start" >> "$out/progress.log"; echo "$end end" >> "$out/progress.log"
perf script -i "$out/perf.data" -F comm,tid,time,ip,sym,dso 2> /dev/null > "$out/samples.txt"
python3 "$here/bench/scan_phases.py" "$out/progress.log" "$out/samples.txt" "$hz"
