"""Every CLI error is a Python exception with the CLI's message (InputError is a ValueError,
FileError an OSError), and two threads can run two models at once (the GIL is released)."""
import threading

import numpy as np
import pytest

import outlierscope
from conftest import TEXT, cli_error


def test_missing_model_file_is_an_oserror_with_the_clis_message(tmp_path):
    missing = tmp_path / "nope.gguf"
    expected = cli_error("run", missing, "--text", "x")
    with pytest.raises(OSError) as e:
        outlierscope.load(str(missing))
    assert isinstance(e.value, outlierscope.FileError) and isinstance(e.value, ValueError)
    assert str(e.value) == expected


def test_bad_checkpoint_is_a_valueerror_with_the_clis_message(tmp_path):
    bad = tmp_path / "bad.gguf"
    bad.write_bytes(b"GGUF" + b"\0" * 20)
    expected = cli_error("run", bad, "--text", "x")
    with pytest.raises(outlierscope.InputError) as e:
        outlierscope.load(str(bad))
    assert isinstance(e.value, ValueError) and str(e.value) == expected


def test_bad_intervention_spec_has_the_clis_message(model, model_dir):
    spec = "blocks.0.hook_resid_post:explode"
    expected = cli_error("run", model_dir, "--text", TEXT, "--intervene", spec)
    with pytest.raises(ValueError) as e:
        model.run_with_hooks(TEXT, interventions=[spec])
    assert str(e.value) == expected


def test_token_id_outside_the_vocabulary_is_an_error_not_a_crash(model):
    with pytest.raises(ValueError):
        model.run_with_cache([1, 2, 10**6])
    with pytest.raises(ValueError, match="1-D sequence of integers"):
        model.run_with_cache([[1, 2]])
    with pytest.raises(ValueError):
        model.decode([-1])


def test_missing_text_file_is_an_oserror(model, tmp_path):
    with pytest.raises(OSError, match="nope.txt"):
        outlierscope.perplexity(model, str(tmp_path / "nope.txt"), 16)


def test_two_threads_with_two_models_at_once(model_dir, stories_bin):
    models = [outlierscope.load(model_dir), outlierscope.load(stories_bin)]
    inputs = [TEXT, TEXT * 4]
    expected = [m.run_with_cache(t, names_filter="blocks.*.hook_resid_post") for m, t in zip(models, inputs)]
    results, errors = [None, None], []

    def work(i):
        try:
            for _ in range(5):
                results[i] = models[i].run_with_cache(inputs[i], names_filter="blocks.*.hook_resid_post")
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for (logits, cache), (exp_logits, exp_cache) in zip(results, expected):
        assert np.array_equal(logits, exp_logits)
        assert all(np.array_equal(cache[k], exp_cache[k]) for k in exp_cache)
