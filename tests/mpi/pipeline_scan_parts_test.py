#!/usr/bin/env python3
"""`mpirun -np N outlierscope scan|scan attention|scan lifecycle` (the capture sweep runs on the
rank that holds each layer, the lifecycle reads its weights from their owners; docs/distributed.md)
on loopback against one process, whose analyses are themselves checked against PyTorch
(tests/reference/, tests/unit/analysis_planted_test.cpp): report.json (apart from its creation
time), every CSV, every figure and the printed summary are the same bytes. Models: stories260K on
several windows of a text file (no outliers emerge: the lifecycle is empty) and checkpoints with
planted outliers (tests/reference/plant_outliers.py: 5 layers, emergence at layer 2 on rank 1,
disappearance at layer 4 on the last rank; LLaMA dense, Mixtral with the writer in an expert).
Errors: one line from one rank, exit 2, no hang.

Environment: as tests/mpi/pipeline_scan_test.py.
"""
import filecmp
import json
import os
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
    models = {}
    for arch, ranks in (("llama", (2, 3)), ("mixtral", (2,))):
        model, ids = planted(arch)
        models[arch] = model
        one = compare("planted_" + arch, model, ids + ["--figures"], ranks)
        if one:
            life = one["lifecycle"]
            check(life["emergence"]["layer"] == 2 and life["emergence"].get("down_columns"),
                  f"planted {arch}: emergence at layer 2 (rank 1) with its down columns")
            check(arch == "mixtral" or life["disappearance"].get("cancel_by", {}).get("down_columns"),
                  f"planted {arch}: the disappearance's cancelling columns (last rank)")
        for part in ("attention", "lifecycle"):
            compare(f"planted_{arch}_{part}", model, ids, (2,), (part,))
    return models


def one_error_line(label, args, ranks, expected):
    rc, _, err = run(args, ranks, timeout=60)
    ours = [line for line in err.splitlines() if line.startswith("outlierscope")]
    check(rc == 2 and len(ours) == 1 and expected in ours[0], f"{label}: one line, exit 2 ({rc}: {ours})")
    return ours[0] if ours else ""


def errors(text, model):
    out = os.path.join(SCRATCH, "errors")
    one_error_line("6 ranks for 5 layers", ["scan", STORIES, "--out", out], 6, "6 ranks cannot share 5 layers")
    one_error_line("a bad --act-rule", ["scan", STORIES, "--act-rule", "nope", "--out", out], 2, "--act-rule")
    for part in ([], ["ablate"]):
        one_error_line(f"scan {' '.join(part)} with the ablation", ["scan", *part, STORIES, "--file", text,
                       "--ablate-file", text, "--out", out], 2, "does not run layer-pipelined yet")
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
    errors(text, planted_models()["llama"])


if __name__ == "__main__":
    run_checks(main)
