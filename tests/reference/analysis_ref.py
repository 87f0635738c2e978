#!/usr/bin/python3
"""Independent numpy reference for the outlier analyses (src/analysis/), written from the
definitions in docs/metrics.md and An et al.'s published scripts, not from the C++ code.

usage:
  analysis_ref.py synthetic --out DIR
      writes DIR/data.safetensors (weights "w.L.MODULE", captured hooks "in.I.HOOK", token ids
      "ids.I") and DIR/expected.json (every statistic the unit tests check).
  analysis_ref.py stats --hooks FILE[,FILE...] [--weights MODEL.safetensors] --out expected.json
      the same statistics for hooks written by another reference (planted-outlier tests); for a
      mixture (Mixtral) the down columns are (expert, column) pairs with the routing weight
      included, and "expert_weights" holds the experts' weight statistics.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402

EPS = 1e-8
STRONG = {".", "\n", ",", ";", ":", "!", "?", "-", "--", "---", "'", '"', "(", ")", "[", "]", "{", "}",
          "/", "\\", "|", "*", "&", "^", "%", "$", "#", "@", "~", "`", "\n\n", "...", "</s>", "<|endoftext|>"}
WEAK = {"", "and", "from", "of", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "the", "a", "an", "in",
        "on", "at", "for", "with", "is", "was", "are", "were", "to", "by", "as", "that", "this", "it", "but",
        "or", "if", "not"}
ACT_K, ACT_ABS, ACT_GAP = 20.0, 100.0, 3.0
WRITER_SHARE = 0.2
PERSISTENT_RUN = 2
WEIGHT_K = 10.0
ATTN_FRAC, ATTN_UNIFORM = 0.1, 2.0


# ---- definitions -------------------------------------------------------------------------------

def token_class(piece, position):
    if position == 0:
        return "initial"
    text = piece.replace("\u2581", " ").replace("\u0120", " ").replace("\u010a", "\n")
    if text.startswith("<0x") and text.endswith(">") and len(text) == 6:
        text = chr(int(text[3:5], 16))
    text = text.strip(" \t")
    if text in STRONG:
        return "strong_delimiter"
    if text.lower() in WEAK:
        return "weak_semantic"
    return "other"


def top_indices(values, k):
    """Largest first; ties to the lower index (stable sort of the negated values)."""
    order = np.argsort(-np.asarray(values, dtype=np.float64), kind="stable")
    return [int(i) for i in order[:k]]


def weight_stats(w, ratio_min=10.0):
    """An et al. pos_weight_outliers: per-column and per-row max/mean of |W| (W is [out, in])."""
    a = np.abs(w.astype(np.float64))
    col = a.max(axis=0) / (a.mean(axis=0) + EPS)
    row = a.max(axis=1) / (a.mean(axis=1) + EPS)
    med_col = float(np.median(col))
    outliers = [int(j) for j in top_indices(col, len(col)) if col[j] >= WEIGHT_K * med_col]
    return {"max_col_ratio": float(col.max()), "median_col_ratio": med_col,
            "max_row_ratio": float(row.max()), "median_row_ratio": float(np.median(row)),
            "max_ratio": float(max(col.max(), row.max())),
            "top_columns": top_indices(col, 3), "top_rows": top_indices(row, 3),
            "outlier_columns": outliers,
            "outlier_columns_absolute": [int(j) for j in top_indices(col, len(col)) if col[j] >= ratio_min]}


def gap_outliers(x, counted=None):
    """The gap rule (docs/metrics.md §2) on one [tokens, channels] matrix of |x|: the entries over
    ACT_K x the median (the median of the nonzero entries when the median is 0) that stand
    >= ACT_GAP x above the next-largest entry, at the lowest such gap. `counted` (bool, x's shape):
    only those entries take part (a mixture's routed experts). Returns (position, channel) pairs,
    largest first."""
    index = np.arange(x.size) if counted is None else np.flatnonzero(counted.ravel())
    flat = x.ravel()[index]
    scale = float(np.median(flat))
    if scale == 0.0:
        nonzero = flat[flat != 0]
        scale = float(np.median(nonzero)) if nonzero.size else 0.0
    if scale <= 0.0:
        return []
    order = np.argsort(-flat, kind="stable")
    ranked = flat[order]
    n_over = int((ranked >= ACT_K * scale).sum())
    cut = 0
    for i in range(n_over - 1, -1, -1):
        below = ranked[i + 1] if i + 1 < ranked.size else 0.0
        if ranked[i] >= ACT_GAP * below:
            cut = i + 1
            break
    return [divmod(int(index[j]), x.shape[1]) for j in order[:cut]]


def routed_entries(hooks, pattern, layer, width):
    """For a mixture's combined mlp.hook_post [T, E * d_ff]: True where token t was routed to
    expert e (routing weight > 0), for that expert's d_ff channels; None for any other site."""
    routing = hooks.get(f"blocks.{layer}.mlp.hook_expert_weights")
    if pattern != "blocks.{L}.mlp.hook_post" or routing is None:
        return None
    return np.repeat(routing > 0, width // routing.shape[1], axis=1)


def longest_run(entries):
    """entries: (layer, input, position) of one channel; longest run of consecutive layers at one token."""
    best = 0
    keys = set(entries)
    for layer, i, p in keys:
        if (layer - 1, i, p) in keys:
            continue
        n = 1
        while (layer + n, i, p) in keys:
            n += 1
        best = max(best, n)
    return best


def site_stats(captures, pattern):
    """Per layer: means over inputs of top-1/2/3 |x| and median |x|; outliers by the gap rule."""
    n_layers = 0
    while pattern.format(L=n_layers) in captures[0]["hooks"]:
        n_layers += 1
    out = {"top1": [], "top2": [], "top3": [], "median": [], "top1_channel": [], "n_outliers": [],
           "outliers": [], "channels": {}, "tokens": {}, "runs": {}}
    for layer in range(n_layers):
        name = pattern.format(L=layer)
        tops, medians, count = [], [], 0
        channel_max = None
        for i, cap in enumerate(captures):
            x = np.abs(cap["hooks"][name].astype(np.float64))
            counted = routed_entries(cap["hooks"], pattern, layer, x.shape[1])
            values = x.ravel() if counted is None else x[counted]
            flat = np.sort(values)[::-1]
            tops.append(flat[:3])
            med = float(np.median(values))
            medians.append(med)
            cm = x.max(axis=0)
            channel_max = cm if channel_max is None else np.maximum(channel_max, cm)
            for p, c in gap_outliers(x, counted):
                out["outliers"].append({"layer": layer, "input": i, "position": p, "channel": c,
                                        "value": float(cap["hooks"][name][p, c])})
                out["channels"].setdefault(c, set()).add(layer)
                out["runs"].setdefault(c, []).append((layer, i, p))
                out["tokens"].setdefault((i, p), set()).add(layer)
                count += 1
        tops = np.array(tops)
        for k in range(3):
            out[f"top{k + 1}"].append(float(tops[:, k].mean()))
        out["median"].append(float(np.mean(medians)))
        out["top1_channel"].append(top_indices(channel_max, 1)[0])
        out["n_outliers"].append(count)
    out["channels"] = {str(c): sorted(v) for c, v in out["channels"].items()}
    out["persistent"] = {str(c): longest_run(v) >= PERSISTENT_RUN for c, v in out.pop("runs").items()}
    out["tokens"] = [{"input": i, "position": p, "layers": sorted(v)} for (i, p), v in sorted(out["tokens"].items())]
    out["n_layers"] = n_layers
    return out


def uniform_received(key, n):
    return sum(1.0 / (q + 1) for q in range(key, n))


def attention_stats(captures):
    n_layers = 0
    while f"blocks.{n_layers}.attn.hook_pattern" in captures[0]["hooks"]:
        n_layers += 1
    out = {"top1": [], "top2": [], "median": [], "first_token_share": [], "outliers": [],
           "sink_positions": [], "token_classes": {"initial": 0, "strong_delimiter": 0, "weak_semantic": 0,
                                                   "other": 0}}
    per_input_sinks = []
    for i, cap in enumerate(captures):
        sinks = set()
        for layer in range(n_layers):
            p = cap["hooks"][f"blocks.{layer}.attn.hook_pattern"].astype(np.float64)  # [H, Q, K]
            n = p.shape[-1]
            received = p.mean(axis=0).sum(axis=0)  # head-averaged column sums [K]
            by_head = p.sum(axis=1)                # [H, K]
            for k in range(n):
                thr = max(ATTN_FRAC * n, ATTN_UNIFORM * uniform_received(k, n))
                if received[k] >= thr:
                    heads = [int(h) for h in range(p.shape[0]) if by_head[h, k] >= thr]
                    out["outliers"].append({"layer": layer, "input": i, "position": k,
                                            "received": float(received[k]), "threshold": thr, "heads": heads})
                    sinks.add(k)
        per_input_sinks.append(sorted(sinks))
        for k in sorted(sinks):
            out["token_classes"][token_class(cap["pieces"][k], k)] += 1
    out["sink_positions"] = per_input_sinks
    n_heads = captures[0]["hooks"]["blocks.0.attn.hook_pattern"].shape[0]
    share = np.zeros((n_layers, n_heads))
    for layer in range(n_layers):
        t1, t2, med, first = [], [], [], []
        for i, cap in enumerate(captures):
            p = cap["hooks"][f"blocks.{layer}.attn.hook_pattern"].astype(np.float64)
            received = p.mean(axis=0).sum(axis=0)
            s = np.sort(received)[::-1]
            t1.append(s[0])
            t2.append(s[1] if len(s) > 1 else 0.0)
            med.append(np.median(received))
            first.append(received[0] / p.shape[1])
            by_head = p.sum(axis=1)
            share[layer] += by_head[:, per_input_sinks[i]].sum(axis=1) / p.shape[1] / len(captures)
        out["top1"].append(float(np.mean(t1)))
        out["top2"].append(float(np.mean(t2)))
        out["median"].append(float(np.mean(med)))
        out["first_token_share"].append(float(np.mean(first)))
    out["sink_share_by_head"] = share.tolist()
    out["n_layers"] = n_layers
    return out


def site_positions_channels(captures, layer, pattern="blocks.{L}.hook_resid_post"):
    """Emergence site: the input (0 if it has outliers at `layer`, else the one with the largest),
    its outlier positions and channels (largest first) and the largest entry."""
    name = pattern.format(L=layer)
    entries = []
    for i, cap in enumerate(captures):
        x = np.abs(cap["hooks"][name].astype(np.float64))
        for p, c in gap_outliers(x):
            entries.append((-x[p, c], i, int(p), int(c)))
    entries.sort()
    inputs = [e[1] for e in entries]
    inp = 0 if 0 in inputs else inputs[0]
    mine = [e for e in entries if e[1] == inp]
    positions, channels = [], []
    for _, _, p, c in mine:
        if p not in positions:
            positions.append(p)
        if c not in channels:
            channels.append(c)
    return inp, positions, channels


def contributions(w_row, activations, top=3):
    """Down-projection column contributions to one output channel: activation_j * W[c, j]."""
    c = activations.astype(np.float64) * w_row.astype(np.float64)
    order = top_indices(np.abs(c), top)
    return [{"column": j, "contribution": float(c[j]), "share": float(c[j] / c.sum())} for j in order]


def down_input(hooks, layer, p):
    """What multiplies W_down's columns at token p: mlp.hook_post[p] [d_ff]; for a mixture the
    routed input g[p, e] * post_e[p, j] at index e*d_ff + j of the side-by-side hook_post [E*d_ff]
    (W_down then being the experts' down matrices side by side, see down_weights_from_checkpoint)."""
    post = hooks[f"blocks.{layer}.mlp.hook_post"][p].astype(np.float64)
    routing = hooks.get(f"blocks.{layer}.mlp.hook_expert_weights")
    if routing is None:
        return post
    return post * np.repeat(routing[p].astype(np.float64), post.shape[0] // routing.shape[1])


def name_columns(entries, hooks, layer, p):
    """For a mixture, side-by-side column e*d_ff + j becomes column j of expert e (and its routing weight)."""
    routing = hooks.get(f"blocks.{layer}.mlp.hook_expert_weights")
    if routing is None:
        return entries
    width = hooks[f"blocks.{layer}.mlp.hook_post"].shape[1] // routing.shape[1]
    for e in entries:
        e["expert"], e["column"] = divmod(e["column"], width)
        e["routing_weight"] = float(routing[p, e["expert"]])
    return entries


def lifecycle_stats(captures, down_weights, resid):
    """down_weights[L]: the layer's down projection as [d_model, d_ff]."""
    layer = next(l for l, n in enumerate(resid["n_outliers"]) if n > 0)
    inp, positions, channels = site_positions_channels(captures, layer)
    hooks = captures[inp]["hooks"]
    x = hooks[f"blocks.{layer}.hook_resid_post"]
    p, c = positions[0], channels[0]
    emergence = {"layer": layer, "input": inp, "positions": positions, "channels": channels,
                 "down_columns": name_columns(contributions(down_weights[layer][c], down_input(hooks, layer, p)),
                                              hooks, layer, p)}
    n_layers = resid["n_layers"]
    mags = [float(np.abs(hooks[f"blocks.{l}.hook_resid_post"][np.ix_(positions, channels)]).max())
            for l in range(layer, n_layers)]
    peak_layer = layer + int(np.argmax(mags))
    peak = max(mags)
    gone = next((l for l in range(peak_layer + 1, n_layers) if mags[l - layer] < 0.5 * peak), None)
    disappearance = {"layer": gone, "peak": peak, "magnitudes": mags}
    if gone is not None:
        prev = np.abs(hooks[f"blocks.{gone - 1}.hook_resid_post"][np.ix_(positions, channels)])
        pi, ci = np.unravel_index(int(np.argmax(prev)), prev.shape)
        pp, cc = positions[pi], channels[ci]
        disappearance.update({"position": pp, "channel": cc,
                              "mlp_out": float(hooks[f"blocks.{gone}.hook_mlp_out"][pp, cc]),
                              "down_columns": name_columns(contributions(down_weights[gone][cc],
                                                                         down_input(hooks, gone, pp)), hooks, gone, pp)})
    spread = None
    if layer + 1 < n_layers:
        s = layer + 1
        pat = hooks[f"blocks.{s}.attn.hook_pattern"].astype(np.float64)
        n = pat.shape[-1]
        def on(h):
            return sum(pat[h, q, k] for q in range(1, n) for k in positions if k <= q) / (n - 1)
        head = top_indices([on(h) for h in range(pat.shape[0])], 1)[0]
        q, k, v = (hooks[f"blocks.{s}.attn.hook_{t}"] for t in "qkv")
        kv = head // (q.shape[1] // k.shape[1])
        spread = {"layer": s, "head": head, "prob_to_outliers_mean": float(on(head)),
                  "q_norm": np.linalg.norm(q[:, head].astype(np.float64), axis=-1).tolist(),
                  "k_norm": np.linalg.norm(k[:, kv].astype(np.float64), axis=-1).tolist(),
                  "v_norm": np.linalg.norm(v[:, kv].astype(np.float64), axis=-1).tolist()}
    return {"emergence": emergence, "disappearance": disappearance, "spread": spread}


def writer_stats(captures, down_weights, resid):
    """Every resid_post outlier entry (input, position, channel) at its first flagged layer, with the
    down-projection columns j whose mlp_post[p, j] * W_down[c, j] is >= WRITER_SHARE of the entry."""
    first = {}
    for o in resid["outliers"]:
        key = (o["input"], o["position"], o["channel"])
        if key not in first or o["layer"] < first[key]["layer"]:
            first[key] = o
    out = []
    for (i, p, c), o in sorted(first.items()):
        hooks = captures[i]["hooks"]
        contrib = down_input(hooks, o["layer"], p) * down_weights[o["layer"]][c].astype(np.float64)
        share = contrib / o["value"]
        cols = [int(j) for j in np.argsort(-share, kind="stable") if share[j] >= WRITER_SHARE]
        writers = [{"column": j, "contribution": float(contrib[j]), "share": float(share[j])} for j in cols]
        out.append({"layer": o["layer"], "input": i, "position": p, "channel": c, "value": o["value"],
                    "writers": name_columns(writers, hooks, o["layer"], p)})
    return out


def down_weights_from_checkpoint(path, n_layers):
    tensors, _ = st_io.read(path)
    out = []
    for layer in range(n_layers):
        llama = f"model.layers.{layer}.mlp.down_proj.weight"
        experts = f"model.layers.{layer}.block_sparse_moe.experts.{{e}}.w2.weight"  # Mixtral
        if llama in tensors:
            out.append(tensors[llama].float().numpy())
        elif experts.format(e=0) in tensors:  # the experts' W_down side by side [d_model, E * d_ff]
            n = sum(1 for name in tensors if name.startswith(experts.split("{e}")[0]) and name.endswith(".w2.weight"))
            out.append(np.concatenate([tensors[experts.format(e=e)].float().numpy() for e in range(n)], axis=1))
        else:  # GPT-2 Conv1D stores [in, out]
            out.append(tensors[f"transformer.h.{layer}.mlp.c_proj.weight"].float().numpy().T)
    return out


def expert_weight_stats(path, n_layers):
    """A mixture's expert matrices (module "experts.E.gate|up|down" = Mixtral's w1 / w3 / w2) per
    layer, and the down columns of all experts side by side ("down": column E*d_ff + j)."""
    tensors, _ = st_io.read(path)
    names = {"gate": "w1", "up": "w3", "down": "w2"}
    out = []
    for layer in range(n_layers):
        prefix = f"model.layers.{layer}.block_sparse_moe.experts."
        n = sum(1 for name in tensors if name.startswith(prefix) and name.endswith(".w2.weight"))
        modules = {f"experts.{e}.{kind}": weight_stats(tensors[f"{prefix}{e}.{w}.weight"].float().numpy())
                   for e in range(n) for kind, w in names.items()}
        side_by_side = np.concatenate([tensors[f"{prefix}{e}.w2.weight"].float().numpy() for e in range(n)], axis=1)
        out.append({"modules": modules, "down": weight_stats(side_by_side)})
    return out


# ---- synthetic data ----------------------------------------------------------------------------

def softmax_causal(logits):
    h, n, _ = logits.shape
    mask = np.triu(np.ones((n, n), dtype=bool), k=1)
    z = np.where(mask[None], -np.inf, logits)
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def synthetic(out_dir):
    rng = np.random.default_rng(1234)
    n_layers, d, d_ff, heads = 3, 16, 40, 2
    tensors, weights = {}, {}
    for layer in range(n_layers):
        shapes = {"q": (d, d), "k": (d, d), "v": (d, d), "o": (d, d), "gate": (d_ff, d), "up": (d_ff, d),
                  "down": (d, d_ff)}
        for m, shape in shapes.items():
            w = rng.normal(0, 0.05, shape).astype(np.float32)
            if layer == 1 and m == "down":
                w[5, 17] = 4.0  # a planted weight outlier: column 17 writes channel 5
            weights[(layer, m)] = w
            tensors[f"w.{layer}.{m}"] = w
    pieces = [["<s>", "\u2581Summer", "\u2581is", "\u2581warm", ".", "\u2581Winter", "<0x0A>"],
              ["<s>", "\u2581the", "\u2581cat", ",", "\u2581sat", "\u2581", "\u2581on", "\u2581a", "\u2581mat"]]
    captures = []
    for i, pcs in enumerate(pieces):
        n = len(pcs)
        hooks = {}
        for layer in range(n_layers):
            resid = rng.normal(0, 1.0, (n, d)).astype(np.float32)
            post = rng.normal(0, 0.5, (n, d_ff)).astype(np.float32)
            if layer >= 1:  # massive activations from layer 1 on, on the first token and the delimiter
                delim = 4 if i == 0 else 3
                resid[0, 5] = 300.0 + 10 * layer
                resid[delim, 5] = -250.0
                post[0, 17] = 80.0
            if layer == 2:
                resid[0, 9] = 60.0
            logits = rng.normal(0, 1.0, (heads, n, n))
            if layer >= 1:
                logits[:, :, 0] += 6.0  # attention sink on the first token
            hooks[f"blocks.{layer}.hook_resid_post"] = resid
            hooks[f"blocks.{layer}.mlp.hook_post"] = post
            hooks[f"blocks.{layer}.attn.hook_pattern"] = softmax_causal(logits)
        for name, t in hooks.items():
            tensors[f"in.{i}.{name}"] = t
        captures.append({"hooks": hooks, "pieces": pcs})
    # A bf16 weight: the reference works on the bf16-rounded values, as the C++ reads them.
    bf = rng.normal(0, 0.05, (d, d_ff)).astype(np.float32)
    bf[3, 7] = 2.5
    bf_bits = (bf.view(np.uint32) + 0x7FFF + ((bf.view(np.uint32) >> 16) & 1)) >> 16
    bf_rounded = (bf_bits.astype(np.uint32) << 16).view(np.float32)
    os.makedirs(out_dir, exist_ok=True)
    import torch
    st = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in tensors.items()}
    st["bf16.down"] = torch.from_numpy(bf_rounded).to(torch.bfloat16)
    st_io.write(os.path.join(out_dir, "data.safetensors"), st, {"pieces": json.dumps(pieces)})
    expected = {
        "weights": {f"{layer}.{m}": weight_stats(w) for (layer, m), w in weights.items()},
        "bf16_down": weight_stats(bf_rounded),
        "resid_post": site_stats(captures, "blocks.{L}.hook_resid_post"),
        "mlp_post": site_stats(captures, "blocks.{L}.mlp.hook_post"),
        "attention": attention_stats(captures),
        "token_classes": [[token_class(p, k) for k, p in enumerate(pcs)] for pcs in pieces],
    }
    expected["writers"] = writer_stats(captures, [weights[(layer, "down")] for layer in range(n_layers)],
                                       expected["resid_post"])
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def load_hooks(paths):
    captures = []
    for path in paths:
        tensors, meta = st_io.read(path)
        hooks = {k: v.float().numpy() for k, v in tensors.items() if k != "input_ids"}
        ids = tensors["input_ids"].tolist() if "input_ids" in tensors else []
        captures.append({"hooks": hooks, "pieces": [f"#{t}" for t in ids]})
    return captures


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("synthetic")
    s.add_argument("--out", required=True)
    t = sub.add_parser("stats")
    t.add_argument("--hooks", required=True)
    t.add_argument("--weights", help="model.safetensors: adds the lifecycle statistics")
    t.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    if args.cmd == "synthetic":
        synthetic(args.out)
        return
    captures = load_hooks(args.hooks.split(","))
    expected = {"resid_post": site_stats(captures, "blocks.{L}.hook_resid_post"),
                "mlp_post": site_stats(captures, "blocks.{L}.mlp.hook_post"),
                "attention": attention_stats(captures)}
    if args.weights:
        downs = down_weights_from_checkpoint(args.weights, expected["resid_post"]["n_layers"])
        expected["lifecycle"] = lifecycle_stats(captures, downs, expected["resid_post"])
        expected["writers"] = writer_stats(captures, downs, expected["resid_post"])
        if "blocks.0.mlp.hook_expert_weights" in captures[0]["hooks"]:
            expected["expert_weights"] = expert_weight_stats(args.weights, expected["resid_post"]["n_layers"])
    with open(args.out, "w") as f:
        json.dump(expected, f, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
