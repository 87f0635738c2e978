#!/usr/bin/python3
"""Reference logits and perplexity for an HF LLaMA-family checkpoint directory (config.json +
model.safetensors, or a sharded model.safetensors.index.json), e.g.
/work/shared/testdata/stories260K/hf. Used to check `outlierscope perplexity`.

Input: a JSON file holding the token ids (a list of ints, or an object with "tokens" or "ids").
The ids are cut into non-overlapping windows of --ctx tokens (a trailing partial window is
dropped). Each window is scored independently from position 0:
  * "all": mean NLL of tokens 1..ctx-1 given their prefix (ctx-1 predictions);
  * "second_half": llama.cpp's convention, only tokens ctx/2+1..ctx-1 (ctx-1-ctx/2 predictions).
With --bos-id B the first token of each window is replaced by B before the forward, as llama.cpp
perplexity does when the model adds BOS (the scored targets are unaffected).
Totals are exp(sum NLL / count) over all windows, per convention.
With --stride S it also runs the sliding-window loop of Hugging Face's guide "Perplexity of
fixed-length models" (windows of up to --ctx tokens every S tokens, labels -100 on the tokens an
earlier window scored), weighting each window's mean loss by its scored predictions:
"ppl_sliding", "count_sliding", "n_windows_sliding".

usage: llama_hf_ref.py --model DIR --tokens ids.json --ctx 128 --out result.json
                       [--bos-id 1] [--logit-windows K] [--stride S]
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import arch_llama  # noqa: E402
import st_io  # noqa: E402
from common import Checkpoint, NullHooks  # noqa: E402


def fail(msg):
    sys.exit(f"llama_hf_ref.py: {msg}")


def load_model(model_dir):
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = json.load(f)
    if cfg.get("model_type") not in ("llama", "mistral", "mixtral", "qwen2"):
        fail(f"{model_dir}/config.json: model_type {cfg.get('model_type')!r} is not a LLaMA-family model")
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    tensors = {}
    for name in files:
        part, _ = st_io.read(os.path.join(model_dir, name))
        tensors.update(part)
    return cfg, tensors


def load_tokens(path):
    with open(path) as f:
        data = json.load(f)
    if isinstance(data, dict):
        data = data.get("tokens", data.get("ids"))
    if not isinstance(data, list) or not all(isinstance(t, int) for t in data):
        fail(f"{path}: expected a JSON list of token ids (or an object with 'tokens')")
    return data


def window_nll(logits, targets):
    """logits [n, vocab] predicting targets [n]; returns the summed NLL in float64."""
    logp = torch.log_softmax(logits.to(torch.float64), dim=-1)
    return float(-logp.gather(1, targets[:, None]).sum())


def score_window(cfg, weights, window, bos_id):
    ids = torch.tensor(window, dtype=torch.long)
    inputs = ids.clone()
    if bos_id is not None:
        inputs[0] = bos_id
    with torch.no_grad():
        logits = arch_llama.forward(cfg, weights, inputs, NullHooks())  # [ctx, vocab]
    ctx, first = len(window), len(window) // 2
    nll_all = window_nll(logits[:-1], ids[1:])
    nll_half = window_nll(logits[first:-1], ids[first + 1:])
    return logits, {"nll_sum_all": nll_all, "count_all": ctx - 1,
                    "nll_sum_second_half": nll_half, "count_second_half": ctx - 1 - first}


def sliding_window_totals(cfg, weights, tokens, max_length, stride):
    """The guide's loop: begin_loc steps by stride, trg_len = end_loc - prev_end_loc tokens are
    targets, the rest of the window labelled -100; the model shifts labels by one, so a window's
    first token is never a target. Returns (sum NLL, predictions scored, windows)."""
    ids = torch.tensor(tokens, dtype=torch.long)
    seq_len, prev_end_loc = len(tokens), 0
    nll_sum, scored, windows = 0.0, 0, 0
    for begin_loc in range(0, seq_len, stride):
        end_loc = min(begin_loc + max_length, seq_len)
        trg_len = end_loc - prev_end_loc
        input_ids = ids[begin_loc:end_loc]
        target_ids = input_ids.clone()
        target_ids[:-trg_len] = -100
        with torch.no_grad():
            logits = arch_llama.forward(cfg, weights, input_ids, NullHooks())  # [window, vocab]
        shift_logits, shift_labels = logits[:-1], target_ids[1:]
        valid = shift_labels != -100
        nll_sum += window_nll(shift_logits[valid], shift_labels[valid])
        scored += int(valid.sum())
        windows += 1
        prev_end_loc = end_loc
        if end_loc == seq_len:
            break
    return nll_sum, scored, windows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--ctx", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--bos-id", type=int, default=None)
    ap.add_argument("--logit-windows", type=int, default=-1, help="windows whose logits to write (-1: all)")
    ap.add_argument("--stride", type=int, default=0, help="also Hugging Face's sliding-window perplexity")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    if args.ctx < 4:
        fail("--ctx must be at least 4")
    cfg, tensors = load_model(args.model)
    tokens = load_tokens(args.tokens)
    vocab = cfg["vocab_size"]
    if any(t < 0 or t >= vocab for t in tokens):
        fail(f"{args.tokens}: token id outside [0, {vocab})")
    n_windows = len(tokens) // args.ctx
    if n_windows == 0:
        fail(f"{args.tokens}: {len(tokens)} tokens, fewer than one window of {args.ctx}")
    weights = Checkpoint(tensors)
    keep_logits = n_windows if args.logit_windows < 0 else min(args.logit_windows, n_windows)
    windows, logits_out = [], []
    for w in range(n_windows):
        start = w * args.ctx
        logits, stats = score_window(cfg, weights, tokens[start:start + args.ctx], args.bos_id)
        if w < keep_logits:
            logits_out.append(logits.tolist())
        stats.update({"index": w, "start": start})
        for conv in ("all", "second_half"):
            stats[f"mean_nll_{conv}"] = stats[f"nll_sum_{conv}"] / stats[f"count_{conv}"]
            stats[f"ppl_{conv}"] = math.exp(stats[f"mean_nll_{conv}"])
        windows.append(stats)
    weights.assert_all_used()
    totals = {}
    for conv in ("all", "second_half"):
        nll = sum(w[f"nll_sum_{conv}"] for w in windows)
        count = sum(w[f"count_{conv}"] for w in windows)
        totals[f"mean_nll_{conv}"] = nll / count
        totals[f"ppl_{conv}"] = math.exp(nll / count)
    if args.stride > 0:
        nll, count, n_sliding = sliding_window_totals(cfg, weights, tokens, args.ctx, args.stride)
        totals.update({"ppl_sliding": math.exp(nll / count), "count_sliding": count, "n_windows_sliding": n_sliding})
    result = {"model": os.path.abspath(args.model), "ctx": args.ctx, "n_tokens": len(tokens),
              "n_windows": n_windows, "bos_id": args.bos_id, **totals, "windows": windows,
              "logits": logits_out}
    tmp = f"{args.out}.tmp.{os.getpid()}"
    with open(tmp, "w") as f:
        json.dump(result, f)
    os.replace(tmp, args.out)
    print(f"{n_windows} windows of {args.ctx}: ppl_all {totals['ppl_all']:.4f}, "
          f"ppl_second_half {totals['ppl_second_half']:.4f}")


if __name__ == "__main__":
    main(sys.argv[1:])
