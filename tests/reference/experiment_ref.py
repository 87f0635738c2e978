"""numpy reference for the variant experiment's per-layer statistics (src/experiment/layer_stats.h).

  experiment_ref.py DIR

DIR holds dims.json {"layers", "windows", "heads", "seq", "dim"}, resid.f32 (the residual stream
after each layer, float32 [layers, windows, seq, dim]) and attn.f32 (attention weights, float32
[layers, windows, heads, seq, seq]). Writes DIR/stats.json: per statistic a list over layers,
computed from the definitions (per window, then the mean over windows).
"""
import json
import os
import sys

import numpy as np


def window_stats(x, a):
    """x: [seq, dim] residual; a: [heads, seq, seq] attention weights of one window."""
    flat = np.sort(np.abs(x).ravel())[::-1]
    norms = np.linalg.norm(x.astype(np.float64), axis=1)
    centred = x.astype(np.float64) - x.mean(axis=1, keepdims=True, dtype=np.float64)
    m2 = (centred ** 2).mean(axis=1)
    m4 = (centred ** 4).mean(axis=1)
    return {
        "top1": flat[0], "top2": flat[1], "top3": flat[2],
        "median": np.median(np.abs(x)),
        "first_token_norm_ratio": norms[0] / np.median(norms[1:]),
        "first_token_attention": a[:, 1:, 0].mean(),
        "kurtosis": (m4 / m2 ** 2).mean(),
    }


def main(d):
    dims = json.load(open(os.path.join(d, "dims.json")))
    L, W, H, T, D = (dims[k] for k in ("layers", "windows", "heads", "seq", "dim"))
    resid = np.fromfile(os.path.join(d, "resid.f32"), dtype=np.float32).reshape(L, W, T, D)
    attn = np.fromfile(os.path.join(d, "attn.f32"), dtype=np.float32).reshape(L, W, H, T, T)
    out = {}
    for l in range(L):
        per_window = [window_stats(resid[l, w], attn[l, w]) for w in range(W)]
        for key in per_window[0]:
            out.setdefault(key, []).append(float(np.mean([s[key] for s in per_window])))
    out["ratio"] = [t / m for t, m in zip(out["top1"], out["median"])]
    json.dump(out, open(os.path.join(d, "stats.json"), "w"))


if __name__ == "__main__":
    main(sys.argv[1])
