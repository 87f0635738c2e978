"""Shared pieces of the reference forwards: the hook recorder, a strict checkpoint accessor,
random weight generation, norms, activations and linear layers. Everything is plain torch on
float tensors; no module state."""
import math

import torch
import torch.nn.functional as F


class Hooks:
    """Collects hook-point tensors by name (batch dimension already dropped)."""

    def __init__(self):
        self.values = {}
        self.notes = {}  # scalar diagnostics (e.g. the smallest MoE top-k margin)

    def rec(self, name, tensor):
        if name in self.values:
            raise AssertionError(f"hook {name} recorded twice")
        self.values[name] = tensor.detach().to(torch.float32).contiguous().clone()
        return tensor


class NullHooks(Hooks):
    """Drops every hook (for plain inference, e.g. perplexity)."""

    def rec(self, name, tensor):
        return tensor


class Checkpoint:
    """Read access to an HF state dict that remembers what was used, so a forward can assert it
    consumed every stored tensor (catches misnamed or forgotten weights)."""

    def __init__(self, tensors, dtype=torch.float32):
        self.tensors = tensors
        self.dtype = dtype
        self.used = set()

    def __getitem__(self, name):
        if name not in self.tensors:
            raise KeyError(f"checkpoint has no tensor {name}")
        self.used.add(name)
        return self.tensors[name].to(self.dtype)

    def has(self, name):
        return name in self.tensors

    def get(self, name):
        return self[name] if self.has(name) else None

    def linear(self, prefix, x):
        """The nn.Linear `prefix` (prefix.weight [out, in], prefix.bias) applied to x."""
        return linear(x, self[prefix + ".weight"], self[prefix + ".bias"])

    def conv1d(self, prefix, x):
        """GPT-2's Conv1D `prefix` (prefix.weight [in, out], prefix.bias) applied to x."""
        return conv1d(x, self[prefix + ".weight"], self[prefix + ".bias"])

    def layer_norm(self, prefix, x, eps):
        """The nn.LayerNorm `prefix` (prefix.weight, prefix.bias) applied to x."""
        return layer_norm(x, self[prefix + ".weight"], self[prefix + ".bias"], eps)

    def hooked_layer_norm(self, hooks, hook, prefix, x, eps):
        """The nn.LayerNorm `prefix` applied to x, its normalised input recorded as `hook` (TransformerLens)."""
        return hooked_layer_norm(hooks, hook, x, self[prefix + ".weight"], self[prefix + ".bias"], eps)

    def assert_all_used(self):
        unused = sorted(set(self.tensors) - self.used)
        if unused:
            raise AssertionError(f"checkpoint tensors never used by the forward: {unused}")


# Name parts of the query/key projection weights across the HF layouts (LLaMA/OPT/Phi q_proj, k_proj;
# GPT-2 c_attn; Falcon/NeoX query_key_value; MPT Wqkv).
QUERY_KEY_PROJECTIONS = ("q_proj.weight", "k_proj.weight", "c_attn.weight", "query_key_value.weight", "Wqkv.weight")


class WeightMaker:
    """Deterministic random weights in HF layout. Scales are chosen so activations stay O(1) at
    d_model 64 and every path (biases, norm gains) visibly matters."""

    def __init__(self, seed, query_key_std=0.25):
        self.gen = torch.Generator().manual_seed(seed)
        self.tensors = {}
        self.query_key_std = query_key_std

    def _normal(self, shape, std, mean=0.0):
        return torch.randn(*shape, generator=self.gen) * std + mean

    def add(self, name, tensor):
        if name in self.tensors:
            raise AssertionError(f"weight {name} made twice")
        self.tensors[name] = tensor.to(torch.float32)

    def matrix(self, name, shape, std=None):
        """std 0.08, except q/k projections (fused q/k/v ones included): query_key_std (0.25), so
        that softmax(q.k) is far from uniform (logits of several units) and errors in positions,
        masks and biases show in every hook."""
        if std is None:
            std = self.query_key_std if any(part in name for part in QUERY_KEY_PROJECTIONS) else 0.08
        self.add(name, self._normal(shape, std))

    def embedding(self, name, shape, std=0.4):
        self.add(name, self._normal(shape, std))

    def gain(self, name, n):
        self.add(name, self._normal((n,), 0.1, 1.0))

    def bias(self, name, n, std=0.05):
        self.add(name, self._normal((n,), std))

    def layer_norm(self, prefix, n):
        """prefix.weight (a gain) and prefix.bias of a LayerNorm over n features."""
        self.gain(prefix + ".weight", n)
        self.bias(prefix + ".bias", n)


def linear(x, weight, bias=None):
    """nn.Linear convention: weight [out, in]."""
    return F.linear(x, weight, bias)


def conv1d(x, weight, bias):
    """GPT-2 Conv1D convention: weight [in, out]. torch.addmm as HF's Conv1D: in bf16 the bias is
    added before the one rounding of the output (x @ weight + bias would round twice)."""
    return torch.addmm(bias, x, weight)


def rms_norm(x, weight, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def layer_norm(x, weight, bias, eps):
    return F.layer_norm(x, (x.shape[-1],), weight, bias, eps)


# The norms of a block as TransformerLens hooks them: hook_normalized records the value after
# centring (LayerNorm) and scaling, before the norm's weight and bias, which are applied after.
# On bf16 tensors as Hugging Face computes them: nn.LayerNorm in f32, rounded once after weight
# and bias (PyTorch's kernel); LlamaRMSNorm normalises in f32, rounds (`.to(input_dtype)`), then
# multiplies by the bf16 weight. On f32 tensors the casts do nothing.
def hooked_layer_norm(hooks, name, x, weight, bias, eps):
    y = hooks.rec(name, layer_norm(x.float(), None, None, eps)) * weight.float()
    return (y if bias is None else y + bias.float()).to(x.dtype)


def hooked_rms_norm(hooks, name, x, weight, eps):
    return hooks.rec(name, rms_norm(x.float(), 1.0, eps).to(x.dtype)) * weight


def mul_scalar(x, c):
    """x * c with one rounding to x's dtype: PyTorch 2 multiplies a bf16 tensor by a Python float in
    f32 (`original_scalar_value<opmath_t>`); 1.13 would round c to bf16 first. Plain x * c in f32."""
    return (x.float() * c).to(x.dtype)


def gelu_tanh(x):
    """HF NewGELUActivation, each operation on x's dtype (in bf16 each result is rounded)."""
    inner = x + mul_scalar(x.pow(3), 0.044715)
    return mul_scalar(x, 0.5) * (1.0 + torch.tanh(mul_scalar(inner, math.sqrt(2.0 / math.pi))))


def in_f32(f):
    """f computed in f32 and rounded to x's dtype: PyTorch 2's CPU kernels of silu on bf16 tensors
    (1.13's bf16 silu differs from that by an ulp in about 30% of the entries)."""
    return lambda x: f(x.float()).to(x.dtype)


ACTIVATIONS = {
    "silu": in_f32(F.silu),
    "swish": in_f32(F.silu),
    "gelu": lambda x: F.gelu(x),  # exact erf form (1.13's bf16 gelu already rounds f32 gelu)
    "gelu_new": gelu_tanh,
    "gelu_pytorch_tanh": gelu_tanh,
    "relu": F.relu,
}


def activation(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name}")
    return ACTIVATIONS[name]
