#!/usr/bin/env python3
"""`mpirun -np N outlierscope scan|scan attention|scan lifecycle|scan ablate` (the capture sweep and
the ablation's passes run on the rank that holds each layer, the lifecycle reads its weights from
their owners; docs/distributed.md)
on loopback against one process, whose analyses are themselves checked against PyTorch
(tests/reference/, tests/unit/analysis_planted_test.cpp): report.json (apart from its creation
time), every CSV, every figure and the printed summary are the same bytes. Models: stories260K on
several windows of a text file (no outliers emerge: the lifecycle is empty) and checkpoints with
planted outliers (tests/reference/plant_outliers.py: 5 layers, emergence at layer 2 on rank 1,
disappearance at layer 4 on the last rank; LLaMA dense, Mixtral with the writer in an expert).
The ablation (`scan --ablate-file`, `scan ablate`): stories260K with the relative rule (outliers
at layer 0 of rank 0), the planted LLaMA with a byte-level tokenizer (target layer 2 on rank 1;
ids = bytes, so '.' is the planted delimiter): the same bytes as one process too.
Errors: one line from one rank, exit 2, no hang.

Environment: as tests/mpi/pipeline_scan_test.py.
"""
import filecmp
import json
import os
import shutil
import subprocess
import sys

from mpi_harness import STORIES, check, run, run_checks

SCRATCH = os.path.join(os.environ["OUTLIERSCOPE_SCRATCH"], "scan_parts")
REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference")


def report_without_time(folder):
    with open(os.path.join(folder, "report.json")) as f:
        report = json.load(f)
    report.pop("created_utc")
    return report


def same_files(one, other):
    """The files of folder `one` (figures included) that differ in `other`, apart from those that
    carry the creation time (report.json, compared without it; report.html)."""
    differ = []
    for root, _, files in os.walk(one):
        for name in files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, one)
            if rel in ("report.json", "report.html"):
                continue
            if not filecmp.cmp(path, os.path.join(other, rel), shallow=False):
                differ.append(rel)
    return differ


def compare(label, model, args, ranks_list, part=()):
    base = os.path.join(SCRATCH, label)
    subprocess.run(["rm", "-rf", base], check=True)
    rc, out1, err = run(["scan", *part, model, "--out", base + "/one"] + args)
    check(rc == 0, f"{label}: one process ({err.strip()[-300:]})")
    if rc:
        return None
    one = report_without_time(base + "/one")
    for ranks in ranks_list:
        folder = f"{base}/{ranks}"
        rc, outn, err = run(["scan", *part, model, "--out", folder] + args, ranks)
        check(rc == 0, f"{label}: on {ranks} ranks ({err.strip()[-300:]})")
        if rc:
            continue
        check(report_without_time(folder) == one, f"{label}: report.json on {ranks} ranks equals one process's")
        differ = same_files(base + "/one", folder)
        check(not differ, f"{label}: every CSV and figure on {ranks} ranks the same bytes ({differ})")
        check(outn.replace(folder, "DIR") == out1.replace(base + "/one", "DIR"), f"{label}: the same summary on {ranks} ranks")
    return one


def planted(arch):
    folder = os.path.join(SCRATCH, "model_" + arch)
    subprocess.run([sys.executable, os.path.join(REFERENCE, "plant_outliers.py"), "--arch", arch, "--out", folder],
                   check=True, capture_output=True)
    with open(os.path.join(folder, "planted.json")) as f:
        inputs = json.load(f)["inputs"]
    ids = [arg for i in inputs for arg in ("--ids", ",".join(map(str, i["ids"])))]
    return folder, ["--no-default"] + ids


def planted_models():
    """The planted checkpoints, by architecture."""
    models, ids_of = {}, {}
    for arch, ranks in (("llama", (2, 3)), ("mixtral", (2,))):
        model, ids = planted(arch)
        models[arch], ids_of[arch] = model, ids
        one = compare("planted_" + arch, model, ids + ["--figures"], ranks)
        if one:
            life = one["lifecycle"]
            check(life["emergence"]["layer"] == 2 and life["emergence"].get("down_columns"),
                  f"planted {arch}: emergence at layer 2 (rank 1) with its down columns")
            check(arch == "mixtral" or life["disappearance"].get("cancel_by", {}).get("down_columns"),
                  f"planted {arch}: the disappearance's cancelling columns (last rank)")
        for part in ("attention", "lifecycle"):
            compare(f"planted_{arch}_{part}", model, ids, (2,), (part,))
    return models, ids_of


def byte_tokenizer(model):
    """A GPT-2-style byte-level tokenizer.json whose ids are the byte values (the planted vocab is 256)."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    chars, extra = {}, 0
    for b in range(256):
        chars[b] = chr(b) if b in printable else chr(256 + extra)
        extra += b not in printable
    vocab = {chars[b]: b for b in range(256)}
    tokenizer = {"version": "1.0", "model": {"type": "BPE", "vocab": vocab, "merges": []},
                 "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False},
                 "decoder": {"type": "ByteLevel"}}
    with open(os.path.join(model, "tokenizer.json"), "w") as f:
        json.dump(tokenizer, f)


def ablations(text, stories, llama, llama_ids):
    """scan --ablate-file and scan ablate, pipelined, against one process; the target layer on rank 0
    (stories) and on rank 1 (planted LLaMA, whose later ranks carry three passes per window)."""
    relative = ["--act-rule", "relative", "--act-k", "10", "--ablate-ctx", "32", "--ablate-windows", "3"]
    one = compare("stories_ablation", STORIES, stories + relative + ["--ablate-file", text], (2, 3))
    check(one and one["ablation"]["target"]["n_entries"] > 0, "stories: the ablation has entries to zero")
    compare("stories_ablate", STORIES, stories + relative, (2, 3), ("ablate",))
    copy = os.path.join(SCRATCH, "model_llama_tokenizer")
    subprocess.run(["rm", "-rf", copy], check=True)
    shutil.copytree(llama, copy)
    byte_tokenizer(copy)
    planted_args = llama_ids + ["--ablate-file", text, "--ablate-ctx", "24", "--ablate-windows", "4"]
    one = compare("planted_llama_ablation", copy, planted_args, (2, 3))
    if one:
        target = one["ablation"]["target"]
        check(target["layer"] == 2 and target["n_entries"] > 0, f"planted llama: ablation at layer 2 with entries ({target})")
    compare("planted_llama_ablate", copy, planted_args, (2, 3), ("ablate",))


def one_error_line(label, args, ranks, expected):
    rc, _, err = run(args, ranks, timeout=60)
    ours = [line for line in err.splitlines() if line.startswith("outlierscope")]
    check(rc == 2 and len(ours) == 1 and expected in ours[0], f"{label}: one line, exit 2 ({rc}: {ours})")
    return ours[0] if ours else ""


def errors(text, model):
    out = os.path.join(SCRATCH, "errors")
    one_error_line("6 ranks for 5 layers", ["scan", STORIES, "--out", out], 6, "6 ranks cannot share 5 layers")
    one_error_line("a bad --act-rule", ["scan", STORIES, "--act-rule", "nope", "--out", out], 2, "--act-rule")
    one_error_line("scan ablate without a text file", ["scan", "ablate", STORIES, "--out", out], 2, "needs a text file")
    rc, _, err1 = run(["scan", model, "--out", out])
    lone = err1.strip().split(": ", 1)[-1]
    line = one_error_line("a model without tokenizer", ["scan", model, "--out", out], 2, "no tokenizer found")
    check(rc == 2 and line.endswith(lone), f"the same message as one process ({lone})")


def main():
    os.makedirs(SCRATCH, exist_ok=True)
    text = os.path.join(SCRATCH, "story.txt")
    with open(text, "w") as f:
        f.write(" ".join(f"Tom had {n} blue kites and he flew them by the sea." for n in range(40)))
    stories = ["--file", text, "--max-tokens", "48", "--max-windows", "6"]
    compare("stories", STORIES, stories, (2, 3))
    compare("stories_lifecycle", STORIES, stories, (2,), ("lifecycle",))
    models, ids_of = planted_models()
    ablations(text, stories, models["llama"], ids_of["llama"])
    errors(text, models["llama"])


if __name__ == "__main__":
    run_checks(main)
