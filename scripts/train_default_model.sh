#!/usr/bin/env bash
# Trains the built-in default model (models/default/): a GPT-2-style model with default softmax
# attention on the synthetic Bigram-Backcopy task (Guo et al. 2024), where a massive residual norm
# and an attention sink on the BOS token start to form within minutes on a CPU (docs/experiments.md,
# experiment 1b: the sink does, the massive activation not yet at this scale).
# The task's 256 tokens are the 256 byte values and BOS is id 256, so the model reads any text
# through a byte-level tokenizer.json (no merges) whose BOS "<s>" is prepended.
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
"$osc" train --data "$work/data" --out "$work/run" --variant softmax "${MODEL_OPTS[@]}" "${TRAIN_OPTS[@]}" --resume

mkdir -p "$out"
cp "$work/run/export/config.json" "$work/run/export/model.safetensors" "$out/"
cp "$work/run/log.csv" "$out/train_log.csv"

# Byte-level BPE tokenizer without merges: byte b -> GPT-2's printable stand-in character -> id b.
/usr/bin/env python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
printable = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
stand_in, extra = {}, 0
for b in range(256):
    if b in printable:
        stand_in[b] = chr(b)
    else:
        stand_in[b] = chr(256 + extra)
        extra += 1
vocab = {stand_in[b]: b for b in range(256)}
vocab["<s>"] = 256
tokenizer = {
    "version": "1.0",
    "added_tokens": [{"id": 256, "content": "<s>", "single_word": False, "lstrip": False, "rstrip": False,
                      "normalized": False, "special": True}],
    "normalizer": None,
    "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
    "post_processor": {"type": "TemplateProcessing",
                       "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                       "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                {"Sequence": {"id": "B", "type_id": 1}}],
                       "special_tokens": {"<s>": {"id": "<s>", "ids": [256], "tokens": ["<s>"]}}},
    "decoder": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
    "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
              "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "vocab": vocab, "merges": []},
}
with open(out + "/tokenizer.json", "w") as f:
    json.dump(tokenizer, f, ensure_ascii=False, indent=1)
    f.write("\n")
with open(out + "/tokenizer_config.json", "w") as f:
    json.dump({"bos_token": "<s>", "add_bos_token": True, "model_max_length": 64}, f, indent=1)
    f.write("\n")
PY
echo "default model written to $out"
