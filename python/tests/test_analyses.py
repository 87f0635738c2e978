"""scan / perplexity / plot / train from Python against the CLI's files: the same library calls,
so the same report.json, the same perplexity."""
import json
import pathlib

import pytest

import outlierscope
from conftest import SHARED, TEXT, require_shared, run_cli

TIMESTAMP_KEYS = {"created_utc"}


def without_timestamps(doc):
    if isinstance(doc, dict):
        return {k: without_timestamps(v) for k, v in doc.items() if k not in TIMESTAMP_KEYS}
    if isinstance(doc, list):
        return [without_timestamps(v) for v in doc]
    return doc


def test_scan_equals_the_clis_report_json(model, model_dir, tmp_path):
    run_cli("scan", model_dir, "--text", TEXT, "--ids", "256,10,20,30", "--act-k", "15", "--out", tmp_path / "cli")
    expected = json.loads((tmp_path / "cli" / "report.json").read_text())
    report = outlierscope.scan(model, texts=[TEXT], ids=[[256, 10, 20, 30]], act_k=15, quiet=True)
    assert without_timestamps(report) == without_timestamps(expected)
    assert report["model"]["path"] == model_dir
    outlierscope.write_report(report, str(tmp_path / "py"))
    written = json.loads((tmp_path / "py" / "report.json").read_text())
    assert without_timestamps(written) == without_timestamps(expected)


def test_scan_part_and_rules_equal_the_cli(model, model_dir, tmp_path):
    run_cli("scan", "weights", model_dir, "--weight-rule", "both", "--weight-ratio", "3", "--out", tmp_path)
    expected = json.loads((tmp_path / "report.json").read_text())
    report = outlierscope.scan(model, part="weights", weight_rule="both", weight_ratio=3, quiet=True)
    assert without_timestamps(report) == without_timestamps(expected)


def test_scan_rejects_an_unknown_option(model):
    with pytest.raises(outlierscope.InputError, match="unknown option 'act_kk'"):
        outlierscope.scan(model, act_kk=3)


def test_plot_draws_the_figures_and_html(model, tmp_path):
    report = outlierscope.scan(model, quiet=True)
    written = outlierscope.plot(report, str(tmp_path))
    assert str(tmp_path / "report.html") in written and len(written) > 2
    assert all(pathlib.Path(p).stat().st_size > 0 for p in written)


def corpus_file():
    path = SHARED / "corpora" / "tinyshakespeare" / "input.txt"
    require_shared(path)
    return str(path)


def test_perplexity_equals_the_cli(model, model_dir, tmp_path):
    text = tmp_path / "text.txt"
    text.write_text(TEXT * 20)
    out, _ = run_cli("perplexity", model_dir, "--file", text, "--ctx", 32, "--json")
    expected = json.loads(out)
    result = outlierscope.perplexity(model, str(text), 32)
    assert result["perplexity"] == expected["perplexity"] and result["scored"] == expected["scored"]
    assert result["windows"] == expected["windows"] > 1


def test_train_equals_the_cli_and_reports_progress(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text(("Summer is warm. Winter is cold. " * 40 + "\n") * 8)
    run_cli("prepare", text, "--out", tmp_path / "data")
    options = dict(layers=1, heads=2, dim=16, ctx=16, batch=2, steps=3, warmup=1, eval_every=0, ckpt_every=0,
                   threads=1)
    run_cli("train", "--data", tmp_path / "data", "--out", tmp_path / "cli",
            *[a for k, v in options.items() for a in (f"--{k.replace('_', '-')}", v)])
    seen = []
    out = outlierscope.train(str(tmp_path / "data"), str(tmp_path / "py"), progress=seen.append, quiet=True, **options)
    assert out == str(tmp_path / "py")
    assert [s["step"] for s in seen] == [1, 2, 3] and all(s["steps"] == 3 for s in seen)
    cli_log = (tmp_path / "cli" / "log.csv").read_text().splitlines()
    py_log = (tmp_path / "py" / "log.csv").read_text().splitlines()
    loss_column = cli_log[0].split(",").index("loss")
    assert [row.split(",")[loss_column] for row in py_log] == [row.split(",")[loss_column] for row in cli_log]
    assert [float(row.split(",")[loss_column]) for row in py_log[1:]] == pytest.approx([s["loss"] for s in seen])
    assert (tmp_path / "py" / "export" / "model.safetensors").read_bytes() == \
        (tmp_path / "cli" / "export" / "model.safetensors").read_bytes()
    trained = outlierscope.load(str(tmp_path / "py" / "export"))
    assert trained.config["n_layers"] == 1


def test_train_stops_when_the_progress_callback_raises(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text(("Summer is warm. Winter is cold. " * 40 + "\n") * 8)
    run_cli("prepare", text, "--out", tmp_path / "data")

    def stop(step):
        raise KeyboardInterrupt("stop here")

    with pytest.raises(KeyboardInterrupt):
        outlierscope.train(str(tmp_path / "data"), str(tmp_path / "run"), progress=stop, layers=1, heads=2, dim=16,
                           ctx=16, batch=2, steps=5, eval_every=0, ckpt_every=0, quiet=True)
    assert len((tmp_path / "run" / "log.csv").read_text().splitlines()) == 2  # header + the one step
