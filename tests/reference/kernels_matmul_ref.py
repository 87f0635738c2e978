"""Reference for the linear-layer kernels (tests/unit/kernels_stream_matmul_test.cpp): y = x @ W^T
in PyTorch from weights decoded here, independently of the engine.

usage: kernels_matmul_ref.py DIR
DIR/cases.txt has one case per line: `name dtype out in tokens`. For each case the script reads
DIR/name_w.bin (the weight's stored bytes, [out, in] row-major) and DIR/name_x.bin (f32 [tokens, in]),
and writes DIR/name_y.bin: float64 [tokens, out].

Decoding: F32 / F16 / BF16 by torch's own dtypes (bf16 and f16 widened to f32 by torch). The GGUF
block types Q8_0, Q4_0, Q4_K, Q5_K, Q6_K are decoded with numpy from ggml's published block
definitions (ggml-common.h structs, dequantize_row_* formulas), written out below.
"""
import sys

import numpy as np
import torch


def f16(raw):
    """f16 fields (uint8 [..., 2]) as float64."""
    return np.ascontiguousarray(raw).view(np.float16)[..., 0].astype(np.float64)


def q8_0(b):  # {f16 d; i8 qs[32]}
    d = f16(b[:, 0:2])
    return d[:, None] * b[:, 2:34].view(np.int8).astype(np.float64)


def q4_0(b):  # {f16 d; u8 qs[16]}: value j in the low nibble of qs[j], value j + 16 in the high one
    d = f16(b[:, 0:2])
    qs = b[:, 2:18].astype(np.int64)
    q = np.concatenate([qs & 15, qs >> 4], axis=1) - 8
    return d[:, None] * q


def scale_min_k4(s, j):
    """The 6-bit scale and min of sub-block j (ggml's get_scale_min_k4); s is uint8 [blocks, 12]."""
    s = s.astype(np.int64)
    if j < 4:
        return s[:, j] & 63, s[:, j + 4] & 63
    return (s[:, j + 4] & 15) | ((s[:, j - 4] >> 6) << 4), (s[:, j + 4] >> 4) | ((s[:, j] >> 6) << 4)


def q45_k(b, five_bit):
    """Q4_K {f16 d, dmin; u8 scales[12]; u8 qs[128]}, Q5_K {f16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}."""
    d, dmin = f16(b[:, 0:2]), f16(b[:, 2:4])
    scales = b[:, 4:16]
    qh = b[:, 16:48].astype(np.int64) if five_bit else None
    qs = b[:, 48:176].astype(np.int64) if five_bit else b[:, 16:144].astype(np.int64)
    out = np.zeros((b.shape[0], 256))
    for chunk in range(4):  # 64 values: 32 bytes of qs, low nibbles then high nibbles
        q = qs[:, 32 * chunk:32 * chunk + 32]
        for half in range(2):
            sub = 2 * chunk + half
            sc, mn = scale_min_k4(scales, sub)
            v = (q >> (4 * half)) & 15
            if five_bit:
                v = v + ((qh >> sub) & 1) * 16
            out[:, 32 * sub:32 * sub + 32] = (d * sc)[:, None] * v - (dmin * mn)[:, None]
    return out


def q6_k(b):  # {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}
    ql = b[:, 0:128].astype(np.int64)
    qh = b[:, 128:192].astype(np.int64)
    sc = b[:, 192:208].view(np.int8).astype(np.float64)
    d = f16(b[:, 208:210])
    out = np.zeros((b.shape[0], 256))
    for n in range(2):  # two halves of 128 values
        l_, h_, s_ = ql[:, 64 * n:64 * n + 64], qh[:, 32 * n:32 * n + 32], sc[:, 8 * n:8 * n + 8]
        for l in range(32):
            i = l // 16
            q1 = ((l_[:, l] & 15) | ((h_[:, l] & 3) << 4)) - 32
            q2 = ((l_[:, l + 32] & 15) | (((h_[:, l] >> 2) & 3) << 4)) - 32
            q3 = ((l_[:, l] >> 4) | (((h_[:, l] >> 4) & 3) << 4)) - 32
            q4 = ((l_[:, l + 32] >> 4) | (((h_[:, l] >> 6) & 3) << 4)) - 32
            base = 128 * n + l
            out[:, base] = d * s_[:, i] * q1
            out[:, base + 32] = d * s_[:, i + 2] * q2
            out[:, base + 64] = d * s_[:, i + 4] * q3
            out[:, base + 96] = d * s_[:, i + 6] * q4
    return out


BLOCKS = {  # dtype: (values per block, bytes per block, decoder)
    "Q8_0": (32, 34, q8_0),
    "Q4_0": (32, 18, q4_0),
    "Q4_K": (256, 144, lambda b: q45_k(b, False)),
    "Q5_K": (256, 176, lambda b: q45_k(b, True)),
    "Q6_K": (256, 210, q6_k),
}
PLAIN = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def weights(raw, dtype, out, inp):
    """The [out, in] weight as float64 torch tensor."""
    if dtype in PLAIN:
        if dtype == "F32":
            t = torch.from_numpy(raw.view(np.float32).copy())
        else:  # the 16-bit patterns reinterpreted as torch's f16 / bf16, then widened by torch
            t = torch.from_numpy(raw.view(np.int16).copy()).view(PLAIN[dtype]).float()
        return t.double().reshape(out, inp)
    values, nbytes, decode = BLOCKS[dtype]
    return torch.from_numpy(decode(raw.reshape(-1, nbytes))).reshape(out, inp)


def main(folder):
    torch.set_num_threads(1)
    with open(f"{folder}/cases.txt") as f:
        for line in f:
            name, dtype, out, inp, tokens = line.split()
            out, inp, tokens = int(out), int(inp), int(tokens)
            w = weights(np.fromfile(f"{folder}/{name}_w.bin", dtype=np.uint8), dtype, out, inp)
            x = torch.from_numpy(np.fromfile(f"{folder}/{name}_x.bin", dtype=np.float32)).double().reshape(tokens, inp)
            (x @ w.T).numpy().astype(np.float64).tofile(f"{folder}/{name}_y.bin")


if __name__ == "__main__":
    main(sys.argv[1])
