"""run_with_cache against the CLI's `run --npy-dir` (bit for bit), and the arrays' memory: numpy
views over the engine's capture buffers, kept alive by their base object, never copied."""
import gc

import numpy as np
import pytest

from conftest import TEXT, run_cli


def cli_captures(model_path, tmp_path, *extra):
    out = tmp_path / "npy"
    run_cli("run", model_path, "--text", TEXT, "--hooks", "*", "--npy-dir", out, *extra)
    return {p.stem: np.load(p) for p in out.glob("*.npy")}


def test_every_cached_array_equals_the_cli_bit_for_bit(model, model_dir, tmp_path):
    logits, cache = model.run_with_cache(TEXT)
    expected = cli_captures(model_dir, tmp_path)
    assert np.array_equal(expected.pop("input_ids"), model.tokenize(TEXT))
    assert sorted(cache) == sorted(expected)
    assert len(cache) == len(model.hook_names())
    for name, array in cache.items():
        assert array.dtype == np.float32 and array.shape == expected[name].shape, name
        assert array.tobytes() == expected[name].tobytes(), name
    assert logits.tobytes() == expected["hook_logits"].tobytes()


def test_llama2c_model_with_ids_equals_the_cli(stories_bin, tmp_path):
    import outlierscope
    m = outlierscope.load(stories_bin)
    _, cache = m.run_with_cache(m.tokenize(TEXT), names_filter="blocks.*.hook_resid_post")
    expected = cli_captures(stories_bin, tmp_path)
    assert len(cache) == m.config["n_layers"]
    for name, array in cache.items():
        assert array.tobytes() == expected[name].tobytes(), name


def test_names_filter_glob_list_and_callable_select_the_same_hooks(model):
    globs = ["blocks.*.hook_resid_post", "blocks.0.attn.hook_pattern"]
    _, by_list = model.run_with_cache(TEXT, names_filter=globs)
    _, by_callable = model.run_with_cache(
        TEXT, names_filter=lambda name: name.endswith("hook_resid_post") or name == "blocks.0.attn.hook_pattern")
    _, by_glob = model.run_with_cache(TEXT, names_filter="blocks.*.hook_resid_post")
    n_layers = model.config["n_layers"]
    assert sorted(by_list) == sorted(by_callable) and len(by_list) == n_layers + 1
    assert sorted(by_glob) == sorted(f"blocks.{layer}.hook_resid_post" for layer in range(n_layers))
    for name in by_list:
        assert np.array_equal(by_list[name], by_callable[name])


def test_cached_arrays_are_views_over_engine_buffers_not_copies(model):
    logits, cache = model.run_with_cache(TEXT, names_filter="blocks.*.hook_resid_post")
    for array in [logits, *cache.values()]:
        assert not array.flags.owndata          # numpy did not allocate (so did not copy) the data
        assert type(array.base).__name__ == "PyCapsule"  # the engine's tensor, owned by the capsule
        assert array.flags.c_contiguous and array.flags.writeable
    # The capsule is the only owner: the array keeps the buffer alive after the cache dict is gone.
    name = "blocks.0.hook_resid_post"
    kept = cache[name]
    before = kept.copy()
    del cache, logits
    gc.collect()
    model.run_with_cache(TEXT, names_filter="*")  # reuse freed memory if the buffer had been released
    assert np.array_equal(kept, before)
    # Two arrays never share one buffer.
    _, cache = model.run_with_cache(TEXT, names_filter="blocks.*.hook_resid_post")
    arrays = list(cache.values())
    assert not any(np.shares_memory(a, b) for i, a in enumerate(arrays) for b in arrays[i + 1:])


def test_text_helpers_match_the_tokenizer(model):
    ids = model.tokenize(TEXT)
    assert ids.dtype == np.int32 and ids[0] == model.config["bos_token_id"]
    assert model.decode(ids[1:]) == TEXT
    assert "".join(model.to_str_tokens(TEXT)[1:]) == TEXT
    assert len(model.tokenize(TEXT, bos=False)) == len(ids) - 1
    assert model.to_str_tokens(list(ids)) == model.to_str_tokens(TEXT)


@pytest.mark.parametrize("key", ["n_layers", "d_model", "architecture", "vocab_size"])
def test_config_is_a_dict_of_the_checkpoint(model, key):
    expected = {"n_layers": 3, "d_model": 64, "architecture": "gpt2", "vocab_size": 257}
    assert model.config[key] == expected[key]
