#!/usr/bin/env python3
"""Cross-seed table of a variant experiment (docs/experiments.md, experiment 1c): per variant and
seed, the quantities the findings rest on, from each seed's summary.csv and layers.csv.

    scripts/experiment_seeds_table.py 1337=docs/experiments/bigram_backcopy_3000 7=DIR 42=DIR
"""
import csv
import sys

dirs = {int(arg.split("=", 1)[0]): arg.split("=", 1)[1] for arg in sys.argv[1:]}
order = ["softmax", "fixed_bias", "ctx_bias", "attn_bias", "ctx_scale", "sigmoid", "softmax1", "clipped_softmax",
         "gated"]
label = {"softmax": "(a) softmax", "fixed_bias": "(b) fixed_bias", "ctx_bias": "(c) ctx_bias", "attn_bias": "(d) attn_bias",
         "ctx_scale": "(e) ctx_scale", "sigmoid": "(f) sigmoid", "softmax1": "softmax1",
         "clipped_softmax": "clipped_softmax", "gated": "gated"}
rows = {}
for seed, d in dirs.items():
    summ = {r["variant"]: r for r in csv.DictReader(open(d + "/summary.csv"))}
    lay = {}
    for r in csv.DictReader(open(d + "/layers.csv")):
        lay.setdefault(r["variant"], {})[int(r["layer"])] = r
    for v in order:
        if v not in summ:
            continue
        s, l = summ[v], lay[v]
        rows.setdefault(v, []).append(dict(
            seed=seed, val=float(s["val_loss"]),
            sink0=100 * float(l[0]["first_token_attention"]),
            extra0=100 * float(l[0]["extra_attention"]),
            ratio=max(float(l[k]["ratio"]) for k in l),
            bos_last=float(l[max(l)]["first_token_norm_ratio"]),
            sparse=100 * (float(s["ppl_sparse50"]) / float(s["ppl_original"]) - 1),
            w8a8=100 * (float(s["ppl_w8a8"]) / float(s["ppl_original"]) - 1)))
print("| variant | seed | val loss | attention on BOS, layer 0 | extra slot, layer 0 | max top-1/median | BOS norm ratio, last layer | W8A8 | 50% sparse |")
print("|---|---|---|---|---|---|---|---|---|")
for v in order:
    for r in rows.get(v, []):
        extra = "1 (by construction)" if v == "fixed_bias" else ("-" if r["extra0"] == 0 else f"{r['extra0']:.1f}%")
        print(f"| {label[v]} | {r['seed']} | {r['val']:.4f} | {r['sink0']:.1f}% | {extra} | {r['ratio']:.1f} | {r['bos_last']:.2f} | {r['w8a8']:+.2f}% | {r['sparse']:+.2f}% |")
