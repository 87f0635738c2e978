"""What the MPI test scripts share: the environment (see pipeline_mpi_test.py), a check that
records failures instead of stopping at the first, and running the program on 1 or N ranks."""
import os
import shlex
import subprocess
import sys

CLI = os.environ["OUTLIERSCOPE_CLI"]
MPIEXEC = shlex.split(os.environ["OUTLIERSCOPE_MPIEXEC"])
SHARED = os.environ.get("OUTLIERSCOPE_SHARED") or os.environ["OUTLIERSCOPE_DEFAULT_SHARED"]
STORIES = os.path.join(SHARED, "testdata/stories260K/stories260K.bin")
FAILURES = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        FAILURES.append(what)


def run(args, ranks=1, timeout=120):
    """(exit status, stdout, stderr) of `outlierscope -q ARGS`, under mpiexec -np RANKS when RANKS > 1."""
    cmd = [CLI, "-q"] + args
    if ranks > 1:
        cmd = MPIEXEC + ["-np", str(ranks)] + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, errors="replace", timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def run_checks(main):
    """Runs main() when the shared test data is there; exits non-zero when a check failed."""
    if not os.path.exists(STORIES):
        sys.exit(f"shared test data missing: {STORIES}")
    main()
    if FAILURES:
        sys.exit(f"{len(FAILURES)} check(s) failed")
