"""Fixtures for the Python module's tests: the CLI built beside it (the reference the module must
agree with), the built-in model and the shared test data. Run through ctest (python/CMakeLists.txt),
which sets PYTHONPATH, OUTLIERSCOPE_CLI and OUTLIERSCOPE_SHARED."""
import os
import pathlib
import subprocess

import pytest

import outlierscope

CLI = os.environ.get("OUTLIERSCOPE_CLI", "outlierscope")
SHARED = pathlib.Path(os.environ.get("OUTLIERSCOPE_SHARED") or os.environ.get("OUTLIERSCOPE_DEFAULT_SHARED")
                      or pathlib.Path(__file__).parents[2] / "shared")
TEXT = "Summer is warm. Winter is cold.\nThe sun sets, the moon rises."


def require_shared(path):
    """Skips the test when shared test data is missing on a developer machine; fails under CI=true,
    where it must be there (as tests/support/shared_data.h does for the C++ tests)."""
    if path.exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"shared test data missing under CI=true: {path}")
    pytest.skip(f"shared test data not found: {path}")


def run_cli(*args, expect=0):
    """Runs the CLI; returns (stdout, stderr). Fails the test on an unexpected exit status."""
    p = subprocess.run([CLI, "--quiet", *map(str, args)], capture_output=True, text=True)
    assert p.returncode == expect, f"{args}: exit {p.returncode}\n{p.stderr}"
    return p.stdout, p.stderr


def cli_error(*args):
    """The one-line message of a CLI error (exit status 2), without the 'error: ' prefix."""
    _, err = run_cli(*args, expect=2)
    line = err.strip().splitlines()[-1]
    return line.split("error: ", 1)[1] if "error: " in line else line


@pytest.fixture(scope="session")
def model():
    return outlierscope.load()


@pytest.fixture(scope="session")
def model_dir(model):
    return model.path


@pytest.fixture(scope="session")
def stories_bin():
    path = SHARED / "testdata" / "stories260K" / "stories260K.bin"
    require_shared(path)
    return str(path)
