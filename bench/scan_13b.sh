#!/usr/bin/env bash
# Past RAM: `scan` of 8 windows x 256 tokens of WikiText on a LLaMA-2-13B-shaped bf16 checkpoint
# (random weights, real HF layout, ~26 GB: more than a 24 GiB machine's memory). The layer-major
# sweep (src/analysis/layer_sweep.h) should read the weights from disk once, keep peak RSS under
# 12 GiB and take about the time of reading the files once plus the compute. Prints, per run: bytes
# read from disk (/usr/bin/time's file-system inputs x 512) against the model's size, peak RSS and
# wall time. The page cache is emptied of the model's files before each run (posix_fadvise
# DONTNEED), so the reads are those of a cold start.
#
# usage: bench/scan_13b.sh MODEL_DIR   (the 13B checkpoint is written there if absent; ~26 GB)
# env:   OUTLIERSCOPE_BIN (default build/outlierscope), OUTLIERSCOPE_SHARED (default ../shared),
#        WINDOW_MAJOR_BIN: a build without the sweep (e.g. before it) to time the same scan window
#        after window, for comparison (slow: every window reads every weight again);
#        PRESET (default 13b; small for a quick try of the script), WINDOWS (default 8), TOKENS (default 256), KEEP=0 to delete the model afterwards.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${OUTLIERSCOPE_BIN:-$here/build/outlierscope}
shared=${OUTLIERSCOPE_SHARED:-$here/../shared}
model=${1:?usage: bench/scan_13b.sh MODEL_DIR}
windows=${WINDOWS:-8}
tokens=${TOKENS:-256}
text=$shared/corpora/wikitext-2-raw/wiki.test.raw
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[[ -x $bin ]] || { echo "scan_13b: no outlierscope binary at $bin (set OUTLIERSCOPE_BIN)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "scan_13b: /usr/bin/time is needed" >&2; exit 2; }
[[ -f $text ]] || { echo "scan_13b: $text is missing (OUTLIERSCOPE_SHARED)" >&2; exit 2; }

# synth refuses by itself (exit 2) when the disk cannot hold the model.
if [[ ! -f $model/config.json ]]; then
  echo "== synth llama ${PRESET:-13b} bf16 -> $model (free: $(df -h --output=avail "$(dirname "$model")" | tail -1))"
  /usr/bin/time -f "synth: %e s wall, %M KiB peak RSS" "$bin" -q synth --arch llama --preset "${PRESET:-13b}" --dtype bf16 --out "$model"
fi
# A 32000-piece LLaMA SentencePiece vocabulary, so that --file can be tokenised.
[[ -f $model/tokenizer.gguf ]] || cp "$shared/testdata/tokenizer/ggml-vocab-llama-spm.gguf" "$model/tokenizer.gguf"
model_bytes=$(du -b -c "$model"/*.safetensors | tail -1 | cut -f1)

evict() {  # drops the model's files from the page cache (clean pages of files this user may read)
  python3 -c 'import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' "$model"/*.safetensors
}

measure() {  # label, binary
  local label=$1 program=$2
  evict
  /usr/bin/time -v "$program" scan "$model" --file "$text" --max-windows "$windows" --max-tokens "$tokens" \
    --out "$work/scan-$label" 2> "$work/time-$label.txt" > /dev/null || { cat "$work/time-$label.txt" >&2; exit 1; }
  local wall rss inputs cpu
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time-$label.txt")
  cpu=$(sed -n 's/.*\(User\|System\) time (seconds): //p' "$work/time-$label.txt" | paste -sd+ | bc)
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time-$label.txt")
  inputs=$(sed -n 's/.*File system inputs: //p' "$work/time-$label.txt")
  printf '%-12s read %6.1f GB = %4.2f x the model (%.1f GB)  peak RSS %5.2f GiB  wall %s  CPU %s s\n' "$label" \
    "$(echo "$inputs * 512 / 10^9" | bc -l)" "$(echo "$inputs * 512 / $model_bytes" | bc -l)" \
    "$(echo "$model_bytes / 10^9" | bc -l)" "$(echo "$rss / 1048576" | bc -l)" "$wall" "$cpu"
}

echo "== scan of $windows windows x $tokens tokens of $(basename "$text"), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM"
measure layer-major "$bin"
[[ -n ${WINDOW_MAJOR_BIN:-} ]] && measure window-major "$WINDOW_MAJOR_BIN"

[[ ${KEEP:-1} == 0 ]] && rm -rf "$model"
exit 0
