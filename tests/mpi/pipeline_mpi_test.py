#!/usr/bin/env python3
"""`mpirun -np N outlierscope run|perplexity|generate` (the layer pipeline, docs/distributed.md) on loopback
against the single-process commands, which are themselves checked against PyTorch
(tests/reference/). Run by ctest with the group as argument:

  equality  every hook point of `run --hooks '*'` (also with an intervention on a later rank's
            layer) on stories260K (llama2.c, 5 layers, 2 and 3 ranks) and a synthesised GPT-2
            (3 layers, learned positions, tied head, transposed Conv1D weights), equal to one
            process within 1e-6 relative (the test also reports whether they are bit for bit the
            same); the perplexity of stories260K over 19
            windows (several in the pipeline at once) on 2 and 3 ranks, bit for bit equal to one
            process; `generate` (each rank keeping the KV cache of its layers) on 2 and 3 ranks, the
            same text as one process; patterns that match on no rank, and more ranks than layers, are refused with
            one clear error.
  failures  a rank killed with SIGKILL mid-run ends the job within seconds; a rank stopped with
            SIGSTOP (a hang) ends it after --mpi-timeout with an error naming what rank 0 waited
            for; the same for the training's gradient sum.

Environment: OUTLIERSCOPE_CLI (the program), OUTLIERSCOPE_MPIEXEC ("mpiexec --oversubscribe"),
OUTLIERSCOPE_SHARED or else OUTLIERSCOPE_DEFAULT_SHARED (the shared test data), OUTLIERSCOPE_SCRATCH
(a folder for outputs).
"""
import glob
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np

from mpi_harness import CLI, MPIEXEC, STORIES, check, run, run_checks

SCRATCH = os.environ["OUTLIERSCOPE_SCRATCH"]




def scratch(name):
    path = os.path.join(SCRATCH, name)
    subprocess.run(["rm", "-rf", path], check=True)
    os.makedirs(path)
    return path


def npy_folder(folder):
    return {os.path.basename(p): np.load(p) for p in sorted(glob.glob(os.path.join(folder, "*.npy")))}


def max_relative_difference(a, b):
    if a.shape != b.shape:
        return float("inf")
    if np.array_equal(a, b, equal_nan=True):
        return 0.0
    finite = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(np.isfinite(a), np.isfinite(b)) or not np.array_equal(a[~finite], b[~finite]):
        return float("inf")  # -inf of masked attention scores must stay where they are
    scale = np.maximum(np.abs(a[finite]).max(initial=0.0), 1e-30)
    return float(np.abs(a[finite] - b[finite]).max(initial=0.0) / scale)


def compare_runs(label, model, args, ranks):
    """Every hook point of one process and of `ranks` ranks: same names, same shapes, same values."""
    base = scratch(f"pipeline_{label}_{ranks}")
    rc1, out1, err1 = run(["run", model] + args + ["--npy-dir", base + "/one"])
    rcn, outn, errn = run(["run", model] + args + ["--npy-dir", base + "/many"], ranks)
    check(rc1 == 0 and rcn == 0, f"{label}: run on 1 and {ranks} ranks succeed ({err1.strip()} | {errn.strip()})")
    if rc1 or rcn:
        return
    one, many = npy_folder(base + "/one"), npy_folder(base + "/many")
    check(sorted(one) == sorted(many) and len(one) > 10, f"{label}: {ranks} ranks write the same {len(one)} files")
    worst = max((max_relative_difference(one[k], many[k]) for k in one if k in many), default=float("inf"))
    identical = all(k in many and np.array_equal(one[k], many[k], equal_nan=True) for k in one)
    check(worst <= 1e-6, f"{label}: every capture within 1e-6 relative on {ranks} ranks (worst {worst:.3g}, "
                         f"bit-identical: {identical})")
    # The summary (no --out) lists the hooks in the order of the pass, with their statistics.
    _, summary1, _ = run(["run", model] + args)
    _, summaryn, _ = run(["run", model] + args, ranks)
    check(summary1 == summaryn and summary1.count("\n") > 10, f"{label}: the same summary, hooks in the same order")


def perplexity_windows():
    """Many windows in the pipeline at once (rank 0 starts window i+1 while window i is on later
    ranks): the same perplexity as one process, bit for bit, under each window scheme."""
    text = os.path.join(scratch("pipeline_text"), "story.txt")
    with open(text, "w") as f:
        f.write(" ".join(f"Lily saw {n} red birds in the park and she was happy." for n in range(60)))
    schemes = {"paper": [], "llamacpp": ["--convention", "llamacpp"], "sliding": ["--stride", "24"],
               "check-finite": ["--check-finite"], "one window at a time": ["--in-flight", "1"]}
    for scheme, extra in schemes.items():
        ppl_args = ["perplexity", STORIES, "--file", text, "--ctx", "64", "--json"] + extra
        rc1, out1, err1 = run(ppl_args)
        one = json.loads(out1) if rc1 == 0 else {}
        for ranks in (2, 3):
            rcn, outn, errn = run(ppl_args, ranks)
            check(rc1 == 0 and rcn == 0, f"perplexity {scheme} on 1 and {ranks} ranks ({err1.strip()} | {errn.strip()})")
            if rc1 or rcn:
                continue
            many = json.loads(outn)
            check(one["windows"] > 3 and one["windows"] == many["windows"], f"perplexity {scheme}: {one['windows']} windows each")
            check(one["perplexity"] == many["perplexity"] and one["mean_nll"] == many["mean_nll"],
                  f"perplexity {scheme}: {one['perplexity']!r} on 1 rank, {many['perplexity']!r} on {ranks} (bit for bit)")


def generation():
    """`generate` with each rank keeping the KV cache of its layers: the same text as one process,
    greedy and sampled, with rotary (stories260K) and learned positions (the default GPT-2)."""
    default_model = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../models/default")
    cases = [(STORIES, ["-n", "40"]), (STORIES, ["-n", "30", "--temperature", "0.8", "--top-k", "40", "--seed", "3"]),
             (STORIES, ["-n", "12", "--no-cache"]), (default_model, ["-n", "40"])]
    for model, extra in cases:
        args = ["generate", model, "--prompt", "Once upon a time"] + extra
        rc1, out1, err1 = run(args)
        for ranks in (2, 3):
            rcn, outn, errn = run(args, ranks)
            check(rc1 == 0 and rcn == 0 and len(out1) > 20 and out1 == outn,
                  f"generate {os.path.basename(model)} {' '.join(extra)} on {ranks} ranks: the same text "
                  f"({err1.strip()[-200:]} | {errn.strip()[-200:]})\n{out1!r}\n{outn!r}")


def equality():
    ids = "--ids " + ",".join(str((i * 37 + 11) % 500) for i in range(24))
    hooks = ["--hooks", "*"]
    compare_runs("stories", STORIES, ids.split() + hooks, 2)
    compare_runs("stories", STORIES, ids.split() + hooks, 3)
    # An intervention on a layer of the last rank, and one on rank 0's: applied once, where the layer runs.
    intervened = ["--intervene", "blocks.4.hook_resid_post:scale:factor=3", "--intervene",
                  "blocks.0.hook_mlp_out:zero:token=2"]
    compare_runs("stories_intervened", STORIES, ids.split() + hooks + intervened, 2)

    gpt2 = os.path.join(scratch("pipeline_synth"), "gpt2")
    rc, _, err = run(["synth", "--arch", "gpt2", "--preset", "tiny", "--layers", "3", "--seed", "7", "--out", gpt2])
    check(rc == 0, f"synth gpt2 ({err.strip()})")
    compare_runs("synth_gpt2", gpt2, ["--ids", "1,5,9,200,3,7,100,42"] + hooks, 2)
    compare_runs("synth_gpt2", gpt2, ["--ids", "1,5,9,200,3,7,100,42"] + hooks, 3)

    perplexity_windows()
    generation()

    rc, out, err = run(["run", STORIES, "--ids", "1,2,3", "--hooks", "blocks.9.*"], 2)
    check(rc == 2 and err.count("no hook point matches 'blocks.9.*'") == 1,
          f"a pattern no rank matches: exit 2 and one error ({rc}: {err.strip()})")
    rc, out, err = run(["run", gpt2, "--ids", "1,2,3"], 4)
    check(rc == 2 and "4 ranks cannot share 3 layers" in err, f"more ranks than layers: exit 2 ({rc}: {err.strip()})")


def start_with_rank1_pid(rank0_args, rank1_args, pid_file):
    """mpirun -np 1 A : -np 1 B, where B writes its pid (it is rank 1 itself: sh execs it)."""
    rank1 = ["sh", "-c", f'echo $$ > {pid_file}; exec "$@"', "rank1", CLI, "-q"] + rank1_args
    cmd = MPIEXEC + ["-np", "1", CLI, "-q"] + rank0_args + [":", "-np", "1"] + rank1
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")


def signal_rank1_after(seconds, sig, rank0_args, rank1_args, label, limit):
    """Sends `sig` to rank 1 after `seconds`; returns (exit status, output, seconds from the signal to the end)."""
    pid_file = os.path.join(scratch(f"pipeline_{label}"), "rank1.pid")
    job = start_with_rank1_pid(rank0_args, rank1_args, pid_file)
    time.sleep(seconds)
    finished_early = job.poll() is not None
    if not finished_early:
        os.kill(int(open(pid_file).read()), sig)
    sent = time.monotonic()
    try:
        out, _ = job.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        job.kill()
        out, _ = job.communicate()
        return 124, out + "\n(hung: killed by the test)", time.monotonic() - sent
    check(not finished_early, f"{label}: the job was still running when rank 1 got signal {sig}")
    return job.returncode, out, time.monotonic() - sent


def long_text():
    path = os.path.join(scratch("pipeline_long_text"), "long.txt")
    with open(path, "w") as f:
        f.write(" ".join(f"Tom had {n % 97} apples and he gave one to his friend Sue." for n in range(40000)))
    return path


def failures():
    text = long_text()
    ppl = ["perplexity", STORIES, "--file", text, "--ctx", "256"]
    rc, out, after = signal_rank1_after(4, signal.SIGKILL, ppl, ppl, "killed", 60)
    check(rc != 0 and "perplexity " not in out and after < 30,
          f"killed rank: the job ends {after:.1f} s after SIGKILL with exit {rc}\n{out.strip()[-600:]}")

    timed = ppl + ["--mpi-timeout", "10"]
    rc, out, after = signal_rank1_after(4, signal.SIGSTOP, timed, timed, "stopped", 60)
    # Rank 0 waits in a hand-off to rank 1 or for its captures or logits, depending on the moment.
    error = "outlierscope (rank 0 of 2): error: waited 10 s for "
    check(rc != 0 and error in out and "rank 1 hangs or has died (--mpi-timeout 10)" in out and after < 30,
          f"stopped rank: the job ends {after:.1f} s after SIGSTOP with exit {rc} and the error\n{out.strip()[-600:]}")

    data_dir = scratch("pipeline_train_data")
    with open(data_dir + "/doc.txt", "w") as f:
        f.write(" ".join(f"a rank trains {i * 5 % 11} sequences." for i in range(300)))
    rc, _, err = run(["prepare", "--tokenizer", "byte", data_dir + "/doc.txt", "--out", data_dir + "/data"])
    check(rc == 0, f"prepare ({err.strip()})")
    train = ["train", "--data", data_dir + "/data", "--out", scratch("pipeline_train_run") + "/run", "--layers", "2",
             "--heads", "2", "--dim", "64", "--ctx", "16", "--batch", "4", "--steps", "100000", "--eval-every", "0",
             "--ckpt-every", "0", "--threads", "1", "--mpi-timeout", "3"]
    rc, out, after = signal_rank1_after(4, signal.SIGSTOP, train, train, "train_stopped", 60)
    check(rc != 0 and "error: waited 3 s for the rank-ordered sum (MPI_" in out and "another rank hangs or has died" in out
          and after < 30, f"stopped training rank: the job ends {after:.1f} s after SIGSTOP with exit {rc}\n{out.strip()[-600:]}")


if __name__ == "__main__":
    run_checks({"equality": equality, "failures": failures}[sys.argv[1]])
