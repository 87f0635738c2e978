#!/usr/bin/python3
"""Overhead of Python hook functions on every hook point, against TransformerLens-style PyTorch hooks.

On a GPT-2-124M-shaped f32 model (bench/peers/forward_peer.py make) at T tokens, each side times
its pass without hooks and with a no-op Python function on every hook point, and reports the
ratio (with hooks / without); the engine's side is outlierscope.Model.run_with_hooks with
("*", noop), the peer's is nn.Module forward hooks on the same HookPoint modules as
bench/peers/forward_peer.py. Best of `--repeats` after a warm-up, wall and CPU seconds.

  PYTHONPATH=build/python OMP_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE \\
    /usr/bin/python3 bench/python_hooks_bench.py --model build/bench-data/gpt2-124m-f32 [--tokens 256]
(makes the model there first if it is missing; prints one JSON line per side).
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "peers"))


def best_of(fn, repeats):
    wall, cpu = float("inf"), float("inf")
    for _ in range(repeats + 1):  # the first run warms up
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - w0), min(cpu, time.process_time() - c0)
    return wall, cpu


def time_outlierscope(model_dir, ids, repeats):
    import outlierscope
    m = outlierscope.load(model_dir)
    calls = []

    def noop(array, name):
        calls.append(name)

    plain = best_of(lambda: m(ids), repeats)
    hooked = best_of(lambda: m.run_with_hooks(ids, fwd_hooks=[("*", noop)]), repeats)
    return plain, hooked, len(calls) // (repeats + 1)


def time_pytorch(model_dir, ids, repeats):
    import torch
    import forward_peer
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    model = forward_peer.load_model(model_dir)
    tokens = torch.tensor(ids, dtype=torch.long)
    with torch.no_grad():
        plain = best_of(lambda: model(tokens), repeats)
        points = [mod for mod in model.modules() if isinstance(mod, forward_peer.HookPoint)]
        handles = [mod.register_forward_hook(lambda mod, inp, out: None) for mod in points]
        hooked = best_of(lambda: model(tokens), repeats)
    for h in handles:
        h.remove()
    return plain, hooked, len(points)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--tokens", type=int, default=256)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    if not os.path.exists(os.path.join(args.model, "model.safetensors")):
        subprocess.run([sys.executable, os.path.join(HERE, "peers", "forward_peer.py"), "make", "--out", args.model],
                       check=True)
    ids = np.random.default_rng(args.tokens).integers(0, 50257, args.tokens).tolist()
    for side, timer in (("outlierscope", time_outlierscope), ("pytorch", time_pytorch)):
        (wall0, cpu0), (wall1, cpu1), points = timer(args.model, ids, args.repeats)
        print(json.dumps({"side": side, "tokens": args.tokens, "hook_points": points, "seconds_plain": wall0,
                          "seconds_hooked": wall1, "ratio_wall": wall1 / wall0, "ratio_cpu": cpu1 / cpu0}),
              flush=True)


if __name__ == "__main__":
    main()
