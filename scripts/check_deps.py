#!/usr/bin/python3
"""Fails when the tests, benchmarks or build use something that scripts/setup.sh does not install.

A green CI on a machine that carries packages from earlier work hides a missing install step (the
tests imported PIL, which only python3-pil provides, and setup.sh did not name it). This check
makes the gap visible on any machine: every Python module imported under tests/ and bench/, every
program their scripts and tests call, every npm module their JavaScript requires, and (with
--build-dir) every file the CMake configuration found, must come from a Debian package that
setup.sh installs, from a package those depend on, or from the base system (Essential / Priority
required, present on every Debian machine). Ownership comes from dpkg's database (`dpkg -S`), the
dependency closure from the installed packages' Depends / Pre-Depends (`dpkg-query`).

Usage: /usr/bin/python3 scripts/check_deps.py [--build-dir build]
Run it with the interpreter the tests use: module files are found by that interpreter's import
system.
"""
import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED_DIRS = ["tests", "bench"]
SCANNED_SCRIPTS = [".ci/run"]  # CI's own commands, besides the scripts under SCANNED_DIRS
SOURCE_SUFFIXES = {".py", ".sh", ".cpp", ".h", ".js", ".mjs", ".txt", ".cmake"}

SHELL_BUILTINS = set("""
  . : [ [[ ]] alias bg break builtin case cd command continue declare do done echo elif else esac eval
  exec exit export false fi for function getopts hash if in jobs kill let local printf pushd popd pwd
  read readonly return select set shift source test then time trap true type ulimit umask unalias
  unset until wait while { } ! env nice sudo
""".split())
# Words that run the command after them; the program is the next word.
COMMAND_PREFIXES = {"time", "env", "exec", "command", "nice", "sudo", "!", "if", "while", "until",
                    "elif", "then", "do", "else"}
PROGRAM_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.+-]*$|^/[A-Za-z0-9_./+-]+$")
PY_IMPORT = re.compile(r"^\s*(?:import\s+([A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)|from\s+([A-Za-z_][\w.]*)\s+import\b)")
JS_MODULE = re.compile(r"""(?:require\(\s*|\bfrom\s+|^\s*import\s+)["']([^"']+)["']""", re.M)
STRING_LITERAL = re.compile(r'"((?:[^"\\\n]|\\.)*)"')
SHELL_SEPARATORS = re.compile(r"\|\||&&|[|;(`]|\$\(")
RUNS_A_COMMAND = re.compile(r"run_command|popen|system\(|\bcmd\b|command|subprocess|Popen|check_output|execvp|spawn")
# Programs are looked up as on a fresh machine, not through this user's PATH (pyenv shims, ~/bin).
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


# ---------------------------------------------------------------- what setup.sh installs

def setup_packages(setup_sh):
    """Package names on the `apt-get install` lines of setup.sh (continuation lines joined)."""
    text = setup_sh.read_text().replace("\\\n", " ")
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0]
        m = re.search(r"apt-get\s+install\s+(.*)", line)
        if not m:
            continue
        for word in m.group(1).split():
            if word in {";", "&&", "||", "fi", "then"}:
                break
            if not word.startswith(("-", "$")) and re.match(r"^[a-z0-9][a-z0-9.+-]+$", word):
                names.add(word)
    return names


def installed_packages():
    """name -> (depends: list of alternative lists, essential-or-required, provides list)."""
    fmt = "${db:Status-Abbrev}\t${Package}\t${Essential}\t${Priority}\t${Provides}\t${Pre-Depends}, ${Depends}\n"
    out = subprocess.run(["dpkg-query", "-W", "-f=" + fmt], check=True, capture_output=True, text=True).stdout
    packages = {}
    for line in out.splitlines():
        status, name, essential, priority, provides, depends = line.split("\t")
        if not status.startswith("ii"):
            continue
        alternatives = []
        for clause in depends.split(","):
            options = [re.split(r"[\s(:]", o.strip(), maxsplit=1)[0] for o in clause.split("|")]
            options = [o for o in options if o]
            if options:
                alternatives.append(options)
        provided = [re.split(r"[\s(]", p.strip(), maxsplit=1)[0] for p in provides.split(",") if p.strip()]
        packages[name] = (alternatives, essential == "yes" or priority == "required", provided)
    return packages


def closure(roots, packages):
    """Installed packages reachable from `roots` through Depends / Pre-Depends (virtual names resolved)."""
    providers = {}
    for name, (_, _, provided) in packages.items():
        for virtual in provided:
            providers.setdefault(virtual, set()).add(name)
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        for real in ({name} if name in packages else set()) | providers.get(name, set()):
            if real in seen:
                continue
            seen.add(real)
            for options in packages[real][0]:
                todo.extend(options)
    return seen


# ---------------------------------------------------------------- who owns a file

def path_variants(path):
    """The path as dpkg may have recorded it: as given, resolved, and across the /bin -> /usr/bin merge."""
    variants = [str(path), os.path.realpath(path)]
    for p in list(variants):
        for a, b in (("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/"), ("/usr/lib/", "/lib/")):
            if p.startswith(a):
                variants.append(b + p[len(a):])
            elif p.startswith(b):
                variants.append(a + p[len(b):])
    return list(dict.fromkeys(variants))


def owners(paths):
    """path -> set of packages owning it (or one of its variants); empty when no package does."""
    queries = {p: path_variants(p) for p in paths}
    all_variants = sorted({v for vs in queries.values() for v in vs})
    found = {}
    for i in range(0, len(all_variants), 200):
        out = subprocess.run(["dpkg", "-S", *all_variants[i:i + 200]], capture_output=True, text=True).stdout
        for line in out.splitlines():
            if line.startswith("diversion ") or ": " not in line:
                continue
            pkgs, path = line.rsplit(": ", 1)
            found.setdefault(path, set()).update(p.strip().split(":")[0] for p in pkgs.split(","))
    return {p: set().union(*(found.get(v, set()) for v in vs)) for p, vs in queries.items()}


# ---------------------------------------------------------------- what the tests and benchmarks use

def scanned_files():
    files = []
    for d in SCANNED_DIRS:
        for path in sorted((ROOT / d).rglob("*")):
            if path.is_file() and (path.suffix in SOURCE_SUFFIXES or path.name == "CMakeLists.txt"):
                files.append(path)
    return files + [ROOT / s for s in SCANNED_SCRIPTS if (ROOT / s).is_file()]


def is_shell(path, text):
    return path.suffix == ".sh" or text.startswith("#!/usr/bin/env bash") or text.startswith("#!/bin/")


def python_imports(files, local_modules):
    """module -> files importing it. Python sources, and Python embedded in shell heredocs and C++ strings."""
    used = {}
    for path in files:
        if path.suffix in {".js", ".mjs"}:
            continue
        for line in path.read_text(errors="replace").splitlines():
            m = PY_IMPORT.match(line.replace('\\n', '\n').split('\n')[-1])
            if not m:
                continue
            names = m.group(1).split(",") if m.group(1) else [m.group(2)]
            for name in names:
                top = name.strip().split(".")[0]
                if top and top not in local_modules and top != "__future__":
                    used.setdefault(top, set()).add(path)
    return used


def module_file(name):
    """The file or folder a module is loaded from, 'built-in', or None when it cannot be imported."""
    spec = importlib.util.find_spec(name)
    if spec is None:
        return None
    if spec.origin in (None, "built-in", "frozen") and not spec.submodule_search_locations:
        return "built-in"
    if spec.origin not in (None, "built-in", "frozen", "namespace"):
        return spec.origin
    return list(spec.submodule_search_locations)[0]


def shell_code(text):
    """The parts of a shell script that are commands: quoted text is dropped (a `python -c '...'`
    program, an echo's message) except for command substitutions `$(...)` inside double quotes;
    comments, heredoc bodies, `${...}` expansions and `(( ... ))` arithmetic are dropped too."""
    kept, heredoc_end = [], None
    for line in text.splitlines():
        if heredoc_end is not None:
            if line.strip() == heredoc_end:
                heredoc_end = None
            continue
        m = re.search(r"<<-?\s*['\"]?(\w+)['\"]?", line)
        if m:
            heredoc_end = m.group(1)
        kept.append(re.sub(r"(^|\s)#.*", "", line))
    text = re.sub(r"\$?\(\(.*?\)\)|\$\{[^}]*\}", "", "\n".join(kept))
    out, stack, i = [], ["code"], 0
    while i < len(text):
        c, top = text[i], stack[-1]
        step = 2 if text.startswith("$(", i) or c == "\\" else 1
        if top == "single":
            if c == "'":
                stack.pop()
        elif top == "double":
            if c == '"':
                stack.pop()
            elif step == 2 and c == "$":
                stack.append("code")
                out.append(" $(")
        elif c in "'\"":
            stack.append("single" if c == "'" else "double")
        elif c == ")" and len(stack) > 1:
            stack.pop()
            out.append(")")
        else:
            out.append(text[i:i + step])
        if c == "\n" and top != "code":
            out.append("\n")
        i += step
    return "".join(out)


def shell_command_words(text):
    """Words in command position of a shell script (approximate: good for the scripts we write)."""
    functions = set(re.findall(r"^\s*([A-Za-z_][\w-]*)\s*\(\)\s*\{", text, re.M))
    words = []
    for line in shell_code(text).splitlines():
        for segment in SHELL_SEPARATORS.split(line):
            tokens = segment.split()
            while tokens and (re.match(r"^\w+=", tokens[0]) or tokens[0] in COMMAND_PREFIXES):
                tokens.pop(0)
            if tokens and PROGRAM_WORD.match(tokens[0]) and tokens[0] not in SHELL_BUILTINS | functions:
                words.append(tokens[0])
    return words


def masked(text):
    """The text with the contents of string literals blanked (same length), for finding statements."""
    return STRING_LITERAL.sub(lambda m: '"' + " " * (len(m.group(0)) - 2) + '"', text)


def literal_command_words(text):
    """Programs named in string literals of C++ / Python / JavaScript statements that run a command
    (run_command, popen, subprocess, ...): the first word of a command line ("node --version",
    "/usr/bin/chromium"), words after a pipe inside one, and argv lists (["node", script])."""
    words, blank = [], masked(text)
    for m in STRING_LITERAL.finditer(text):
        start = max(blank.rfind(c, 0, m.start()) for c in ";{}")
        end = min((i for i in (blank.find(c, m.end()) for c in ";{}") if i >= 0), default=len(text))
        literal = m.group(1)
        if re.match(r"^/(usr/)?s?bin/[\w.+-]+$", literal):  # a program named by its path: kChromium
            words.append(literal)
            continue
        if not RUNS_A_COMMAND.search(blank[start + 1:end]):
            continue
        before = text[max(0, m.start() - 2):m.start()].strip()
        first = literal.split(" ", 1)
        if literal[:1].isalpha() or literal.startswith("/"):
            if len(first) == 2 or before.endswith(("[", "(")) or literal.startswith(("/usr/", "/bin/")):
                words.append(first[0])
        for segment in re.split(r"\|\||&&|[|;]", literal)[1:]:
            tokens = segment.split()
            if tokens:
                words.append(tokens[0])
    return [w for w in words if PROGRAM_WORD.match(w)]


def programs_used(files):
    """program path -> files calling it. Shebang interpreters, shell commands, literal command lines."""
    used = {}

    def add(word, path, must_exist):
        if word.startswith("/"):
            resolved = word if os.access(word, os.X_OK) and os.path.isfile(word) else None
        elif "/" in word:
            return  # a relative path: a script of this repository
        else:
            resolved = shutil.which(word, path=SYSTEM_PATH)
        if resolved is None and not must_exist:
            return
        used.setdefault(resolved or word, set()).add(path)

    for path in files:
        text = path.read_text(errors="replace")
        shebang = re.match(r"#!\s*(\S+)(?:\s+(\S+))?", text)
        if shebang:
            add(shebang.group(2) if shebang.group(1).endswith("/env") else shebang.group(1), path, True)
        if is_shell(path, text):
            for word in shell_command_words(text):
                add(word, path, True)
        elif path.suffix in {".cpp", ".h", ".py", ".js", ".mjs"}:
            for word in literal_command_words(text):
                add(word, path, False)
    return used


def js_modules(files):
    """Bare npm module names required / imported by JavaScript files -> files."""
    used = {}
    for path in files:
        if path.suffix not in {".js", ".mjs"}:
            continue
        for spec in JS_MODULE.findall(path.read_text(errors="replace")):
            if spec.startswith((".", "/", "node:")):
                continue
            parts = spec.split("/")
            name = "/".join(parts[:2]) if spec.startswith("@") else parts[0]
            used.setdefault(name, set()).add(path)
    return used


def cmake_found_files(build_dir):
    """Files and package folders the CMake configuration found (compilers, libraries, config dirs)."""
    cache = Path(build_dir) / "CMakeCache.txt"
    if not cache.is_file():
        raise SystemExit(f"check_deps: {cache}: no CMake cache (configure the build first)")
    found = {}
    for line in cache.read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9_]+):(FILEPATH|PATH)=(/.+)$", line)
        if not m:
            continue
        key, kind, value = m.groups()
        if key.startswith("CMAKE_INSTALL") or not value.startswith(("/usr/", "/bin/", "/lib/")):
            continue
        if (kind == "FILEPATH" and os.path.isfile(value)) or (key.endswith("_DIR") and os.path.isdir(value)):
            found.setdefault(value, set()).add(f"{cache} ({key})")
    return found


# ---------------------------------------------------------------- the check

def rel(path):
    try:
        return str(Path(path).relative_to(ROOT))
    except ValueError:
        return str(path)


def users(files):
    return ", ".join(sorted(rel(f) for f in files))


def check_owned(what, uses, allowed, base):
    """Problems for files in `uses` (path -> users) not owned by an allowed or base package."""
    problems = []
    owned = owners(list(uses))
    for path, who in sorted(uses.items()):
        pkgs = owned[path]
        if not pkgs:
            problems.append(f"{users(who)}: {what} {path} is not from a Debian package")
        elif not pkgs & (allowed | base):
            problems.append(f"{users(who)}: {what} {path} comes from {', '.join(sorted(pkgs))}, "
                            f"which scripts/setup.sh does not install (nor does any package it installs depend on it)")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", help="also check the files this CMake build found")
    parser.add_argument("--setup", default=str(ROOT / "scripts/setup.sh"))
    args = parser.parse_args()

    packages = installed_packages()
    named = setup_packages(Path(args.setup))
    problems = [f"scripts/setup.sh installs {p}, which is not installed here (run scripts/setup.sh)"
                for p in sorted(named) if p not in packages and not any(p in v[2] for v in packages.values())]
    allowed = closure(named, packages)
    base = closure({n for n, v in packages.items() if v[1]}, packages)

    files = scanned_files()
    # The repository's own modules and packages (python/outlierscope is this project's module, which
    # setup.sh builds and installs) are not dependencies.
    local_modules = {p.stem for p in ROOT.rglob("*.py")} | {p.parent.name for p in ROOT.rglob("__init__.py")}
    module_uses, module_paths = python_imports(files, local_modules), {}
    for name, who in sorted(module_uses.items()):
        where = module_file(name)
        if where is None:
            problems.append(f"{users(who)}: Python module '{name}' cannot be imported by {sys.executable}")
        elif where != "built-in":
            module_paths.setdefault(where, set()).update(who)
    problems += check_owned("Python module", module_paths, allowed, base)

    program_uses = programs_used(files)
    for word in [w for w in program_uses if not w.startswith("/")]:
        problems.append(f"{users(program_uses.pop(word))}: program '{word}' is not installed")
    problems += check_owned("program", program_uses, allowed, base)

    npm = json.loads((ROOT / "package.json").read_text())
    declared = set(npm.get("dependencies", {})) | set(npm.get("devDependencies", {}))
    for name, who in sorted(js_modules(files).items()):
        if name not in declared and not (ROOT / "node_modules" / name).is_dir() and name not in NODE_BUILTINS:
            problems.append(f"{users(who)}: npm module '{name}' is not in package.json")
        elif name not in declared and name not in NODE_BUILTINS:
            problems.append(f"{users(who)}: npm module '{name}' is in node_modules but not in package.json")

    build_files = cmake_found_files(args.build_dir) if args.build_dir else {}
    problems += check_owned("build dependency", build_files, allowed, base)

    for p in problems:
        print("check_deps: " + p, file=sys.stderr)
    checked = f"{len(module_uses)} Python modules, {len(program_uses)} programs, {len(build_files)} files the build found"
    if problems:
        print(f"check_deps: FAILED: {len(problems)} problems ({checked} checked)", file=sys.stderr)
        return 1
    print(f"check_deps: ok: {checked} and the npm modules come from what scripts/setup.sh installs "
          f"({len(named)} packages named, {len(allowed)} with their dependencies)")
    return 0


NODE_BUILTINS = {"assert", "buffer", "child_process", "crypto", "events", "fs", "os", "path", "process",
                 "readline", "stream", "string_decoder", "url", "util", "worker_threads", "zlib"}

if __name__ == "__main__":
    sys.exit(main())
