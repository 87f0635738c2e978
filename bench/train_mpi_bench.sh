#!/usr/bin/env bash
# The cost of the cross-rank gradient sum: training throughput of 2 MPI ranks x 1 thread against
# 1 process x 2 threads, same global batch, on one 2-core machine (loopback, shared memory), for
# the 30M-parameter shape of bench/train_bench.sh (6 layers, dim 384, ctx 256, batch 8, vocab
# 50304: 30.0M parameters, 120 MB of gradients per step).
# Both layouts train the same batches with the same per-shard work; the difference is the
# collectives (an Alltoallv + Allgatherv of all gradients) against the threads' in-memory sum.
# Tokens/s: median of steps 3..STEPS, ROUNDS alternating runs (default 3), with the range of the
# rounds' ratios.   usage: [ROUNDS=N] [STEPS=N] bench/train_mpi_bench.sh [BUILD_DIR]
set -euo pipefail
source "$(dirname "$0")/bench_env.sh" "$@"
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-8}
export OMP_WAIT_POLICY=PASSIVE OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN=${MPIRUN:-mpirun}

# Byte tokens with the vocabulary padded to GPT-2's 50304 (ids stay below 256; the work per step is
# the gpt2-token run's: every step computes all 50304 logits).
"$CLI" --quiet prepare --tokenizer byte "$SHARED/corpora/tinyshakespeare/input.txt" --out "$WORK/gpt2" > /dev/null
$PY - "$WORK/gpt2/meta.json" <<'PYEOF'
import json, sys
meta = json.load(open(sys.argv[1])); meta["vocab_size"] = 50304; json.dump(meta, open(sys.argv[1], "w"))
PYEOF

SHAPE=(--layers 6 --dim 384 --heads 6 --ctx 256 --batch 8 --steps "$STEPS" --warmup 2 --eval-every 0 --ckpt-every 0)
median_tps() {
  $PY -c "import csv,statistics,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(statistics.median(float(x['tokens_per_s']) for x in r[2:]))" "$1/log.csv"
}
one_by_two() {
  rm -rf "$WORK/a"
  OMP_NUM_THREADS=2 "$CLI" --quiet train --data "$WORK/gpt2" --out "$WORK/a" "${SHAPE[@]}" --threads 2 > /dev/null
  median_tps "$WORK/a"
}
two_by_one() {
  rm -rf "$WORK/b"
  # --bind-to none: Open MPI pins each of up to 2 ranks to a core by default; the threaded run is
  # not pinned, so both leave placement to the OS.
  OMP_NUM_THREADS=1 $MPIRUN --bind-to none -np 2 "$CLI" --quiet train --data "$WORK/gpt2" --out "$WORK/b" \
    "${SHAPE[@]}" --threads 1 > /dev/null
  median_tps "$WORK/b"
}

as=() bs=()
for _ in $(seq "$ROUNDS"); do
  as+=("$(one_by_two)")
  bs+=("$(two_by_one)")
done
$PY -c "
import statistics as st
a, b = [${as[*]/%/,}], [${bs[*]/%/,}]
r = sorted(y / x for x, y in zip(a, b))
print(f'1 rank x 2 threads {st.median(a):7.0f} tok/s | 2 ranks x 1 thread {st.median(b):7.0f} tok/s | '
      f'ratio {st.median(r):.3f}, rounds {r[0]:.3f}-{r[-1]:.3f} | load $(cut -d' ' -f1-3 /proc/loadavg)')"
