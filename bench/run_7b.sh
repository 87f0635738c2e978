#!/usr/bin/env bash
# 7B-scale check against the PyTorch peer: synthesise a LLaMA-7B-shaped bf16 checkpoint (random
# weights, real HF layout, ~13.5 GB) if absent, then time `outlierscope run` on it for a 9-token
# and a 1024-token input, capturing every block's residual stream, and the PyTorch 1.13 peer
# (bench/peers/llama7b_peer.py: one decoder layer of the checkpoint run 32 times + lm_head, a
# forward hook per layer copying hook_resid_post to numpy) in the same run.
#
# Ours is timed as a whole process (load, mapping, pass, writing the captures), REPEATS times per
# input; the peer is timed per pass, excluding its load, REPEATS passes in one process that runs
# between our first and our remaining runs. Both report wall and CPU seconds (user + sys, all
# threads): on a shared machine the CPU seconds are the steadier basis. The summary gives medians
# and ratios (peer / ours: > 1 means we are faster). Fails if a run of ours reaches 16 GiB peak RSS.
#
# usage: bench/run_7b.sh [MODEL_DIR]   (default /tmp/outlierscope-llama7b; kept for reuse)
# env:   OUTLIERSCOPE_BIN (default build/outlierscope), OUTLIERSCOPE_SHARED (default ../shared),
#        REPEATS (default 3; LONG_REPEATS for 1024 tokens, default REPEATS), PEER_DTYPE (bf16|f32,
#        default bf16: the peer's faster setting here), INPUTS (default "short long": 9 and 1024
#        tokens), COMPUTE (f32|bf16, default f32: our --compute; bf16 is what the peer computes), LOCK (a file: hold `flock` on it for the
#        whole run, so that no other 7B process shares the RAM), KEEP=0 to delete the model afterwards.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${OUTLIERSCOPE_BIN:-$here/build/outlierscope}
shared=${OUTLIERSCOPE_SHARED:-$here/../shared}
model=${1:-/tmp/outlierscope-llama7b}
repeats=${REPEATS:-3}
long_repeats=${LONG_REPEATS:-$repeats}
peer_dtype=${PEER_DTYPE:-bf16}
compute=${COMPUTE:-f32}
limit_kib=$((16 * 1024 * 1024))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE

[[ -x $bin ]] || { echo "run_7b: no outlierscope binary at $bin (set OUTLIERSCOPE_BIN)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "run_7b: /usr/bin/time is needed for peak RSS" >&2; exit 2; }
if [[ -n ${LOCK:-} ]]; then
  exec 9> "$LOCK"
  flock 9
fi

# synth refuses by itself (exit 2) when the disk cannot hold the model.
if [[ ! -f $model/config.json ]]; then
  echo "== synth llama 7b bf16 -> $model (free: $(df -h --output=avail "$(dirname "$model")" | tail -1))"
  /usr/bin/time -f "synth: %e s wall, %M KiB peak RSS" "$bin" synth --arch llama --preset 7b --dtype bf16 --out "$model"
fi

# A 32000-piece LLaMA SentencePiece vocabulary, so that --text can be tokenised.
vocab=$shared/testdata/tokenizer/ggml-vocab-llama-spm.gguf
[[ -f $model/tokenizer.gguf ]] || cp "$vocab" "$model/tokenizer.gguf"

# 9 tokens with BOS; then 1024 tokens: BOS + 1023 pieces of " the" (one piece each).
short_text="Once upon a time there was a little"
{ printf 'the %.0s' $(seq 1022); printf 'the'; } > "$work/long.txt"

# One whole-process run of ours; appends a JSON line to $work/ours.jsonl.
measure() {  # label, then the run arguments
  local label=$1
  shift
  /usr/bin/time -v "$bin" -q run "$model" "$@" --compute "$compute" --hooks 'blocks.*.hook_resid_post' --out "$work/acts.safetensors" \
    2> "$work/time.txt" > /dev/null || { cat "$work/time.txt" >&2; exit 1; }
  local wall user sys rss tokens
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt" | awk -F: '{s = 0; for (i = 1; i <= NF; i++) s = 60 * s + $i; print s}')
  user=$(sed -n 's/.*User time (seconds): //p' "$work/time.txt")
  sys=$(sed -n 's/.*System time (seconds): //p' "$work/time.txt")
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
  tokens=$(sed -n 's/^\([0-9]*\) tokens, .*/\1/p' "$work/time.txt")
  printf '%-6s %5s tokens  wall %8.2f s  cpu %8.2f s  peak RSS %6.2f GiB  (load %s)\n' "ours" "$tokens" "$wall" \
    "$(echo "$user + $sys" | bc -l)" "$(echo "$rss / 1048576" | bc -l)" "$(cut -d' ' -f1 /proc/loadavg)"
  printf '{"label": "%s", "tokens": %s, "seconds": %s, "cpu_seconds": %s, "peak_rss_kib": %s}\n' \
    "$label" "$tokens" "$wall" "$(printf %.2f "$(echo "$user + $sys" | bc -l)")" "$rss" >> "$work/ours.jsonl"
  if (( rss >= limit_kib )); then
    echo "run_7b: $label peak RSS $rss KiB is not below 16 GiB" >&2
    exit 1
  fi
}

peer() {  # tokens, repeats: one peer process, passes timed after its load
  /usr/bin/python3 "$here/bench/peers/llama7b_peer.py" --model "$model" --tokens "$1" --repeats "$2" \
    --dtype "$peer_dtype" | tee -a "$work/peer.jsonl" | /usr/bin/python3 -c '
import json, sys
for r in map(json.loads, sys.stdin):
    T, wall, cpu = r["tokens"], r["seconds_median"], r["cpu_seconds_median"]
    load, rss, full = r["load_seconds"], r["peak_rss_gib"], r["rss_full_model_gib"]
    print(f"peer   {T:5d} tokens  pass wall {wall:8.2f} s  cpu {cpu:8.2f} s  (median of the passes;"
          f" load {load:.1f} s, peak RSS {rss:.2f} GiB, {full:.2f} GiB with all layers loaded)")'
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); ours --compute $compute, peer dtype $peer_dtype; $repeats runs at 9 tokens, $long_repeats at 1024"
for label in ${INPUTS:-short long}; do
  if [[ $label == short ]]; then tokens=9 n=$repeats; else tokens=1024 n=$long_repeats; fi
  if [[ $label == short ]]; then args=(--text "$short_text"); else args=(--file "$work/long.txt"); fi
  measure "$label" "${args[@]}"
  peer "$tokens" "$n"
  for _ in $(seq 2 "$n"); do measure "$label" "${args[@]}"; done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$work/ours.jsonl" "$work/peer.jsonl" <<'PYEOF'
import json, statistics, sys
ours = [json.loads(l) for l in open(sys.argv[1])]
peer = {r["tokens"]: r for r in map(json.loads, open(sys.argv[2]))}
print(f"{'T':>5} {'ours wall':>10} {'ours cpu':>9} {'peak RSS':>9} {'peer wall':>10} {'peer cpu':>9} {'ratio wall':>11} {'ratio cpu':>10}")
for T in sorted({r["tokens"] for r in ours}):
    runs = [r for r in ours if r["tokens"] == T]
    wall = statistics.median(r["seconds"] for r in runs)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    rss = max(r["peak_rss_kib"] for r in runs) / 2**20
    p = peer[T]
    print(f"{T:>5} {wall:>9.2f}s {cpu:>8.2f}s {rss:>7.2f}Gi {p['seconds_median']:>9.2f}s {p['cpu_seconds_median']:>8.2f}s"
          f" {p['seconds_median'] / wall:>10.2f}x {p['cpu_seconds_median'] / cpu:>9.2f}x")
print("ours: whole process (median of runs); peer: one pass, excluding its load (median of passes); ratio = peer / ours")
PYEOF

[[ ${KEEP:-1} == 0 ]] && rm -rf "$model"
exit 0
