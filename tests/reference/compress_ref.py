"""Reference for src/experiment/compress: int8 absmax fake quantization and magnitude pruning,
computed with numpy/torch from their definitions. Writes raw little-endian float32 files:
input.f32 [rows, cols], per_tensor.f32, per_row.f32, pruned.f32."""
import sys

import numpy as np
import torch

out, rows, cols = sys.argv[1], 24, 40
rng = np.random.default_rng(7)
w = rng.standard_normal((rows, cols)).astype(np.float32)
w[3, 5] = 25.0  # an outlier makes per-tensor scales coarse
w[10, :] = 0.0  # an all-zero row must stay zero

def fake_quant(x, axis):
    t = torch.from_numpy(x)
    absmax = t.abs().amax(dim=axis, keepdim=True) if axis is not None else t.abs().max()
    scale = absmax / 127.0
    safe = torch.where(scale == 0, torch.ones_like(scale), scale)
    q = torch.round(t / safe) * safe
    return torch.where(scale == 0, t, q).numpy()

def prune(x, fraction):
    flat = torch.from_numpy(x.copy()).flatten()
    k = int(np.floor(fraction * flat.numel()))
    order = torch.sort(flat.abs(), stable=True).indices
    flat[order[:k]] = 0.0
    return flat.reshape(x.shape).numpy()

w.tofile(f"{out}/input.f32")
fake_quant(w, None).astype(np.float32).tofile(f"{out}/per_tensor.f32")
fake_quant(w, 1).astype(np.float32).tofile(f"{out}/per_row.f32")
prune(w, 0.5).astype(np.float32).tofile(f"{out}/pruned.f32")
