#!/usr/bin/env bash
# The cost of the layer pipeline's hand-off (docs/distributed.md) on one machine (loopback, shared
# memory):
#  1. the hand-off alone: build/bench/handoff_timing sends the residual stream [T, d_model] f32
#     from rank 0 to rank 1 and back, for the window of stories260K (256 x 64), of a 7B model
#     (2048 x 4096, 32 MB) and of LLaMA-2-70B (2048 x 8192, 64 MB); median of REPEATS (default 20);
#  2. end to end: `perplexity` of stories260K (5 layers, dim 64; ctx 256) on 1 process x 1 thread
#     against 2 ranks x 1 thread (the pipeline, --in-flight 1), seconds per window over the
#     whole file, ROUNDS alternating runs (default 3). On so small a model a window computes in
#     milliseconds, so the difference is the pipeline's fixed cost per window: the hand-off, the
#     logits [256, 512] back to rank 0, the message round trips;
#  3. window overlap: perplexity of 8 windows on 2 ranks, one window at a time against one window
#     per rank in the pipeline (below);
#  4. memory per rank: the peak resident set (pages of the mapped checkpoint each rank touched, plus
#     its own memory) of `run` on a synthesised 1B-width LLaMA of 4 layers (bf16, 0.6 GB) on 1
#     process and on each of 2 ranks.
#   usage: [ROUNDS=N] [REPEATS=N] [MPIRUN="mpirun --mca btl tcp,self"] bench/pipeline_bench.sh [BUILD_DIR]
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
CLI="$BUILD/outlierscope"
ROUNDS=${ROUNDS:-3}
REPEATS=${REPEATS:-20}
SHARED=${OUTLIERSCOPE_SHARED:-$ROOT/../shared}
MODEL="$SHARED/testdata/stories260K/stories260K.bin"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export OMP_WAIT_POLICY=PASSIVE OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN=${MPIRUN:-mpirun}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for shape in "256 64" "2048 4096" "2048 8192"; do
  echo -n "T x d_model = ${shape/ / x }: "
  $MPIRUN --bind-to none -np 2 "$BUILD/bench/handoff_timing" $shape "$REPEATS"
done

/usr/bin/python3 -c "
import sys
for name, n in (('short', 800), ('long', 8000)):
    with open(sys.argv[1] + '/' + name + '.txt', 'w') as f:
        f.write(' '.join(f'Tom had {i % 97} apples and he gave one to his friend Sue.' for i in range(n)))
" "$WORK"
run_seconds() {  # "<seconds> <windows>" of one perplexity run of file $1; the rest: the launcher prefix
  local text=$1 start end windows
  shift
  start=$(date +%s.%N)
  windows=$("$@" "$CLI" --quiet perplexity "$MODEL" --file "$WORK/$text.txt" --ctx 256 --in-flight 1 --json 2>/dev/null |
            /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)['windows'])")
  end=$(date +%s.%N)
  echo "$(/usr/bin/python3 -c "print($end - $start)") $windows"
}
# Seconds per window: the slope between a short and a long file, so that start-up (MPI_Init,
# loading, tokenizing) drops out.
per_window() {
  local t1 w1 t2 w2
  read -r t1 w1 < <(run_seconds short "$@")
  read -r t2 w2 < <(run_seconds long "$@")
  /usr/bin/python3 -c "print(f'{($t2 - $t1) / ($w2 - $w1):.6f} {$w2 - $w1}')"
}
export OMP_NUM_THREADS=1
for round in $(seq "$ROUNDS"); do
  read -r one windows < <(per_window)
  read -r two _ < <(per_window $MPIRUN --bind-to none -np 2)
  /usr/bin/python3 -c "print(f'round $round ($windows windows): s/window 1 rank {$one:.5f}, 2 ranks {$two:.5f}, difference {($two - $one) * 1e3:.2f} ms')"
done

# Window overlap: perplexity of 8 windows (ctx 512) of a synthesised LLaMA (width 256, 8 layers,
# the default model's byte tokenizer) on 2 ranks x 1 thread, one window at a time (--in-flight 1)
# against one window per rank in the pipeline (the default). Per run: the job's wall seconds and
# the CPU seconds of the two ranks together (user + system); on a machine shared with other work
# the wall time moves with the load, so the runs alternate and ROUNDS of each are printed.
cat > "$WORK/cpu_seconds.py" <<'PYEOF'
import os, resource, subprocess, sys
subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1] + "." + os.environ.get("OMPI_COMM_WORLD_RANK", os.environ.get("PMI_RANK", "0")), "w") as f:
    f.write(f"{r.ru_utime + r.ru_stime:.3f}\n")
PYEOF
"$CLI" --quiet synth --arch llama --preset small --layers 8 --out "$WORK/small" > /dev/null
cp "$ROOT/models/default/tokenizer.json" "$ROOT/models/default/tokenizer_config.json" "$WORK/small/"
/usr/bin/python3 -c "
import sys
with open(sys.argv[1], 'w') as f:
    f.write(' '.join(f'Tom had {i % 97} apples and he gave one to his friend Sue.' for i in range(84)))
" "$WORK/eight.txt"
overlap_run() {  # "<wall s> <cpu s of both ranks>" of one run with --in-flight $1
  local start end
  rm -f "$WORK"/cpu.*
  start=$(date +%s.%N)
  $MPIRUN --bind-to none -np 2 /usr/bin/python3 "$WORK/cpu_seconds.py" "$WORK/cpu" "$CLI" --quiet perplexity \
    "$WORK/small" --file "$WORK/eight.txt" --ctx 512 --in-flight "$1"
  end=$(date +%s.%N)
  /usr/bin/python3 -c "print(f'{$end - $start:.3f} {$(cat "$WORK"/cpu.* | paste -sd+):.3f}')"
}
for round in $(seq "$ROUNDS"); do
  read -r wall1 cpu1 < <(overlap_run 1)
  read -r wall2 cpu2 < <(overlap_run 0)
  echo "overlap round $round (8 windows): one at a time wall ${wall1} s cpu ${cpu1} s; overlapped wall ${wall2} s cpu ${cpu2} s"
done

# Peak RSS of the command it runs, in MB (python's getrusage of its child; the child is the rank).
cat > "$WORK/peak_rss.py" <<'PYEOF'
import os, resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
rank = os.environ.get("OMPI_COMM_WORLD_RANK", os.environ.get("PMI_RANK", "0"))
print(f"rank {rank}: peak RSS {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} MB", flush=True)
PYEOF
"$CLI" --quiet synth --preset 1b --layers 4 --out "$WORK/synth1b" > /dev/null
echo "synthesised model: $(du -sm "$WORK/synth1b" | cut -f1) MB on disk"
RUN=("$CLI" --quiet run "$WORK/synth1b" --ids 1,2,3,4,5,6,7,8)
echo -n "1 process: "; /usr/bin/python3 "$WORK/peak_rss.py" "${RUN[@]}"
echo "2 ranks:"; $MPIRUN --bind-to none -np 2 /usr/bin/python3 "$WORK/peak_rss.py" "${RUN[@]}" | sort
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
