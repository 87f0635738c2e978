#!/usr/bin/python3
"""Plants massive activations, with known entries, into a random LLaMA checkpoint of real width
written by `outlierscope synth --arch llama --preset 7b --layers 3 --dtype bf16` (issue 20: the
shape of LLaMA-2-7B, d_model 4096, d_ff 11008). The tensors are patched in place (numpy memmap
of the safetensors file), so a 1.4 GB model needs no more memory than a few rows.

What is planted, after what An et al. and Sun et al. report for LLaMA-2-7B (two residual
channels of ~2,500 on the initial token and on the delimiter '.'):
  * the embeddings of BOS and of the delimiter id get a large component along their own
    direction (u_bos, u_delim: orthogonal unit vectors with components +-1/64, so no channel
    stands out by itself);
  * at layer EMERGE two MLP units read those directions (gate and up rows): unit COLUMN_BOS fires
    only on BOS, unit COLUMN_DELIM only on the delimiter, each to ~20 x 20;
  * their down-projection columns write only channels CHANNELS, with VALUES (about 2,400 and
    -1,500 on BOS, 2,000 and -1,200 on the delimiter): two writers, several tokens.
From EMERGE on the residual carries these entries to the last layer (the random layers after it
add noise of a few units). Nothing else is planted.

usage: plant_wide.py --model DIR
writes DIR/planted.json: the input ids (two inputs, the delimiter twice in the first) and every
planted entry (layer, input, position, channel), mlp_post entry (layer, input, position, column)
and writer column, for the precision / recall of tests/unit/analysis_wide_test.cpp.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402

EMERGE = 1
CHANNELS = (1415, 2533)
COLUMN_BOS, COLUMN_DELIM = 7000, 9000
VALUES = {COLUMN_BOS: (2400.0, -1500.0), COLUMN_DELIM: (2000.0, -1200.0)}
ALPHA = 400.0     # embedding component along u: dominates the ~190-norm residual of a random layer 0
BETA = 0.35       # gate/up rows read 0.35 u: pre-activations ~ 0.35 x 58 = 20 on the planted token
DELIM_ID = 29889  # LLaMA's "."
LENGTHS = (19, 12)
DELIM_POSITIONS = ((5, 12), (8,))


def to_bf16_bits(x):
    """float32 -> bfloat16 bits, round to nearest even (as torch does)."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def from_bf16_bits(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


class Patcher:
    """bf16 tensors of one safetensors file, opened for in-place writes."""

    def __init__(self, path):
        self.header, self.start = st_io.read_header(path)
        self.path = path

    def tensor(self, name):
        info = self.header[name]
        assert info["dtype"] == "BF16", f"{name}: expected BF16, got {info['dtype']}"
        return np.memmap(self.path, dtype="<u2", mode="r+", offset=self.start + info["data_offsets"][0],
                         shape=tuple(info["shape"]))


def unit_directions(rng, d):
    u = (rng.integers(0, 2, d) * 2 - 1) / np.sqrt(d)
    flip = np.ones(d)
    flip[rng.permutation(d)[: d // 2]] = -1.0
    return u, u * flip  # orthogonal: exactly half of the signs agree


def input_ids(rng, vocab, bos):
    out = []
    for n, delims in zip(LENGTHS, DELIM_POSITIONS):
        ids = rng.integers(100, vocab, n)
        ids[(ids == DELIM_ID) | (ids == bos)] = 101
        ids[0] = bos
        for p in delims:
            ids[p] = DELIM_ID
        out.append([int(i) for i in ids])
    return out


def plant(patcher, cfg, rng):
    d = cfg["hidden_size"]
    bos = cfg.get("bos_token_id", 1)
    u_bos, u_delim = unit_directions(rng, d)
    emb = patcher.tensor("model.embed_tokens.weight")
    for token, u in ((bos, u_bos), (DELIM_ID, u_delim)):
        emb[token] = to_bf16_bits(from_bf16_bits(emb[token]) + ALPHA * u)
    p = f"model.layers.{EMERGE}.mlp."
    gate, up, down = (patcher.tensor(p + m + "_proj.weight") for m in ("gate", "up", "down"))
    for column, u in ((COLUMN_BOS, u_bos), (COLUMN_DELIM, u_delim)):
        gate[column] = to_bf16_bits(BETA * u)
        up[column] = to_bf16_bits(BETA * u)
        down[:, column] = 0
    # On the planted token the normalised residual is ~0.9 x 64 along u, so gate = up ~ 0.35 x 58
    # = 20 and mlp_post ~ silu(20) x 20 ~ 400; the gains make the entries ~ VALUES (the test
    # checks which entries are detected, not their exact size).
    post = 20.0 * 20.0
    for column, values in VALUES.items():
        for channel, value in zip(CHANNELS, values):
            down[channel, column] = to_bf16_bits(value / post)
    for t in (emb, gate, up, down):
        t.flush()
    return bos


def expected(cfg, ids):
    n_layers = cfg["num_hidden_layers"]
    entries, post_entries, writers = [], [], []
    for i, delims in enumerate(DELIM_POSITIONS):
        tokens = [(0, COLUMN_BOS)] + [(p, COLUMN_DELIM) for p in delims]
        for position, column in tokens:
            post_entries.append({"layer": EMERGE, "input": i, "position": position, "column": column})
            for channel in CHANNELS:
                writers.append({"input": i, "position": position, "channel": channel, "column": column})
                for layer in range(EMERGE, n_layers):
                    entries.append({"layer": layer, "input": i, "position": position, "channel": channel})
    return {"emergence_layer": EMERGE, "n_layers": n_layers, "channels": list(CHANNELS),
            "columns": [COLUMN_BOS, COLUMN_DELIM], "ids": ids, "entries": entries,
            "mlp_post_entries": post_entries, "writers": writers}


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    with open(os.path.join(args.model, "config.json")) as f:
        cfg = json.load(f)
    rng = np.random.default_rng(2000 + args.seed)
    bos = plant(Patcher(os.path.join(args.model, "model.safetensors")), cfg, rng)
    ids = input_ids(rng, cfg["vocab_size"], bos)
    with open(os.path.join(args.model, "planted.json"), "w") as f:
        json.dump(expected(cfg, ids), f, indent=1)
    print(f"planted at layer {EMERGE}: channels {CHANNELS}, columns {COLUMN_BOS} (BOS) and {COLUMN_DELIM} (delimiter)")


if __name__ == "__main__":
    main(sys.argv[1:])
