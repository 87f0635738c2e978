#!/usr/bin/env bash
# Forward pass with every hook captured: outlierscope (bench/forward_bench.cpp) versus PyTorch 1.13
# with module forward hooks (bench/peers/forward_peer.py), on a GPT-2-124M-shaped f32 model at
# T = 64, 256, 1024, both on 2 threads. Prints tokens/s per side, the ratios, and the engine's
# GFLOP/s against the machine's measured f32 FMA peak (bench/fma_peak.c). CPU seconds (all
# threads) are printed too: on a shared, oversubscribed machine they are the fairer comparison.
#
# The peer runs twice: as installed, and with OPENBLAS_CORETYPE set to the kernels the engine
# selected. Debian's OpenBLAS 0.3.21 (which PyTorch's generic BLAS path also uses) falls back to
# its generic "Prescott" kernels on CPUs it does not know; the engine re-selects at start-up
# (src/kernels/blas_kernels.h), and the tuned peer shows what PyTorch does with the same kernels.
#
# usage: bench/run_forward.sh [BUILD_DIR]   (default: build; needs the forward_bench target and
#        the gpt2 architecture; the model is made once under BUILD_DIR/bench-data/)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
PY=/usr/bin/python3
# Both sides on 2 threads with OMP_WAIT_POLICY=PASSIVE: the peer's best setting (its two pools,
# OpenMP and OpenBLAS's, otherwise spin against each other), and the engine's too on a machine
# that runs anything else (a spinning thread burns the share of the one doing the work).
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
MODEL="$BUILD/bench-data/gpt2-124m-f32"
[ -x "$BUILD/bench/forward_bench" ] || cmake --build "$BUILD" --target forward_bench -j2
if [ ! -f "$MODEL/model.safetensors" ]; then
  echo "making $MODEL (random GPT-2-124M-shaped weights) ..." >&2
  $PY bench/peers/forward_peer.py make --out "$MODEL"
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
gcc -O2 -march=native -fopenmp bench/fma_peak.c -o "$OUT/fma_peak"
PEAK=$(for _ in 1 2 3; do OMP_WAIT_POLICY=ACTIVE "$OUT/fma_peak" 2 | cut -d' ' -f1; done | sort -g | tail -1)
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
OSC_BENCH_MODEL="$MODEL" "$BUILD/bench/forward_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_format=json > "$OUT/engine.json"
KERNELS=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["context"].get("blas_kernels", ""))' "$OUT/engine.json")
$PY bench/peers/forward_peer.py time --model "$MODEL" --tokens 64,256,1024 > "$OUT/peer.jsonl"
OPENBLAS_CORETYPE="$KERNELS" $PY bench/peers/forward_peer.py time --model "$MODEL" --tokens 64,256,1024 > "$OUT/peer_tuned.jsonl"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
$PY - "$OUT/engine.json" "$OUT/peer.jsonl" "$OUT/peer_tuned.jsonl" "$PEAK" "$KERNELS" <<'PYEOF'
import json, sys
engine = json.load(open(sys.argv[1]))
peer = {r["tokens"]: r for r in map(json.loads, open(sys.argv[2]))}
tuned = {r["tokens"]: r for r in map(json.loads, open(sys.argv[3]))}
peak, kernels = float(sys.argv[4]), sys.argv[5]
print(f"f32 FMA peak (2 threads, best of 3 runs of bench/fma_peak.c): {peak:.1f} GFLOP/s; engine BLAS kernels: {kernels}")
print(f"{'T':>6} {'engine tok/s':>13} {'torch tok/s':>12} {'ratio':>6} {'torch+' + kernels:>15} {'ratio':>6}"
      f" {'GFLOP/s':>8} {'% peak':>7} {'engine cpu s':>13} {'torch cpu s':>12} {'tuned cpu s':>12}")
for b in engine["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    T = int(b["run_name"].split("/")[1])
    tps, gf = b["tokens_per_s"], b["GFLOP_per_s"]
    ptps, ttps = peer[T]["tokens_per_s"], tuned[T]["tokens_per_s"]
    ecpu = b["cpu_time"] / 1e3  # ms per iteration -> s
    print(f"{T:>6} {tps:>13.1f} {ptps:>12.1f} {tps / ptps:>6.2f} {ttps:>15.1f} {tps / ttps:>6.2f}"
          f" {gf:>8.1f} {100 * gf / peak:>6.1f}% {ecpu:>13.3f} {peer[T]['cpu_seconds']:>12.3f} {tuned[T]['cpu_seconds']:>12.3f}")
PYEOF
