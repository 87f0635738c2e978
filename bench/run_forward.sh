#!/usr/bin/env bash
# Forward pass with every hook captured: outlierscope (bench/forward_bench.cpp) versus PyTorch 1.13
# with module forward hooks (bench/peers/forward_peer.py), on a GPT-2-124M-shaped f32 model at
# T = 64, 256, 1024, both on 2 threads. Prints tokens/s per side, the ratio, and the engine's
# GFLOP/s against the machine's f32 FMA peak (2 cores x 2 AVX-512 FMA units x 16 lanes x 2 flops
# x the nominal clock; a single-FMA-unit part peaks at half that). CPU seconds (all threads) are
# printed too: on a shared, oversubscribed machine they are the fairer comparison.
#
# usage: bench/run_forward.sh [BUILD_DIR]   (default: build; needs the forward_bench target and
#        the gpt2 architecture; the model is made once under BUILD_DIR/bench-data/)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
PY=/usr/bin/python3
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
MODEL="$BUILD/bench-data/gpt2-124m-f32"
[ -x "$BUILD/bench/forward_bench" ] || cmake --build "$BUILD" --target forward_bench -j2
if [ ! -f "$MODEL/model.safetensors" ]; then
  echo "making $MODEL (random GPT-2-124M-shaped weights) ..." >&2
  $PY bench/peers/forward_peer.py make --out "$MODEL"
fi
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
OSC_BENCH_MODEL="$MODEL" "$BUILD/bench/forward_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
  --benchmark_format=json > "$OUT/engine.json"
$PY bench/peers/forward_peer.py time --model "$MODEL" --tokens 64,256,1024 > "$OUT/peer.jsonl"
$PY - "$OUT/engine.json" "$OUT/peer.jsonl" <<'PYEOF'
import json, re, sys
engine = json.load(open(sys.argv[1]))
peer = {r["tokens"]: r for r in map(json.loads, open(sys.argv[2]))}
mhz = max(float(m) for m in re.findall(r"cpu MHz\s*:\s*([\d.]+)", open("/proc/cpuinfo").read()))
peak = 2 * 2 * 16 * 2 * mhz / 1e3  # GFLOP/s
print(f"f32 FMA peak (2 cores, AVX-512, 2 FMA units, {mhz:.0f} MHz): {peak:.0f} GFLOP/s")
print(f"{'T':>6} {'engine tok/s':>13} {'pytorch tok/s':>14} {'ratio':>6} {'GFLOP/s':>8} {'% peak':>7}"
      f" {'engine cpu s':>13} {'pytorch cpu s':>14} {'cpu ratio':>10}")
for b in engine["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    T = int(b["run_name"].split("/")[1])
    tps, gf = b["tokens_per_s"], b["GFLOP_per_s"]
    ptps, pcpu = peer[T]["tokens_per_s"], peer[T]["cpu_seconds"]
    ecpu = b["cpu_time"] / 1e3  # ms per iteration -> s
    print(f"{T:>6} {tps:>13.1f} {ptps:>14.1f} {tps / ptps:>6.2f} {gf:>8.1f} {100 * gf / peak:>6.1f}%"
          f" {ecpu:>13.3f} {pcpu:>14.3f} {pcpu / ecpu:>10.2f}")
PYEOF
