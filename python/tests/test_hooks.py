"""Python hook functions on hook points: reading, patching (equal to the CLI's --intervene), the
built-in interventions as data, and clear errors for what a hook must not return."""
import numpy as np
import pytest

import outlierscope
from conftest import TEXT, cli_error, run_cli

HOOK = "blocks.1.hook_resid_post"
CHANNEL = 7


def cli_logits(model_dir, tmp_path, *interventions):
    out = tmp_path / "npy"
    args = [a for spec in interventions for a in ("--intervene", spec)]
    run_cli("run", model_dir, "--text", TEXT, "--hooks", "hook_logits", "--npy-dir", out, *args)
    return np.load(out / "hook_logits.npy")


def zero_channel(array, hook_name):
    assert hook_name == HOOK
    array[:, CHANNEL] = 0
    return array


def test_python_hook_zeroing_a_channel_equals_cli_intervene_zero(model, model_dir, tmp_path):
    expected = cli_logits(model_dir, tmp_path, f"{HOOK}:zero:channel={CHANNEL}")
    patched = model.run_with_hooks(TEXT, fwd_hooks=[(HOOK, zero_channel)])
    assert patched.tobytes() == expected.tobytes()
    assert not np.array_equal(patched, model(TEXT))  # the edit changed the output


def test_in_place_edit_without_return_is_applied(model):
    def zero_in_place(array, hook_name):
        array[:, CHANNEL] = 0

    returned = model.run_with_hooks(TEXT, fwd_hooks=[(HOOK, zero_channel)])
    in_place = model.run_with_hooks(TEXT, fwd_hooks=[(HOOK, zero_in_place)])
    assert np.array_equal(returned, in_place)


def test_builtin_interventions_as_data_equal_the_cli(model, model_dir, tmp_path):
    spec = outlierscope.intervention("blocks.*.hook_resid_post", "scale", token=0, factor=0.5)
    assert spec == "blocks.*.hook_resid_post:scale:token=0,factor=0.5"
    expected = cli_logits(model_dir, tmp_path, spec)
    assert model.run_with_hooks(TEXT, interventions=[spec]).tobytes() == expected.tobytes()


def test_hook_sees_every_matching_point_with_its_name_and_shape(model):
    seen = []
    model.run_with_hooks(TEXT, fwd_hooks=[("blocks.*.attn.hook_pattern", lambda a, n: seen.append((n, a.shape)))])
    n_tokens, n_heads = len(model.tokenize(TEXT)), model.config["n_heads"]
    assert seen == [(f"blocks.{layer}.attn.hook_pattern", (n_heads, n_tokens, n_tokens))
                    for layer in range(model.config["n_layers"])]


def test_read_only_hook_leaves_the_output_unchanged(model):
    stored = {}
    logits = model.run_with_hooks(TEXT, fwd_hooks=[("*", lambda a, n: stored.__setitem__(n, a))])
    # A hook that may edit hook_attn_scores / hook_pattern makes the pass re-run the softmax / z from
    # them (docs/hooks.md), which rounds differently from the fused kernel: compare with the built-in
    # edit that changes nothing, on the same points.
    assert logits.tobytes() == model.run_with_hooks(TEXT, interventions=["*:scale:factor=1"]).tobytes()
    _, cache = model.run_with_cache(TEXT, interventions=["*:scale:factor=1"])
    assert sorted(stored) == sorted(cache)
    for name in cache:  # arrays kept by a hook stay valid after the pass
        assert stored[name].tobytes() == cache[name].tobytes(), name


@pytest.mark.parametrize("bad, message", [
    (lambda a, n: a[:, :3], "returned shape (12, 3), expected (12, 64)"),
    (lambda a, n: a.astype(np.float64), "returned a float64 array, expected float32"),
    (lambda a, n: 3.0, "returned float, expected None or a float32 numpy array of shape (12, 64)"),
])
def test_hook_returning_a_wrong_shape_or_dtype_raises_a_clear_error(model, bad, message):
    ids = model.tokenize(TEXT)[:12]
    with pytest.raises(outlierscope.InputError) as e:
        model.run_with_hooks(ids, fwd_hooks=[(HOOK, bad)])
    assert str(e.value) == f"hook '{HOOK}': the hook function {message}"


def test_exception_in_a_hook_reaches_the_caller(model):
    def fails(array, hook_name):
        raise KeyError("from the hook")

    with pytest.raises(KeyError, match="from the hook"):
        model.run_with_hooks(TEXT, fwd_hooks=[(HOOK, fails)])
    assert model(TEXT).shape[0] == len(model.tokenize(TEXT))  # the model still works afterwards


def test_hook_glob_matching_nothing_is_the_clis_error(model, model_dir):
    expected = cli_error("run", model_dir, "--text", TEXT, "--intervene", "blocks.9.nothing:zero")
    with pytest.raises(outlierscope.InputError) as e:
        model.run_with_hooks(TEXT, fwd_hooks=[("blocks.9.nothing", lambda a, n: None)])
    assert str(e.value) == expected
