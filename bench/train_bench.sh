#!/usr/bin/env bash
# Training throughput of `outlierscope train` against the PyTorch 1.13 peer
# (bench/peers/train_peer.py), both on 2 threads, for two nanoGPT shapes:
#   (i)  6 layers, dim 384, 6 heads, ctx 256, batch 8, vocab 50304   target >= 1.5x
#   (ii) 4 layers, dim 128, 4 heads, ctx 128, batch 16, vocab 512    target >= 2x
# Prints tokens/s of one training step (forward, backward, clipping, AdamW; median over timed
# steps), the ratio, and GFLOP/s (nanoGPT's estimate: 6 * params + 12 * layers * dim * ctx FLOPs
# per token) against the machine's measured f32 FMA peak on 2 cores.
# Both run with the same environment: 2 threads and OMP_WAIT_POLICY=PASSIVE (the peer's best
# setting; ours too whenever other work shares the cores: spinning OpenMP waits made it up to 7x
# slower at load 4-8). OpenBLAS 0.3.21 falls back to its SSE3 "Prescott" kernels on CPUs newer
# than it (e.g. family 6 model 207); outlierscope switches to the AVX-512/AVX2 kernels itself
# (kernels/blas_kernels.h), so the peer is run twice: as installed, and with OPENBLAS_CORETYPE set
# to the same kernels. The ratio against the faster of the two is the one held to the target.
# Tokens/s are medians over ROUNDS (default 3) alternating runs of ours and the tuned peer; the
# ratio is the median of the rounds' ratios, with their range.
#   usage: [ROUNDS=N] bench/train_bench.sh [BUILD_DIR] (default: build)
set -euo pipefail
source "$(dirname "$0")/bench_env.sh" "$@"
ROUNDS=${ROUNDS:-3}
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE
if grep -qw avx512f /proc/cpuinfo; then CORE=SkylakeX; elif grep -qw avx2 /proc/cpuinfo; then CORE=Haswell; else CORE=; fi

gcc -O2 -march=native -fopenmp "$ROOT/bench/fma_peak.c" -o "$WORK/fma"
PEAK=$(for _ in 1 2 3; do OMP_WAIT_POLICY=ACTIVE "$WORK/fma" 2 | cut -d' ' -f1; done | sort -g | tail -1)
echo "f32 FMA peak (2 cores, AVX-512, measured): $PEAK GFLOP/s; load average $(cut -d' ' -f1-3 /proc/loadavg)"

# Datasets: GPT-2 tokens of tinyshakespeare (vocab padded to 50304 as nanoGPT does) and bytes
# (vocab padded to 512). Ids stay below the real vocabulary; padding only widens the head.
"$CLI" --quiet prepare --tokenizer gpt2 "$SHARED/corpora/tinyshakespeare/input.txt" --out "$WORK/gpt2" > /dev/null
"$CLI" --quiet prepare --tokenizer byte "$SHARED/corpora/tinyshakespeare/input.txt" --out "$WORK/byte" > /dev/null
$PY - "$WORK" <<'PYEOF'
import json, sys
for sub, vocab in (("gpt2", 50304), ("byte", 512)):
    path = f"{sys.argv[1]}/{sub}/meta.json"
    meta = json.load(open(path)); meta["vocab_size"] = vocab; json.dump(meta, open(path, "w"))
PYEOF

ours() {  # data layers dim heads ctx batch
  local run="$WORK/run-$2-$3"
  "$CLI" --quiet train --data "$1" --out "$run" --layers "$2" --dim "$3" --heads "$4" --ctx "$5" --batch "$6" \
    --steps 8 --warmup 2 --eval-every 0 --ckpt-every 0 --threads 2 > /dev/null
  # median tokens/s of steps 3..8 (the first steps touch fresh memory)
  $PY -c "import csv,statistics,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(statistics.median(float(x['tokens_per_s']) for x in r[2:]))" "$run/log.csv"
}
peer() {  # coretype vocab layers dim heads ctx batch (coretype "-": OpenBLAS as installed)
  local core=()
  [ "$1" != - ] && core=(OPENBLAS_CORETYPE="$1")
  env "${core[@]}" $PY "$ROOT/bench/peers/train_peer.py" --vocab "$2" --layers "$3" --dim "$4" --heads "$5" \
    --ctx "$6" --batch "$7" --threads 2 | awk '{print $2}'
}
flops_per_token() {  # vocab layers dim ctx  (6N + 12 L D T, N counting the tied head once)
  $PY -c "v,l,d,t=map(int,'$1 $2 $3 $4'.split()); n=v*d+t*d+l*(12*d*d+13*d)+2*d; print(6*n+12*l*d*t)"
}

report() {  # name vocab data layers dim heads ctx batch target
  local p f load os=() qs=()
  load=$(cut -d' ' -f1 /proc/loadavg)
  p=$(peer - "$2" "$4" "$5" "$6" "$7" "$8")
  # Ours and the tuned peer alternate, ROUNDS times: the host's speed drifts by tens of percent
  # over minutes, so each round's ratio pairs two runs made close together.
  for _ in $(seq "$ROUNDS"); do
    os+=("$(ours "$3" "$4" "$5" "$6" "$7" "$8")")
    if [ -n "$CORE" ]; then qs+=("$(peer "$CORE" "$2" "$4" "$5" "$6" "$7" "$8")"); else qs+=("$p"); fi
  done
  f=$(flops_per_token "$2" "$4" "$5" "$7")
  $PY -c "
import statistics as st
os_, qs, p, f, peak = [${os[*]/%/,}], [${qs[*]/%/,}], $p, $f, $PEAK
o, q = st.median(os_), st.median(qs)
ratios = sorted(a / max(b, p) for a, b in zip(os_, qs))
print(f'$1: outlierscope {o:8.0f} tok/s ({o*f/1e9:6.1f} GFLOP/s, {100*o*f/1e9/peak:4.1f}% of peak) | '
      f'pytorch {p:7.0f} tok/s as installed, {q:7.0f} with OPENBLAS_CORETYPE=${CORE:-default} '
      f'({max(p, q)*f/1e9:5.1f} GFLOP/s) | ratio {st.median(ratios):.2f}x, rounds {ratios[0]:.2f}-{ratios[-1]:.2f}x '
      f'(target >= $9x; {o/p:.2f}x vs. as installed) | load $load')"
}

report "(i)  6L 384d ctx256 b8 V50304" 50304 "$WORK/gpt2" 6 384 6 256 8 1.5
report "(ii) 4L 128d ctx128 b16 V512 " 512 "$WORK/byte" 4 128 4 128 16 2
