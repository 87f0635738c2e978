"""CPU seconds per phase of a `scan` profiled by bench/scan_7b_profile.sh.

usage: scan_phases.py PROGRESS_LOG SAMPLES HZ
PROGRESS_LOG: the scan's stderr, each line prefixed with CLOCK_MONOTONIC seconds (plus "start" and
"end" lines); SAMPLES: `perf script -F comm,tid,time,ip,sym,dso` of `perf record -F HZ -k CLOCK_MONOTONIC`.
A sample is HZ⁻¹ CPU seconds of one thread; the progress lines ("forward 0/N", "forward N/N ... in",
"ablation 0/N", "ablation N/N ... in", "figures 0/N") mark where each phase begins and ends. A sweep's
head (the unembedding of every input) runs after its last progress line: its matmul samples are
counted apart ("matmul" below) in the phase that follows.
"""
import collections
import re
import sys

WEIGHT_STATS = ("matrix_ratios", "dequantize_row", "summarize_module", "down_columns")  # as main builds them
TOKENIZER = ("bpe_merge", "Vocab::find", "SentencePiece", "_Hash_bytes", "encode")
MATMUL = ("sgemm", "convert_rows_to_f32", "kernels::")


def boundaries(path):
    marks = {}
    for line in open(path, encoding="utf-8", errors="replace"):
        stamp, _, text = line.partition(" ")
        t = float(stamp)
        for label in ("forward", "ablation", "figures"):
            if re.match(label + r" 0/\d+", text) and label + "_begin" not in marks:
                marks[label + "_begin"] = t
            if re.match(label + r" \d+/\d+ .* in ", text):
                marks[label + "_end"] = t
        if text.strip() in ("start", "end"):
            marks[text.strip()] = t
    return marks


def samples(path):
    pattern = re.compile(r"^\s*(\S+)\s+(\d+)\s+([\d.]+):\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$")
    for line in open(path, encoding="utf-8", errors="replace"):
        m = pattern.match(line)
        if m:
            yield float(m.group(3)), m.group(4)


def main(progress, sample_file, hz):
    marks = boundaries(progress)
    edges = [("load, tokenize, embed", marks["start"]), ("forward sweep (weights + forward)", marks["forward_begin"]),
             ("head, analyses", marks["forward_end"])]
    if "ablation_begin" in marks:
        edges += [("ablation sweep", marks["ablation_begin"]), ("ablation heads, report", marks["ablation_end"])]
    if "figures_begin" in marks:
        edges.append(("figures", marks["figures_begin"]))
    edges.append(("", marks["end"]))
    per_phase = collections.defaultdict(collections.Counter)
    for t, sym in samples(sample_file):
        for (name, begin), (_, end) in zip(edges, edges[1:]):
            if begin <= t < end:
                per_phase[name][sym] += 1
    total = 0.0
    for name, begin in edges[:-1]:
        counts = per_phase[name]
        cpu = sum(counts.values()) / hz
        total += cpu
        wstats = sum(n for s, n in counts.items() if any(k in s for k in WEIGHT_STATS)) / hz
        tok = sum(n for s, n in counts.items() if any(k in s for k in TOKENIZER)) / hz
        mm = sum(n for s, n in counts.items() if any(k in s for k in MATMUL)) / hz
        print(f"{name:36s} CPU {cpu:8.1f} s  (weight statistics {wstats:.1f} s, tokenizer {tok:.1f} s, matmul {mm:.1f} s)")
        for sym, n in counts.most_common(6):
            print(f"    {n / hz:8.1f} s  {sym[:90]}")
    print(f"{'total':36s} CPU {total:8.1f} s, wall {marks['end'] - marks['start']:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]))
