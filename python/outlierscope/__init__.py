"""outlierscope: find, locate and explain systematic outliers in transformer LMs from Python.

    import outlierscope as osc
    m = osc.load()                                   # the built-in model (or an HF folder, .gguf, .bin)
    logits, cache = m.run_with_cache("Summer is warm.", names_filter="blocks.*.hook_resid_post")
    report = osc.scan(m, texts=["Summer is warm."])  # the report.json schema as a dict
    osc.plot(report, "figures")

API reference: docs/python.md. Hook names and shapes: docs/hooks.md.
"""
from ._native import (FileError, InputError, InternalError, Model, load, perplexity, plot, scan, train,
                      write_report)

__all__ = ["FileError", "InputError", "InternalError", "Model", "intervention", "load", "perplexity", "plot",
           "scan", "train", "write_report"]


def intervention(hook, op, token=None, channel=None, value=None, factor=None):
    """A built-in intervention as data: the CLI's --intervene spec (docs/hooks.md), e.g.
    intervention("blocks.1.hook_resid_post", "zero", channel=12) -> "blocks.1.hook_resid_post:zero:channel=12".
    Pass a list of them as run_with_hooks(..., interventions=[...])."""
    keys = [(name, v) for name, v in (("token", token), ("channel", channel), ("value", value), ("factor", factor))
            if v is not None]
    spec = f"{hook}:{op}"
    if keys:
        spec += ":" + ",".join(f"{name}={v}" for name, v in keys)
    return spec
