#!/usr/bin/env python3
"""`mpirun -np N outlierscope scan weights` (each rank reads the weights of its own layers,
docs/distributed.md) on loopback against one process, whose weight statistics are themselves
checked against PyTorch (tests/reference/): report.json (apart from its creation time) and
weights_per_layer.csv the same bytes on 2 and 3 ranks, for stories260K (llama2.c, the strongest
down column on the last rank), a synthesised GPT-2 (on rank 0) and a synthesised Mixtral (expert
matrices, on the last rank). The other parts: pipeline_scan_parts_test.py.

Environment: OUTLIERSCOPE_CLI, OUTLIERSCOPE_MPIEXEC, OUTLIERSCOPE_SHARED or else
OUTLIERSCOPE_DEFAULT_SHARED, OUTLIERSCOPE_SCRATCH (as tests/mpi/pipeline_mpi_test.py).
"""
import json
import os
import subprocess
import sys

from mpi_harness import STORIES, check, run, run_checks

SCRATCH = os.path.join(os.environ["OUTLIERSCOPE_SCRATCH"], "scan")




def report_without_time(folder):
    with open(os.path.join(folder, "report.json")) as f:
        report = json.load(f)
    report.pop("created_utc")
    return report


def compare_scans(label, model, landscape_layer):
    base = os.path.join(SCRATCH, "scan_" + label)
    subprocess.run(["rm", "-rf", base], check=True)
    rc, out1, err = run(["scan", "weights", model, "--out", base + "/one"])
    check(rc == 0, f"{label}: scan weights in one process ({err.strip()})")
    one = report_without_time(base + "/one")
    check(one["weights"]["landscape"]["layer"] == landscape_layer,
          f"{label}: the strongest down column is in layer {landscape_layer}")
    for ranks in (2, 3):
        folder = f"{base}/{ranks}"
        rc, outn, err = run(["scan", "weights", model, "--out", folder], ranks)
        check(rc == 0, f"{label}: scan weights on {ranks} ranks ({err.strip()})")
        if rc:
            continue
        check(report_without_time(folder) == one, f"{label}: report.json on {ranks} ranks equals one process's")
        with open(base + "/one/weights_per_layer.csv") as a, open(folder + "/weights_per_layer.csv") as b:
            check(a.read() == b.read(), f"{label}: weights_per_layer.csv on {ranks} ranks equals one process's")
        check(outn.replace(folder, "DIR") == out1.replace(base + "/one", "DIR"), f"{label}: the same summary on {ranks} ranks")


def main():
    os.makedirs(SCRATCH, exist_ok=True)
    compare_scans("stories", STORIES, 4)
    for arch, seed, layer in (("gpt2", "7", 0), ("mixtral", "0", 2)):
        model = os.path.join(SCRATCH, "synth_" + arch)
        rc, _, err = run(["synth", "--arch", arch, "--preset", "tiny", "--layers", "3", "--seed", seed, "--out", model])
        check(rc == 0, f"synth {arch} ({err.strip()})")
        compare_scans("synth_" + arch, model, layer)


if __name__ == "__main__":
    run_checks(main)
