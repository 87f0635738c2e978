#!/usr/bin/python3
"""Builds the Hugging Face checkpoint whose weights are exactly what a quantized GGUF stores, for the
independent PyTorch reference (run_checkpoint.py) to run: the reference for a quantized GGUF is the
original model with every quantized weight replaced by its decoded value.

usage: gguf_dequant_checkpoint.py SRC SIDECAR OUT [SRC SIDECAR OUT ...]
SRC is the HF folder that was converted (config.json + model.safetensors). SIDECAR is what the
test converter (tests/support/hf_to_gguf.h) left beside the GGUF: manifest.txt ("k dtype count"
per tensor not stored as F32), k.bin (the stored bytes), k.at (int64 per element: HF tensor index
<< 32 | flat index in that tensor) and hf_names.txt. The bytes are decoded here with numpy
(F16 by numpy's float16; Q8_0 / Q4_0 / Q4_K / Q5_K / Q6_K by the decoders of kernels_matmul_ref.py, from
ggml's published block layouts), never by the engine, and scattered back to the HF tensors.
OUT receives config.json and an f32 model.safetensors.
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kernels_matmul_ref  # noqa: E402
import st_io  # noqa: E402


def decode(raw, dtype):
    if dtype == "F16":
        return raw.view(np.float16).astype(np.float64)
    if dtype == "BF16":
        return (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    _, nbytes, decoder = kernels_matmul_ref.BLOCKS[dtype]
    return decoder(raw.reshape(-1, nbytes)).reshape(-1)


def convert(src, sidecar, out):
    stored, _ = st_io.read(os.path.join(src, "model.safetensors"))
    with open(os.path.join(sidecar, "hf_names.txt")) as f:
        names = [line.strip() for line in f if line.strip()]
    flat = {name: stored[name].float().numpy().reshape(-1).copy() for name in names}
    with open(os.path.join(sidecar, "manifest.txt")) as f:
        for line in f:
            k, dtype, count = line.split()
            raw = np.fromfile(os.path.join(sidecar, f"{k}.bin"), dtype=np.uint8)
            at = np.fromfile(os.path.join(sidecar, f"{k}.at"), dtype=np.int64)
            values = decode(raw, dtype)
            assert values.size == at.size == int(count), f"{sidecar}/{k}: {values.size} values, {at.size} origins"
            tensor, index = at >> 32, at & 0xFFFFFFFF
            for t in np.unique(tensor):
                chosen = tensor == t
                flat[names[t]][index[chosen]] = values[chosen]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(src, "config.json")) as f:
        config = json.load(f)
    config["torch_dtype"] = "float32"
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    tensors = {name: torch.from_numpy(flat[name].reshape(stored[name].shape)) for name in names}
    st_io.write(os.path.join(out, "model.safetensors"), tensors)


def main(argv):
    if len(argv) == 0 or len(argv) % 3 != 0:
        sys.exit(__doc__)
    for i in range(0, len(argv), 3):
        convert(*argv[i:i + 3])


if __name__ == "__main__":
    main(sys.argv[1:])
