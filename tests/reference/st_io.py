"""Minimal safetensors reader/writer (no `safetensors` package needed).

File layout (https://github.com/huggingface/safetensors, "Format"): 8-byte little-endian header
length N, N bytes of JSON header {name: {"dtype", "shape", "data_offsets": [begin, end]}, optional
"__metadata__": {str: str}}, then the raw little-endian tensor bytes; offsets are relative to the
end of the header. We pad the header with spaces to a multiple of 8 bytes, as the reference
library does, so that every tensor starts 8-byte aligned.
"""
import json
import os
import struct

import numpy as np
import torch

# safetensors dtype name -> (numpy storage dtype, bytes per element)
_STORAGE = {
    "F32": (np.float32, 4),
    "F16": (np.float16, 2),
    "BF16": (np.uint16, 2),  # bfloat16 is kept as raw 16-bit words, widened on read
    "I32": (np.int32, 4),
    "I64": (np.int64, 8),
}
_TORCH_TO_ST = {
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int32: "I32",
    torch.int64: "I64",
}


def _tensor_bytes(t):
    t = t.detach().contiguous().cpu()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<"), copy=False).tobytes()


def write(path, tensors, metadata=None):
    """Writes {name: torch.Tensor} atomically (temp file + rename). Names are stored sorted."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        t = tensors[name]
        if t.dtype not in _TORCH_TO_ST:
            raise ValueError(f"{path}: unsupported dtype {t.dtype} for tensor {name}")
        data = _tensor_bytes(t)
        header[name] = {
            "dtype": _TORCH_TO_ST[t.dtype],
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        return json.loads(f.read(n).decode("utf-8")), 8 + n


def read(path):
    """Returns ({name: torch.Tensor}, metadata). Float tensors come back as float32 (BF16/F16
    widened exactly); integer tensors keep their type."""
    header, data_start = read_header(path)
    metadata = header.pop("__metadata__", {})
    with open(path, "rb") as f:
        raw = f.read()
    out = {}
    for name, info in header.items():
        np_dtype, size = _STORAGE[info["dtype"]]
        begin, end = info["data_offsets"]
        count = int(np.prod(info["shape"], dtype=np.int64))
        if end - begin != count * size:
            raise ValueError(f"{path}: tensor {name} has {end - begin} bytes, shape needs {count * size}")
        arr = np.frombuffer(raw, dtype=np.dtype(np_dtype).newbyteorder("<"), count=count,
                            offset=data_start + begin)
        if info["dtype"] == "BF16":
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        elif info["dtype"] == "F16":
            arr = arr.astype(np.float32)
        out[name] = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True)).reshape(info["shape"])
    return out, metadata
