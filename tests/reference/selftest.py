#!/usr/bin/python3
"""Self-test of the reference scripts (about 30 s on one core): every architecture is generated at
small lengths and checked against the hook contract; gpt2/opt/mpt are cross-checked against
torch.nn.TransformerEncoderLayer; the llama3 frequency scaling must hit all three regimes; and, if
the shared stories260K checkpoint is present, the LLaMA forward must reproduce karpathy's documented
greedy story from BOS and llama_hf_ref.py must run on it.

usage: selftest.py [--shared DIR] [--work DIR]
"""
import argparse
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import arch_llama  # noqa: E402
import gen_model  # noqa: E402
import llama_hf_ref  # noqa: E402
from attention import default_inv_freq, llama3_inv_freq  # noqa: E402
from common import Checkpoint, NullHooks  # noqa: E402

STORY = "Once upon a time, there was a little girl named Lily. She loved to play outside in the park."


def run(script, *args):
    subprocess.run([sys.executable, os.path.join(HERE, script), *args], check=True, stdout=subprocess.DEVNULL)


def check_all_archs(work):
    for arch in sorted(gen_model.ARCHS):
        out = os.path.join(work, arch)
        gen_model.main(["--arch", arch, "--out", out, "--lengths", "9,40", "--dtype", "bf16" if arch == "qwen2" else "f32"])
    for arch in ("gpt2", "opt", "mpt"):
        run("crosscheck_nn.py", "--arch", arch, "--dir", os.path.join(work, arch))


def check_llama3_regimes():
    scaling = {"factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 64}
    ratio = llama3_inv_freq(16, 500000.0, scaling) / default_inv_freq(16, 500000.0)
    kept, divided = (ratio == 1).sum().item(), torch.isclose(ratio, torch.tensor(1 / 8, dtype=ratio.dtype)).sum().item()
    assert kept >= 1 and divided >= 1 and kept + divided < len(ratio), f"llama3 regimes not all hit: {ratio}"


def read_llama2c_vocab(path):
    raw = open(path, "rb").read()
    offset, pieces = 4, []
    while offset < len(raw):
        _score, n = struct.unpack_from("<fi", raw, offset)
        pieces.append(raw[offset + 8: offset + 8 + n].decode("utf-8", "replace"))
        offset += 8 + n
    return pieces


def check_stories260k(shared, work):
    model_dir = os.path.join(shared, "testdata/stories260K/hf")
    if not os.path.isdir(model_dir):
        # Under CI=true the shared data must be there (tests/support/shared_data.h).
        assert os.environ.get("CI") != "true", f"shared test data missing under CI=true: {model_dir}"
        print("stories260K not found; skipping the real-model check")
        return
    cfg, tensors = llama_hf_ref.load_model(model_dir)
    weights, ids = Checkpoint(tensors), [cfg["bos_token_id"]]
    with torch.no_grad():
        for _ in range(30):
            ids.append(int(arch_llama.forward(cfg, weights, torch.tensor(ids), NullHooks())[-1].argmax()))
    vocab = read_llama2c_vocab(os.path.join(shared, "testdata/stories260K/tok512.bin"))
    text = "".join(vocab[i] for i in ids[1:]).strip()
    assert STORY.startswith(text[:60]) and len(text) >= 60, f"stories260K greedy text differs: {text!r}"
    tokens = os.path.join(work, "ids.json")
    with open(tokens, "w") as f:
        json.dump(ids, f)
    result = os.path.join(work, "ppl.json")
    run("llama_hf_ref.py", "--model", model_dir, "--tokens", tokens, "--ctx", "16", "--out", result, "--bos-id", "1")
    with open(result) as f:
        ppl = json.load(f)
    assert ppl["n_windows"] == 1 and math.isfinite(ppl["ppl_all"]) and ppl["ppl_all"] >= 1.0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", default=os.environ.get("OUTLIERSCOPE_SHARED", os.path.join(HERE, "../../../shared")))
    ap.add_argument("--work", default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or tmp
        check_llama3_regimes()
        check_all_archs(work)
        check_stories260k(os.path.abspath(args.shared), work)
    print("reference selftest passed")


if __name__ == "__main__":
    main(sys.argv[1:])
