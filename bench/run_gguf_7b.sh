#!/usr/bin/env bash
# Prompt throughput at 512 tokens on 7B-shaped Q8_0 and Q4_K_M GGUF files: outlierscope capturing
# every block's hook_resid_post against llama.cpp's llama-bench (a peer built from source by
# bench/peers/build_llama_cpp.sh, never a dependency), same file, same thread count (2).
#
# The files: bench/peers/hf_llama_to_gguf.py writes the HF checkpoint (bench/run_7b.sh's synth
# model) as a BF16 GGUF, llama-quantize makes Q8_0 and Q4_K_M from it, and the BF16 file is deleted.
# LAYERS=N keeps the first N of the 32 layers (a 7B-shaped model of N layers; every matrix has
# the 7B shape, and the per-layer work is the same).
#
# Each side runs as whole processes, alternately, REPEATS times at 512 tokens and once at 1 token
# (BOS alone); a pass of 511 tokens costs the difference (wall and CPU seconds, user + sys of all
# threads), so loading and mapping the file drop out on both sides. llama-bench runs with
# `-n 0 -r 1 --no-warmup`; its own per-pass figure (avg_ns) is printed too. Ratio = ours / peer
# throughput (>= 0.8 is issue 14's target). llama-bench computes the logits of the last token
# only; ours computes the whole pass the captures need.
#
# usage: bench/run_gguf_7b.sh [HF_MODEL_DIR] [GGUF_DIR]   (defaults /work/synth7b, /work/gguf7b)
# env:   LLAMA_CPP (default /work/llama.cpp), OUTLIERSCOPE_BIN, OUTLIERSCOPE_SHARED, LAYERS
#        (default 32), REPEATS (default 3), TYPES (default "Q8_0 Q4_K_M")
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${OUTLIERSCOPE_BIN:-$here/build/outlierscope}
shared=${OUTLIERSCOPE_SHARED:-$here/../shared}
llama=${LLAMA_CPP:-/work/llama.cpp}
hf=${1:-/work/synth7b}
dir=${2:-/work/gguf7b}
layers=${LAYERS:-32}
repeats=${REPEATS:-3}
types=${TYPES:-Q8_0 Q4_K_M}
threads=2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads OMP_WAIT_POLICY=PASSIVE

for tool in llama-bench llama-quantize; do
  [[ -x $llama/build/bin/$tool ]] || { echo "run_gguf_7b: no $tool in $llama/build/bin (bench/peers/build_llama_cpp.sh)" >&2; exit 2; }
done
[[ -x $bin ]] || { echo "run_gguf_7b: no outlierscope binary at $bin" >&2; exit 2; }
mkdir -p "$dir"
base=$dir/synth7b-${layers}l

bf16=$base-bf16.gguf
for type in $types; do
  [[ -f $base-$type.gguf ]] && continue
  if [[ ! -f $bf16 ]]; then
    /usr/bin/time -f "bf16 gguf: %e s" /usr/bin/python3 "$here/bench/peers/hf_llama_to_gguf.py" --model "$hf" --layers "$layers" \
      --vocab "$shared/testdata/tokenizer/ggml-vocab-llama-spm.gguf" --gguf-py "$llama/gguf-py" --out "$bf16"
  fi
  /usr/bin/time -f "llama-quantize $type: %e s" "$llama/build/bin/llama-quantize" "$bf16" "$base-$type.gguf" "$type" $threads > "$work/quantize.log" 2>&1 ||
    { tail "$work/quantize.log" >&2; exit 1; }
  tail -1 "$work/quantize.log" >&2
done
[[ ${KEEP_BF16:-0} == 1 ]] || rm -f "$bf16"

ids_512="1$(seq -s, 100 610 | sed 's/^/,/')"  # BOS + 511 ids

timed() {  # label, file, tokens, then the command: appends one JSON line with wall and CPU seconds
  local label=$1 file=$2 tokens=$3
  shift 3
  /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" > "$work/out" 2> "$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r wall user sys rss < "$work/t"
  local avg_ns=null
  [[ $label == llama ]] && avg_ns=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["avg_ns"])' "$work/out")
  printf '{"side": "%s", "file": "%s", "tokens": %s, "wall": %s, "cpu": %s, "rss_kib": %s, "avg_ns": %s, "load": %s}\n' \
    "$label" "$file" "$tokens" "$wall" "$(printf %.2f "$(echo "$user + $sys" | bc -l)")" "$rss" "$avg_ns" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$work/runs.jsonl"
}
llama_bench() {  # file, tokens
  timed llama "$1" "$2" "$llama/build/bin/llama-bench" -m "$1" -p "$2" -n 0 -t $threads -r 1 --no-warmup -o json
}
ours() {  # file, ids
  timed ours "$1" "$(tr ',' '\n' <<< "$2" | wc -l)" "$bin" -q run "$1" --ids "$2" --hooks 'blocks.*.hook_resid_post' --out "$work/acts.safetensors"
}

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); $layers layers; $repeats alternate runs per side at 512 tokens"
for type in $types; do
  f=$base-$type.gguf
  llama_bench "$f" 1
  ours "$f" 1
  for _ in $(seq "$repeats"); do
    llama_bench "$f" 512
    ours "$f" "$ids_512"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

/usr/bin/python3 - "$work/runs.jsonl" <<'PYEOF'
import json, os, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
med = lambda side, f, T, key: statistics.median(r[key] for r in runs if (r["side"], r["file"], r["tokens"]) == (side, f, T))
print(f"{'file':>24} {'side':>6} {'pass wall':>10} {'pass cpu':>9} {'tok/s wall':>11} {'tok/s cpu':>10} {'bench tok/s':>12} {'peak RSS':>9}")
for f in dict.fromkeys(r["file"] for r in runs):
    rate = {}
    for side in ("llama", "ours"):
        wall = med(side, f, 512, "wall") - med(side, f, 1, "wall")
        cpu = med(side, f, 512, "cpu") - med(side, f, 1, "cpu")
        bench = f"{511 / (med(side, f, 512, 'avg_ns') / 1e9):.1f}" if side == "llama" else "-"
        rss = max(r["rss_kib"] for r in runs if (r["side"], r["file"]) == (side, f)) / 2**20
        rate[side] = (511 / wall, 511 / cpu)
        print(f"{os.path.basename(f):>24} {side:>6} {wall:>9.2f}s {cpu:>8.2f}s {511 / wall:>11.1f} {511 / cpu:>10.1f} {bench:>12} {rss:>7.2f}Gi")
    print(f"{'':>24} {'ratio':>6} ours / llama.cpp throughput: wall {rate['ours'][0] / rate['llama'][0]:.2f}x, cpu {rate['ours'][1] / rate['llama'][1]:.2f}x")
print("pass = median(512-token process) - median(1-token process); tok/s cpu = 511 tokens per CPU-second (both threads)")
PYEOF
