#!/usr/bin/env bash
# Trains the built-in default model (models/default/): a GPT-2-style model with default softmax
# attention on the synthetic Bigram-Backcopy task (Guo et al. 2024), where a massive residual norm
# and an attention sink on the BOS token start to form within minutes on a CPU (docs/experiments.md,
# experiment 1b: the sink does, the massive activation not yet at this scale).
# The task's 256 tokens are the 256 byte values and BOS is id 256, so the model reads any text
# through the byte-level tokenizer.json (no merges) that the trainer exports, whose BOS "<s>" is
# prepended.
#
#   scripts/train_default_model.sh [BUILD_DIR] [WORK_DIR]
#
# The run is bit-for-bit reproducible for a given build and --threads (1 here). It is the softmax
# run of the Bigram-Backcopy variant experiment 1b in docs/experiments.md (same data, shape,
# budget and seed).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
work=${2:-$root/build/default-model}
osc=$build/outlierscope
out=$root/models/default

# Data, shape and budget: keep in sync with docs/experiments.md (experiment 1b).
DATA_OPTS=(--bigram-backcopy --vocab 256 --triggers 3 --seq-len 64 --train-tokens 1000000 --seed 1)
MODEL_OPTS=(--layers 3 --heads 4 --dim 64 --ctx 64)
TRAIN_OPTS=(--batch 16 --steps 3000 --warmup 100 --lr 3e-3 --eval-every 500 --seed 1337 --threads 1)

mkdir -p "$work"
[ -f "$work/data/meta.json" ] || "$osc" prepare "${DATA_OPTS[@]}" --out "$work/data"
resume=()  # --resume needs a checkpoint: continue an interrupted run, else start one
[ -f "$work/run/checkpoint.json" ] && resume=(--resume)
"$osc" train --data "$work/data" --out "$work/run" --variant softmax "${MODEL_OPTS[@]}" "${TRAIN_OPTS[@]}" "${resume[@]}"

mkdir -p "$out"
cp "$work/run/export/config.json" "$work/run/export/model.safetensors" "$out/"
cp "$work/run/log.csv" "$out/train_log.csv"

# The export's byte-level tokenizer (byte b -> id b, BOS "<s>" = 256 prepended; train/export_tokenizer.h).
cp "$work/run/export/tokenizer.json" "$work/run/export/tokenizer_config.json" "$out/"
echo "default model written to $out"
