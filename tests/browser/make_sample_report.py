#!/usr/bin/env python3
"""Writes sample_report.json and sample_comparison.json: synthetic documents in the schemas of
docs/report-schema.md and docs/figures.md with planted outliers (layer 2, resid channels 37 and 12,
down column 101, tokens "<s>" and "."), used by the plot and HTML report tests. Deterministic."""
import json
import os

import numpy as np

rng = np.random.default_rng(7)
L, D, F, H = 6, 64, 172, 8
EMERGE, VANISH = 2, 5
pieces = ["<s>", "▁Summer", "▁is", "▁warm", ".", "▁Winter", "▁is", "▁cold", ".", "\n"]
classes = ["initial", "other", "weak_semantic", "other", "strong_delimiter", "other", "weak_semantic",
           "other", "strong_delimiter", "strong_delimiter"]
T = len(pieces)
HOT_POS, HOT_CH, HOT_COL = [0, 4], [37, 12], 101


def r(x, n=4):
    return [round(float(v), n) for v in x]


def mat(m, n=4):
    return [r(row, n) for row in m]


def resid(layer):
    x = np.abs(rng.normal(0, 0.5, (T, D)))
    if EMERGE <= layer < VANISH:
        for p in HOT_POS:
            x[p, 37], x[p, 12] = 800.0 - 20 * p, 420.0 - 10 * p
    return x


def mlp_post(layer):
    x = np.abs(rng.normal(0, 0.3, (T, F)))
    if layer == EMERGE:
        for p in HOT_POS:
            x[p, HOT_COL] = 41.0 - p
    return x


resids = [resid(l) for l in range(L)]
mlps = [mlp_post(l) for l in range(L)]


def per_layer(xs):
    out = {k: [] for k in ["top1", "top2", "top3", "median", "top1_channel", "top2_channel", "top1_position",
                           "top1_input", "n_outliers"]}
    for x in xs:
        flat = np.sort(x.ravel())[::-1]
        chan_max = x.max(axis=0)
        order = np.argsort(-chan_max)
        out["top1"].append(float(flat[0])); out["top2"].append(float(flat[1])); out["top3"].append(float(flat[2]))
        out["median"].append(float(np.median(x)))
        out["top1_channel"].append(int(order[0])); out["top2_channel"].append(int(order[1]))
        out["top1_position"].append(int(np.unravel_index(np.argmax(x), x.shape)[0])); out["top1_input"].append(0)
        out["n_outliers"].append(int((x > 20 * np.median(x)).sum()))
    return {k: (r(v) if isinstance(v[0], float) else v) for k, v in out.items()}


def landscape(x, layer, hook, channels, hot_ch):
    return {"layer": layer, "input": 0, "hook": hook, "positions": list(range(T)), "pieces": pieces,
            "channels": channels, "highlight_positions": HOT_POS, "highlight_channels": hot_ch,
            "abs_values": mat(x[:, channels])}


w_down = np.abs(rng.normal(0, 0.02, (D, F)))
w_down[37, HOT_COL], w_down[12, HOT_COL] = 1.9, 1.1
shown_cols = [0, 1, 2, 99, 100, HOT_COL, 102, 103, 171]


def weight_landscape(w, module, highlight_cols, highlight_rows):
    return {"layer": EMERGE, "module": module, "columns": shown_cols, "highlight_columns": highlight_cols,
            "rows": list(range(w.shape[0])), "highlight_rows": highlight_rows, "abs_values": mat(w[:, shown_cols], 5)}


ratios = {m: r(rng.uniform(5, 30, L), 2) for m in ["q", "k", "v", "o", "gate", "up"]}
down_ratio = r([12, 15, 1150, 20, 18, 560], 2)
ratios["down"] = down_ratio
ratios["reference_mean"] = r(np.mean([ratios[m] for m in ["q", "k", "v", "o", "gate", "up", "down"]], axis=0), 2)

patterns = []
for l in range(L):
    p = np.tril(rng.uniform(0, 1, (H, T, T)))
    if l >= EMERGE + 1:
        p[:, :, 0] += 8.0
        p[:, 4:, 4] += 3.0
    p = np.tril(p)
    p /= p.sum(axis=2, keepdims=True)
    patterns.append(p)
received = [p.sum(axis=1) for p in patterns]  # [H, keys]
head_mean = [rv.mean(axis=0) for rv in received]

report = {
    "schema": "outlierscope.report", "schema_version": 1, "tool_version": "0.1.0",
    "created_utc": "2026-11-28T17:00:00Z", "command": "scan",
    "model": {"path": "models/sample", "name": "sample-llama <b>&\"", "architecture": "llama", "n_layers": L,
              "d_model": D, "d_ff": F, "n_heads": H, "n_kv_heads": H, "d_head": 8, "vocab_size": 512,
              "gated_mlp": True},
    "thresholds": {"activation": {"relative_to_median": 20.0, "absolute_min": 0.0, "rule_used": "relative"}},
    "inputs": [{"index": 0, "source": "default", "n_tokens": T, "token_ids": list(range(1, T + 1)),
                "pieces": pieces, "classes": classes}],
    "summary": {"emergence_layer": EMERGE, "disappearance_layer": VANISH, "outlier_channels": HOT_CH,
                "down_columns": [HOT_COL],
                "outlier_tokens": [{"input": 0, "position": p, "piece": pieces[p], "class": classes[p]} for p in HOT_POS],
                "max_magnitude": 800.0, "median_magnitude": 0.34, "sink_positions": [0, 4],
                "sink_heads": [{"layer": 3, "head": 1}],
                "weight_outlier_columns": [{"layer": EMERGE, "module": "down", "column": HOT_COL, "ratio": 1150.0}]},
    "weights": {
        "modules": ["q", "k", "v", "o", "gate", "up", "down"],
        "down": {"max_col_ratio": down_ratio, "median_col_ratio": r(rng.uniform(2, 4, L), 2),
                 "top3_columns": [[HOT_COL if l in (EMERGE, VANISH) else int(rng.integers(F)), int(rng.integers(F)),
                                   int(rng.integers(F))] for l in range(L)],
                 "top3_ratios": [[float(down_ratio[l]), 5.0, 4.0] for l in range(L)]},
        "module_max_ratio": ratios,
        "landscape": weight_landscape(w_down, "down", [HOT_COL], [37, 12]),
    },
    "activations": {
        "sites": {"resid_post": {"hook": "blocks.{L}.hook_resid_post", "width": D, "per_layer": per_layer(resids)},
                  "mlp_post": {"hook": "blocks.{L}.mlp.hook_post", "width": F, "per_layer": per_layer(mlps)}},
        "token_classes": {"initial": 3, "strong_delimiter": 2, "weak_semantic": 1, "other": 0, "total": 6},
        "landscapes": {
            "resid_post": landscape(resids[EMERGE], EMERGE, "blocks.2.hook_resid_post", list(range(D)), HOT_CH),
            "mlp_post": landscape(mlps[EMERGE], EMERGE, "blocks.2.mlp.hook_post", list(range(F)), [HOT_COL]),
        },
    },
    "attention": {
        "n_layers": L, "n_heads": H,
        "per_layer": {"top1": r([np.sort(h)[-1] for h in head_mean]), "top2": r([np.sort(h)[-2] for h in head_mean]),
                      "median": r([np.median(h) for h in head_mean]),
                      "top1_position": [int(np.argmax(h)) for h in head_mean],
                      "first_token_share": r([h[0] / T for h in head_mean])},
        "received": {"input": 0, "pieces": pieces, "by_layer_head_key": [mat(rv) for rv in received],
                     "head_mean": [r(h) for h in head_mean]},
        "sink_share_by_head": [r((p[:, :, 0].sum(axis=1) + p[:, :, 4].sum(axis=1)) / T) for p in patterns],
        "outliers": [{"layer": l, "input": 0, "position": k, "piece": pieces[k], "class": classes[k],
                      "received": round(float(head_mean[l][k]), 3), "threshold": 1.0, "heads": list(range(H))}
                     for l in range(EMERGE + 1, L) for k in (0, 4)],
        "heads_affected": [{"layer": 3, "head": h, "n_keys": 2} for h in range(H)],
        "token_classes": {"initial": 5, "strong_delimiter": 4, "weak_semantic": 1, "other": 0, "total": 10},
        "pattern": {"layer": 3, "input": 0, "pieces": pieces, "head_mean": mat(patterns[3].mean(axis=0))},
    },
    "lifecycle": {
        "emergence": {
            "layer": EMERGE, "channels": HOT_CH, "positions": HOT_POS, "input": 0,
            "down_columns": [{"column": HOT_COL, "contribution": 779.0, "share": 0.97, "activation": 41.0, "weight": 19.0},
                             {"column": 7, "contribution": 12.0, "share": 0.015, "activation": 1.0, "weight": 12.0}],
            "gate_up": [{"column": HOT_COL, "gate_pre": 6.1, "up_pre": 6.8, "gate_pre_others_mean_abs": 0.2,
                         "up_pre_others_mean_abs": 0.3, "gate_row_max_ratio": 8.2, "up_row_max_ratio": 7.5}],
            "weight_landscapes": {"down": weight_landscape(w_down, "down", [HOT_COL], [37, 12]),
                                  "gate": weight_landscape(np.abs(rng.normal(0, 0.05, (D, F))), "gate", [HOT_COL], []),
                                  "up": weight_landscape(np.abs(rng.normal(0, 0.05, (D, F))), "up", [HOT_COL], [])},
            "values": {"positions": list(range(T)), "pieces": pieces,
                       "mlp_post": {"channels": shown_cols, "values": mat(mlps[EMERGE][:, shown_cols])},
                       "mlp_out": {"channels": list(range(D)), "values": mat(-resids[EMERGE] * 0.9)},
                       "resid_post": {"channels": list(range(D)), "values": mat(resids[EMERGE])}},
        },
        "spread": {
            "layer": 3, "input": 0, "head": 1, "pieces": pieces, "outlier_positions": HOT_POS,
            "q_norm": r([0.5 if p in HOT_POS else 3.0 + rng.uniform() for p in range(T)]),
            "k_norm": r([0.8 if p in HOT_POS else 2.9 + rng.uniform() for p in range(T)]),
            "v_norm": r([0.05 if p in HOT_POS else 1.4 + rng.uniform() for p in range(T)]),
            "q_norm_outlier_mean": 0.5, "q_norm_other_mean": 3.5, "k_norm_outlier_mean": 0.8, "k_norm_other_mean": 3.4,
            "v_norm_outlier_mean": 0.05, "v_norm_other_mean": 1.9,
            "attn_logits": [[round(float(np.log(patterns[3][1, q, k]) + 2.0), 3) if k <= q else None for k in range(T)]
                            for q in range(T)],
            "attn_probs": mat(patterns[3][1]), "prob_to_outliers_mean": 0.81,
        },
        "disappearance": {"layer": VANISH, "peak": 800.0, "before": 795.0, "after": 12.0,
                          "cancel_by": {"mlp_out": -780.1, "attn_out": -10.2,
                                        "down_columns": [{"column": 55, "contribution": -701.3, "share": 0.9}],
                                        "o_columns": [{"column": 12, "contribution": -5.1, "share": 0.5}]}},
    },
    "ablation": {"files": ["corpus.txt"], "n_tokens": 4096, "context": 256,
                 "perplexity": {"original": 9.81, "zero": "inf", "mean": 9.83}, "mean_values": [-640.2]},
}

variants = []
for i, (name, label, peak) in enumerate([("softmax", "(a) softmax", 600.0), ("softmax_plus_one", "(b) softmax-1", 450.0),
                                         ("sigmoid", "(c) sigmoid", 300.0), ("kv_bias", "(d) KV bias", 8.0),
                                         ("context_aware", "(e) context-aware", 6.0)]):
    x = np.abs(rng.normal(0, 0.5, (T, D)))
    x[0, 37], x[4, 37] = peak, peak * 0.6
    curves = {"top1": r([0.5] + [peak] * (L - 2) + [peak / 10]), "median": r(rng.uniform(0.2, 0.4, L))}
    variants.append({"name": name, "label": label,
                     "landscape": landscape(x, 4, "blocks.4.hook_resid_post", list(range(D)), [37]),
                     "per_layer": curves})
comparison = {"schema": "outlierscope.comparison", "schema_version": 1, "title": "GPT-2 sample, attention variants",
              "n_layers": L, "variants": variants}

here = os.path.dirname(os.path.abspath(__file__))
for name, doc in (("sample_report.json", report), ("sample_comparison.json", comparison)):
    with open(os.path.join(here, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
