#!/usr/bin/python3
"""Reference next-token distributions of Hugging Face's sampling: the logits warpers that
generate(do_sample=True) applies in order, written from their public definitions
(transformers.generation.logits_process): TemperatureLogitsWarper divides the scores by the
temperature; TopKLogitsWarper sets every score below the k-th largest to -inf; TopPLogitsWarper
sorts the scores ascending, and sets to -inf those whose cumulative softmax probability is at most
1 - top_p (always keeping the most likely token). The distribution is the softmax of the result.

Input JSON: {"logits": [[...], ...], "cases": [{"temperature": T, "top_k": K, "top_p": P}, ...]}
(top_k 0 and top_p 1 switch a warper off). Output JSON: {"distributions": [[[p...] per logits row]
per case]}.

usage: sampling_ref.py IN.json OUT.json
"""
import json
import sys

import torch


def temperature(scores, t):
    return scores / t


def top_k(scores, k):
    if k <= 0:
        return scores
    k = min(k, scores.shape[-1])
    kth = torch.topk(scores, k)[0][..., -1, None]
    return scores.masked_fill(scores < kth, -float("inf"))


def top_p(scores, p):
    if p >= 1.0:
        return scores
    sorted_logits, sorted_indices = torch.sort(scores, descending=False)
    cumulative = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    remove_sorted = cumulative <= (1 - p)
    remove_sorted[..., -1:] = False  # min_tokens_to_keep = 1
    remove = remove_sorted.scatter(-1, sorted_indices, remove_sorted)
    return scores.masked_fill(remove, -float("inf"))


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    data = json.load(open(argv[0]))
    logits = torch.tensor(data["logits"], dtype=torch.float64)  # [rows, vocab]
    out = []
    for case in data["cases"]:
        scores = temperature(logits, case["temperature"])
        scores = top_k(scores, case["top_k"])
        scores = top_p(scores, case["top_p"])
        out.append(scores.softmax(dim=-1).tolist())
    json.dump({"distributions": out}, open(argv[1], "w"))


if __name__ == "__main__":
    main(sys.argv[1:])
