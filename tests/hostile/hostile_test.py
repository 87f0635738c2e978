#!/usr/bin/env python3
"""Hostile tests of the outlierscope command line (issue 13).

Each case builds bad inputs or bad options at run time in a scratch sandbox and asserts:
  * exit status 2,
  * exactly one line on stderr, "outlierscope: error: ...", naming the problem (a given substring),
  * every file in the sandbox byte-identical afterwards, and no file added or removed.
Covered classes: out-of-domain values of every numeric option of every command (read from --help,
so a new option is covered by its domain), outputs that are inputs (also through symlinks and hard
links), FIFOs and devices as outputs, non-empty foreign folders, concurrent writers (a held lock),
corrupt files, empty inputs and folders given as files, degenerate requests, resume conflicts.
Then the positive halves: a rerun replaces its previous output as a whole, an interrupted run leaves
no temporary file, a resumed run may extend --steps, a diverging loss stops naming its step.

Run by ctest with OUTLIERSCOPE_CLI set to the built program.
"""
import concurrent.futures
import hashlib
import json
import os
import re
import signal
import struct
import subprocess
import sys
import tempfile
import time

CLI = os.environ.get("OUTLIERSCOPE_CLI") or sys.exit("OUTLIERSCOPE_CLI is not set")
FAILURES = []
CHECKS = 0


def run(args, **kw):
    """Runs the CLI quietly; a command that hangs counts as exit status 124."""
    try:
        return subprocess.run([CLI, "-q"] + args, capture_output=True, text=True, errors="replace", timeout=60, **kw)
    except subprocess.TimeoutExpired as e:
        return subprocess.CompletedProcess(e.cmd, 124, "", "timed out after 60 s")


def snapshot(root):
    """path -> (kind, sha256) of everything under root (links not followed)."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if os.path.islink(path):
                state[path] = ("link", os.readlink(path))
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    state[path] = ("file", hashlib.sha256(f.read()).hexdigest())
            else:
                state[path] = ("other", oct(st.st_mode))
    return state


def fail(what, detail):
    FAILURES.append(f"{what}\n    {detail}")


def refusal_problem(args, needle):
    """None if the command exits 2 with one stderr line containing `needle`, else what went wrong."""
    r = run(args)
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    if r.returncode != 2:
        return f"exit {r.returncode}, expected 2; stderr: {r.stderr.strip()[:400]}"
    if len(lines) != 1 or not lines[0].startswith("outlierscope: error: "):
        return f"expected one error line on stderr, got {len(lines)}: {r.stderr.strip()[:400]}"
    if needle.lower() not in lines[0].lower():
        return f"the error does not name '{needle}': {lines[0]}"
    return None


def expect_unchanged(before, after, what):
    global CHECKS
    CHECKS += 1
    if before != after:
        changed = sorted(set(before.items()) ^ set(after.items()))
        fail(what, f"files changed: {[c[0] for c in changed][:6]}")


def expect_refused(sandbox, args, needle):
    """The command exits 2 with one stderr line containing `needle` and leaves the sandbox as it was."""
    global CHECKS
    CHECKS += 1
    before = snapshot(sandbox)
    problem = refusal_problem(args, needle)
    what = "outlierscope " + " ".join(args)
    if problem:
        fail(what, problem)
    expect_unchanged(before, snapshot(sandbox), what)


def expect_ok(args, what=None, **kw):
    global CHECKS
    CHECKS += 1
    r = run(args, **kw)
    if r.returncode != 0:
        fail(what or "outlierscope " + " ".join(args), f"exit {r.returncode}: {r.stderr.strip()[-600:]}")
    return r


def check(condition, what, detail=""):
    global CHECKS
    CHECKS += 1
    if not condition:
        fail(what, detail)


# ---------------------------------------------------------------------------------------------
# Fixtures: a text, a byte dataset, a tiny trained model (HF folder with tokenizer), a scan output.

TEXT = "".join(f"The quick brown fox {i % 7} jumps over the lazy dog. " for i in range(120))
TINY = ["--layers", "1", "--heads", "1", "--dim", "8", "--ctx", "64", "--batch", "2", "--warmup", "1",
        "--eval-every", "0", "--seed", "3", "--threads", "1"]


def with_option(args, option, value):
    """args with `option` set to `value` (replaced if present: options may not repeat)."""
    given = list(args)
    if option in given:
        given[given.index(option) + 1] = value
    else:
        given.append(f"{option}={value}")
    return given


def make_fixtures(root):
    fx = {"root": root}
    # report.html embeds plotly.js; a stand-in keeps the suite independent of `npm ci`.
    os.environ["OUTLIERSCOPE_PLOTLY_JS"] = os.path.join(root, "plotly.min.js")
    with open(os.environ["OUTLIERSCOPE_PLOTLY_JS"], "w") as f:
        f.write("/* plotly.js stand-in */" + " " * 100000)
    fx["text"] = os.path.join(root, "text.txt")
    with open(fx["text"], "w") as f:
        f.write(TEXT)
    fx["data"] = os.path.join(root, "data")
    expect_ok(["prepare", "--tokenizer", "byte", fx["text"], "--out", fx["data"]])
    fx["run"] = os.path.join(root, "run")
    expect_ok(["train", "--data", fx["data"], "--out", fx["run"], "--steps", "2", "--ckpt-every", "1"] + TINY)
    fx["model"] = os.path.join(fx["run"], "export")
    fx["weights"] = os.path.join(fx["model"], "model.safetensors")
    fx["scan"] = os.path.join(root, "scan")
    expect_ok(["scan", fx["model"], "--out", fx["scan"], "--max-windows", "1"])
    fx["report"] = os.path.join(fx["scan"], "report.json")
    fx["foreign"] = os.path.join(root, "foreign")  # a user's folder: not an output of ours
    os.makedirs(fx["foreign"])
    for name, content in [("config.json", "{}"), ("tokenizer.json", "{}"), ("notes.txt", "keep me")]:
        with open(os.path.join(fx["foreign"], name), "w") as f:
            f.write(content)
    fx["fifo"] = os.path.join(root, "fifo")
    os.mkfifo(fx["fifo"])
    fx["device"] = os.path.join(root, "device")  # a symlink to a character device
    os.symlink("/dev/null", fx["device"])
    fx["empty"] = os.path.join(root, "empty.txt")
    open(fx["empty"], "w").close()
    fx["folder"] = os.path.join(root, "a_folder")
    os.makedirs(fx["folder"])
    fx["weights_link"] = os.path.join(root, "weights_link.safetensors")
    os.symlink(fx["weights"], fx["weights_link"])
    fx["text_hardlink"] = os.path.join(root, "text_hardlink.txt")
    os.link(fx["text"], fx["text_hardlink"])
    return fx


# ---------------------------------------------------------------------------------------------
# 1. Every numeric option of every command, out of its domain (domains read from --help).

# Valid required arguments per command, so that parsing reaches the option under test.
def required_args(fx):
    m, d = fx["model"], fx["data"]
    out = os.path.join(fx["root"], "never_written")
    return {
        "generate": [m, "--prompt", "x"],
        "perplexity": [m, "--file", fx["text"], "--ctx", "8"],
        "plot": [fx["report"], "--out", out],
        "prepare": [fx["text"], "--out", out],
        "run": [m, "--text", "x"],
        "scan": [m, "--out", out],
        "scan weights": [m, "--out", out],
        "scan attention": [m, "--out", out],
        "scan lifecycle": [m, "--out", out],
        "scan ablate": [m, "--out", out],
        "synth": ["--out", out],
        "train": ["--data", d, "--out", out],
        "experiment variants": ["--data", d, "--out", out],
    }


# "  --lr FLOAT:(0, 10)=0.001  help", "  --seed UINT:>= 0=1337", "  -n,--tokens INT:0..1048576"
HELP_OPTION = re.compile(r"^\s+(?:-\w,)?(--[\w-]+)\s+(INT|UINT|FLOAT):(>=? [^\s=]+|[^\s=]+, [^\s=]+|[^\s=]+)")


def numeric_options(command):
    r = run(command.split() + ["--help"])
    options = []
    for line in r.stdout.splitlines():
        m = HELP_OPTION.match(line)
        if m:
            options.append((m.group(1), m.group(2), m.group(3)))
    return options


def values_outside(domain, kind):
    """Values just outside a domain text: "1..4096", "[0, 1)", "(0, 10]", ">= 0", "> 1"."""
    bad = ["nan"] + (["1.5"] if kind != "FLOAT" else ["-inf"])
    m = re.fullmatch(r"(-?\d+)\.\.(-?\d+)", domain)
    if m:
        return bad + [str(int(m.group(1)) - 1), str(int(m.group(2)) + 1)]
    m = re.fullmatch(r"([\[(])(-?[\d.e+]+), (-?[\d.e+]+)([\])])", domain)
    if m:
        lo, hi = float(m.group(2)), float(m.group(3))
        bad += [repr(lo) if m.group(1) == "(" else repr(lo - max(1e-3, abs(lo) * 1e-3)),
                repr(hi) if m.group(4) == ")" else repr(hi + max(1e-3, abs(hi) * 1e-3))]
        return bad
    m = re.fullmatch(r"(>=?) (-?[\d.e+]+)", domain)
    if m:
        lo = float(m.group(2))
        return bad + ([repr(lo)] if m.group(1) == ">" else [str(int(lo) - 1) if kind != "FLOAT" else repr(lo - 1e-3)])
    fail(f"domain text '{domain}'", "not understood by the test")
    return bad


def test_numeric_options(fx):
    """Parse-time refusals write nothing, so they run in parallel between two snapshots."""
    global CHECKS
    cases = []
    for command, args in required_args(fx).items():
        options = numeric_options(command)
        check(command == "run" or options, f"{command} --help lists numeric options with domains")
        for option, kind, domain in options:
            for value in values_outside(domain, kind):
                cases.append((command.split() + with_option(args, option, value), option))
    check(len({(c[0][0], c[1]) for c in cases}) >= 45, "numeric options found in --help", f"only {len(cases)} cases")
    before = snapshot(fx["root"])
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        problems = list(pool.map(lambda c: refusal_problem(*c), cases))
    for (args, _), problem in zip(cases, problems):
        CHECKS += 1
        if problem:
            fail("outlierscope " + " ".join(args), problem)
    expect_unchanged(before, snapshot(fx["root"]), "out-of-domain options")


# ---------------------------------------------------------------------------------------------
# 2. Outputs that would harm a file.

def test_outputs(fx):
    root, m = fx["root"], fx["model"]
    cases = [
        (["run", m, "--text", "x", "--out", fx["weights"]], "an input of this command"),
        (["run", m, "--text", "x", "--out", fx["weights_link"]], "an input of this command"),
        (["run", m, "--file", fx["text"], "--out", fx["text"]], "an input of this command"),
        (["run", m, "--file", fx["text"], "--out", fx["text_hardlink"]], "an input of this command"),
        (["run", m, "--text", "x", "--out", fx["fifo"]], "not a regular file"),
        (["run", m, "--text", "x", "--out", fx["device"]], "not a regular file"),
        (["run", m, "--text", "x", "--out", fx["folder"]], "not a regular file"),
        (["run", m, "--text", "x", "--out", os.path.join(root, "missing", "acts.safetensors")], "does not exist"),
        (["run", m, "--text", "x", "--npy-dir", m], "input of this command"),
        (["run", m, "--text", "x", "--npy-dir", fx["foreign"]], "not empty"),
        (["run", m, "--text", "x", "--npy-dir", fx["fifo"]], "not a folder"),
        (["scan", m, "--out", m], "input of this command"),
        (["scan", m, "--out", fx["foreign"]], "not empty"),
        (["scan", m, "--out", fx["fifo"]], "not a folder"),
        (["scan", m, "--out", fx["run"]], "input of this command"),
        (["scan", m, "--out", fx["data"]], "outlierscope prepare"),
        (["scan", m, "--out", fx["scan"], "--file", fx["report"]], "input of this command"),
        (["synth", "--arch", "gpt2", "--preset", "tiny", "--out", m], "not empty"),
        (["synth", "--arch", "gpt2", "--preset", "tiny", "--out", fx["foreign"]], "not empty"),
        (["synth", "--arch", "gpt2", "--preset", "tiny", "--out", fx["scan"]], "outlierscope scan"),
        (["synth", "--arch", "gpt2", "--preset", "tiny", "--out", fx["device"]], "not a folder"),
        (["prepare", fx["text"], "--out", root], "input of this command"),
        (["prepare", fx["text"], "--out", fx["foreign"]], "not empty"),
        (["prepare", fx["text"], "--out", fx["data"] + "/train.bin"], "not a folder"),
        (["train", "--data", fx["data"], "--out", fx["data"]] + TINY, "input of this command"),
        (["train", "--data", fx["data"], "--out", fx["foreign"]] + TINY, "not empty"),
        (["train", "--data", fx["data"], "--out", fx["scan"]] + TINY, "outlierscope scan"),
        (["plot", fx["report"], "--out", fx["scan"]], "input of this command"),
        (["plot", fx["report"], "--out", fx["foreign"]], "not empty"),
        (["experiment", "variants", "--data", fx["data"], "--out", fx["foreign"]], "not empty"),
        (["experiment", "variants", "--data", fx["data"], "--out", fx["run"]], "outlierscope train"),
    ]
    for args, needle in cases:
        expect_refused(root, args, needle)


LOCK_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR)
fcntl.lockf(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.read()
"""


def test_locked_folders(fx):
    """A folder whose marker another process holds locked is refused, naming the holder. (The lock
    is held by a helper: POSIX record locks are released when their process closes any descriptor
    of the file, as this script's snapshots do.)"""
    root = fx["root"]
    folders = {"scan": (fx["scan"], ["scan", fx["model"], "--out", fx["scan"]]),
               "train": (fx["run"], ["train", "--data", fx["data"], "--out", fx["run"], "--resume"]),
               "prepare": (fx["data"], ["prepare", fx["text"], "--out", fx["data"]])}
    for command, (folder, args) in folders.items():
        marker = os.path.join(folder, ".outlierscope-" + command)
        check(os.path.isfile(marker), f"{command} marks its output folder", marker)
        if not os.path.isfile(marker):
            continue
        holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, marker], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        try:
            holder.stdout.readline()
            expect_refused(root, args, f"being written by outlierscope {command} (pid {holder.pid})")
        finally:
            holder.stdin.close()
            holder.wait(10)


def test_concurrent_trains(fx):
    """Two real train processes on one folder: the second refuses naming the first's pid."""
    root = fx["root"]
    out = os.path.join(root, "concurrent")
    first = subprocess.Popen([CLI, "-q", "train", "--data", fx["data"], "--out", out, "--steps", "100000"] + TINY,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    log = os.path.join(out, "log.csv")  # written once the folder is locked
    deadline = time.time() + 20
    while time.time() < deadline and not os.path.exists(log):
        time.sleep(0.02)
    try:
        r = run(["train", "--data", fx["data"], "--out", out, "--steps", "5"] + TINY)
        check(r.returncode == 2 and f"pid {first.pid}" in r.stderr, "a second train on a locked folder refuses",
              f"exit {r.returncode}: {r.stderr.strip()}")
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(20)
    check(first.returncode == -signal.SIGINT, "SIGINT ends train", f"exit {first.returncode}")
    leftovers = [n for n in os.listdir(out) if ".tmp." in n]
    check(not leftovers, "an interrupted train leaves no temporary file", str(leftovers))


# ---------------------------------------------------------------------------------------------
# 3. Corrupt files, empty inputs, folders given as files, degenerate requests.

def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def test_bad_inputs(fx):
    root, m = fx["root"], fx["model"]
    bad = os.path.join(root, "bad")
    # A model folder whose weights file is cut short, one with a broken config, a corrupt dataset.
    for name in os.listdir(m):
        if not name.startswith("."):
            with open(os.path.join(m, name), "rb") as f:
                write(os.path.join(bad, "cut", name), f.read())
    with open(os.path.join(bad, "cut", "model.safetensors"), "r+b") as f:
        f.truncate(200)
    write(os.path.join(bad, "config", "model.safetensors"), open(fx["weights"], "rb").read())
    write(os.path.join(bad, "config", "config.json"), "{\"model_type\": \"gpt2\", \"n_layer\": ")
    write(os.path.join(bad, "data", "meta.json"), "{\"vocab_size\": 10, \"dtype\": \"uint16\"}")
    write(os.path.join(bad, "data", "train.bin"), b"abc")
    write(os.path.join(bad, "data", "val.bin"), b"ab")
    write(os.path.join(bad, "tiny.txt"), "ab")  # datasets too short to train on / without a validation split
    expect_ok(["prepare", os.path.join(bad, "tiny.txt"), "--out", os.path.join(bad, "short")])
    expect_ok(["prepare", fx["text"], "--out", os.path.join(bad, "no_val"), "--val-fraction", "0"])
    write(os.path.join(bad, "report.json"), "{\"schema\": \"outlierscope.report\", \"sche")
    for name in os.listdir(fx["run"]):  # a run whose checkpoint.json is cut short
        if os.path.isfile(os.path.join(fx["run"], name)):
            with open(os.path.join(fx["run"], name), "rb") as f:
                write(os.path.join(bad, "run", name), f.read())
    with open(os.path.join(bad, "run", "checkpoint.json"), "r+b") as f:
        f.truncate(40)
    new = os.path.join(root, "new_output")
    cases = [
        (["run", os.path.join(bad, "cut"), "--text", "x", "--out", new + ".safetensors"], "model.safetensors"),
        (["scan", os.path.join(bad, "cut"), "--out", new], "model.safetensors"),
        (["scan", os.path.join(bad, "config"), "--out", new], "config.json"),
        (["perplexity", os.path.join(bad, "config"), "--file", fx["text"], "--ctx", "8"], "config.json"),
        (["train", "--data", os.path.join(bad, "data"), "--out", new] + TINY, "train.bin"),
        (["train", "--data", os.path.join(bad, "short"), "--out", new] + TINY, "train.bin"),
        (["train", "--data", os.path.join(bad, "no_val"), "--out", new] + with_option(TINY, "--eval-every", "1"), "val.bin"),
        (["plot", os.path.join(bad, "report.json"), "--out", new], "report.json"),
        (["train", "--data", fx["data"], "--out", os.path.join(bad, "run"), "--resume"], "checkpoint.json"),
        # empty inputs and folders given as files
        (["run", m, "--file", fx["empty"]], "is empty"),
        (["run", m, "--file", fx["folder"]], "is a folder"),
        (["perplexity", m, "--file", fx["empty"], "--ctx", "8"], "empty.txt"),
        (["perplexity", m, "--file", fx["folder"], "--ctx", "8"], "is a folder"),
        (["scan", m, "--file", fx["empty"], "--out", new], "empty.txt"),
        (["scan", m, "--file", fx["folder"], "--out", new], "is a folder"),
        (["tokenize", m, "--file", fx["folder"]], "is a folder"),
        (["prepare", fx["empty"], "--out", new], "is empty"),
        (["prepare", fx["folder"], "--out", new], "is a folder"),
        # degenerate requests
        (["perplexity", m, "--file", fx["text"], "--ctx", "2", "--convention", "llamacpp"], "--ctx"),
        (["scan", m, "--out", new, "--max-windows", "0"], "--max-windows"),
        (["scan", m, "--out", new, "--act-k", "0"], "--act-k"),
        (["generate", m, "--prompt", "x", "--temperature", "nan"], "--temperature"),
        (["generate", m, "--prompt", "x", "--temperature", "-1"], "--temperature"),
        (["train", "--data", fx["data"], "--out", new, "--weight-decay", "nan"] + TINY, "--weight-decay"),
        (["train", "--data", fx["data"], "--out", new, "--beta2", "-1"] + TINY, "--beta2"),
        (["train", "--data", fx["data"], "--out", new, "--beta1", "1.5"] + TINY, "--beta1"),
        # resume
        (["train", "--data", fx["data"], "--out", new, "--resume"] + TINY, "no checkpoint"),
        (["train", "--data", fx["data"], "--out", fx["run"], "--resume", "--dim", "16"], "dim"),
        (["train", "--data", fx["data"], "--out", fx["run"], "--resume", "--lr", "0.002"], "lr"),
        (["train", "--data", fx["data"], "--out", fx["run"], "--resume", "--steps", "1"], "--steps"),
        (["train", "--data", fx["data"], "--out", fx["run"]] + TINY + ["--steps", "2"], "--resume"),
    ]
    for args, needle in cases:
        expect_refused(root, args, needle)


def test_corrupted_models(fx):
    """Model folders corrupted at run time (seeded): cut weights at many offsets, flipped header bytes,
    config fields of the wrong type or out of range. Each load either works (a flipped byte can leave a
    valid file) or fails with exit 2 and one line; a crash, an internal error or a changed file fails."""
    import random
    rng = random.Random(13)
    root, src = fx["root"], fx["model"]
    weights = open(fx["weights"], "rb").read()
    config = json.load(open(os.path.join(src, "config.json")))
    (header_len,) = struct.unpack("<Q", weights[:8])
    variants = []
    for cut in sorted({0, 4, 8, 9, header_len // 2, header_len + 8, header_len + 9, len(weights) - 1}):
        variants.append((f"cut{cut}", weights[:cut], None, True))
    for i in range(12):
        data = bytearray(weights)
        pos = rng.randrange(8, 8 + header_len)
        data[pos] = rng.choice(b'{}[]",:0123456789-eE x\x00\xff')
        variants.append((f"flip{i}", bytes(data), None, False))
    # (A config disagreeing with the checkpoint in ways that parse, e.g. n_layer 10**12, is the engine
    # half of issue 13: binding checks.)
    for key, value in [("n_layer", "two"), ("n_layer", -1), ("n_embd", 0), ("n_head", 3), ("vocab_size", -5),
                       ("n_positions", "x")]:
        variants.append((f"config_{key}_{value}", weights, dict(config, **{key: value}), True))
    for name, data, cfg, must_fail in variants:
        folder = os.path.join(root, "corrupt", name)
        for f in os.listdir(src):
            if not f.startswith("."):
                write(os.path.join(folder, f), open(os.path.join(src, f), "rb").read())
        write(os.path.join(folder, "model.safetensors"), data)
        if cfg is not None:
            write(os.path.join(folder, "config.json"), json.dumps(cfg))
        global CHECKS
        CHECKS += 1
        before = snapshot(root)
        r = run(["run", folder, "--text", "x"])
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        what = f"outlierscope run <{name}>"
        if r.returncode not in ((2,) if must_fail else (0, 2)):
            fail(what, f"exit {r.returncode}: {r.stderr.strip()[:300]}")
        elif r.returncode == 2 and (len(lines) != 1 or not lines[0].startswith("outlierscope: error: ")):
            fail(what, f"expected one error line: {r.stderr.strip()[:300]}")
        expect_unchanged(before, snapshot(root), what)


# ---------------------------------------------------------------------------------------------
# 4. Positive halves: reruns replace, interruptions leave nothing, resume semantics, divergence.

def test_reruns_replace(fx):
    root = fx["root"]
    out = os.path.join(root, "rerun_scan")
    expect_ok(["scan", fx["model"], "--out", out, "--max-windows", "1", "--figures"])
    check(os.path.exists(os.path.join(out, "report.html")), "scan --figures writes report.html")
    expect_ok(["scan", "weights", fx["model"], "--out", out])
    stale = [n for n in ("report.html", "figures", "activations_per_layer.csv") if os.path.exists(os.path.join(out, n))]
    check(not stale, "a second scan replaces the first scan's output as a whole", str(stale))
    check(os.path.exists(os.path.join(out, "report.json")), "the second scan's report.json is there")

    synth = os.path.join(root, "rerun_synth")
    expect_ok(["synth", "--arch", "gpt2", "--preset", "tiny", "--out", synth, "--max-shard-gb", "0.0001"])
    shards = [n for n in os.listdir(synth) if n.endswith(".safetensors")]
    check(len(shards) > 1, "a tiny shard size gives several shards", str(shards))
    expect_ok(["synth", "--arch", "gpt2", "--preset", "tiny", "--out", synth])
    shards = sorted(n for n in os.listdir(synth) if not n.startswith("."))
    check(shards == ["config.json", "model.safetensors"], "a second synth leaves no stale shard", str(shards))


def test_interrupted_synth(fx):
    """SIGINT / SIGTERM while synth writes: no temporary file, no staging folder, no half output."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        out = os.path.join(fx["root"], f"interrupted_{sig}")
        p = subprocess.Popen([CLI, "-q", "synth", "--arch", "llama", "--preset", "small", "--dtype", "f32",
                              "--out", out], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        found = False
        while time.time() < deadline and p.poll() is None and not found:
            for dirpath, _, files in os.walk(out):
                found = found or any(".tmp." in f for f in files)
            time.sleep(0.005)
        p.send_signal(sig)
        p.wait(20)
        check(found, f"synth wrote a temporary file before signal {sig}")
        check(p.returncode == -sig, f"signal {sig} ends synth", f"exit {p.returncode}")
        check(not os.path.exists(out), f"signal {sig}: the new output folder is gone",
              str([os.path.join(d, f) for d, _, fs in os.walk(out) for f in fs]))


def test_resume_semantics(fx):
    root = fx["root"]
    run_dir = os.path.join(root, "extend")
    base = ["train", "--data", fx["data"], "--out", run_dir] + TINY
    expect_ok(base + ["--steps", "3", "--ckpt-every", "1"])
    expect_ok(["train", "--data", fx["data"], "--out", run_dir, "--resume", "--steps", "5", "--threads", "1"])
    with open(os.path.join(run_dir, "log.csv")) as f:
        steps = [line.split(",")[0] for line in f.read().splitlines()[1:]]
    check(steps == ["1", "2", "3", "4", "5"], "--resume --steps 5 extends a 3-step run to 5 steps", str(steps))
    state = json.load(open(os.path.join(run_dir, "checkpoint.json")))
    check(state["options"]["steps"] == 5 and state["step"] == 5, "the extended run saves its new total")

    exp = os.path.join(root, "experiment")
    common = ["experiment", "variants", "--data", fx["data"], "--out", exp, "--variants", "softmax",
              "--layers", "1", "--heads", "1", "--dim", "8", "--ctx", "64", "--batch", "2", "--warmup", "1",
              "--eval-every", "0", "--eval-windows", "2", "--stats-windows", "1", "--no-figures", "--threads", "1"]
    expect_ok(common + ["--steps", "2"])
    expect_refused(root, common + ["--steps", "3"], "steps: the run has 2, given 3")
    expect_ok(common + ["--steps", "2"], "rerunning an experiment with the same options measures it again")


def poison_checkpoint(run_dir):
    """Sets every weight of the run's last checkpoint to NaN (the AdamW moments stay finite)."""
    state = json.load(open(os.path.join(run_dir, "checkpoint.json")))
    path = os.path.join(run_dir, state["tensors"])
    with open(path, "r+b") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        for name, info in header.items():
            if name == "__metadata__" or name.startswith("adamw.") or info["dtype"] != "F32":
                continue
            begin, end = info["data_offsets"]
            f.seek(8 + n + begin)
            f.write(struct.pack("<f", float("nan")) * ((end - begin) // 4))


def test_non_finite_loss(fx):
    run_dir = os.path.join(fx["root"], "diverged")
    expect_ok(["train", "--data", fx["data"], "--out", run_dir, "--steps", "2", "--ckpt-every", "1"] + TINY)
    poison_checkpoint(run_dir)
    r = run(["train", "--data", fx["data"], "--out", run_dir, "--resume", "--steps", "4"])
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    check(r.returncode == 2 and len(lines) == 1 and "NaN at step 3" in lines[0],
          "a NaN loss stops training naming the step", f"exit {r.returncode}: {r.stderr.strip()}")


def main():
    start = time.time()
    with tempfile.TemporaryDirectory(prefix="outlierscope_hostile_") as root:
        fx = make_fixtures(root)
        if FAILURES:
            print("fixtures failed:\n" + "\n".join(FAILURES))
            return 1
        for test in (test_numeric_options, test_outputs, test_locked_folders, test_bad_inputs, test_corrupted_models,
                     test_reruns_replace,
                     test_interrupted_synth, test_resume_semantics, test_non_finite_loss, test_concurrent_trains):
            n = len(FAILURES)
            t0 = time.time()
            try:
                test(fx)
            except Exception as e:  # a hung or crashed case is a failure of its test, not of the suite
                fail(test.__name__, f"{type(e).__name__}: {e}")
            print(f"{test.__name__}: {'ok' if len(FAILURES) == n else f'{len(FAILURES) - n} failures'} "
                  f"({time.time() - t0:.1f} s)", flush=True)
    print(f"{CHECKS} checks, {len(FAILURES)} failures, {time.time() - start:.1f} s")
    for f in FAILURES:
        print("FAIL: " + f)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
