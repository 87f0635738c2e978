#!/usr/bin/env python3
"""The CMake link dependencies of the src/<folder> libraries equal their includes.

Each folder of src/ is one library (osc_<folder>; src/cli is the program `outlierscope`, which links
outlierscope_lib). Reads the top-level CMakeLists.txt and every source file under src/, and fails
(exit 1, one line a problem) when a folder
  * includes "other/..." from a library it does not link, directly or through the libraries it
    links, or
  * links a library directly that none of its files include from.

Usage: check_layering.py [SOURCE_DIR]   (default: the checkout this script is in)
"""
import pathlib
import re
import sys

SOURCE_SUFFIXES = {".c", ".cc", ".cpp", ".h", ".hpp"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([A-Za-z0-9_]+)/', re.MULTILINE)
CONCERN = re.compile(r"outlierscope_concern\(\s*(\w+)((?:\s+DEPS)?[^)]*)\)")
LINKS = re.compile(r"target_link_libraries\(\s*([\w:]+)\s+((?:PUBLIC|PRIVATE|INTERFACE)[^)]*)\)")
PROGRAM = {"cli": "outlierscope"}  # folders built into a program rather than a library osc_<folder>


def target_of(folder):
    return PROGRAM.get(folder, "osc_" + folder)


def read_links(cmake_text):
    """target -> the targets it links directly (only our own: osc_*, outlierscope_lib)."""
    links = {}
    ours = re.compile(r"^(osc_\w+|outlierscope_lib)$")
    for name, deps in CONCERN.findall(cmake_text):
        words = deps.split()
        links.setdefault("osc_" + name, set()).update(w for w in words if ours.match(w))
    for target, deps in LINKS.findall(cmake_text):
        links.setdefault(target, set()).update(w for w in deps.split() if ours.match(w))
    return links


def reachable(target, links):
    seen, todo = set(), [target]
    while todo:
        for dep in links.get(todo.pop(), ()):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return seen


def read_includes(src):
    """folder -> the other folders its files include from."""
    folders = {p.name for p in src.iterdir() if p.is_dir()}
    uses = {f: set() for f in folders}
    for folder in folders:
        for path in (src / folder).rglob("*"):
            if path.suffix in SOURCE_SUFFIXES:
                named = set(INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace")))
                uses[folder] |= (named & folders) - {folder}
    return uses


def problems(source_dir):
    links = read_links((source_dir / "CMakeLists.txt").read_text(encoding="utf-8"))
    uses = read_includes(source_dir / "src")
    found = []
    for folder in sorted(uses):
        target = target_of(folder)
        if target not in links:
            found.append(f"src/{folder}: no CMake target {target} found in CMakeLists.txt")
            continue
        linked = reachable(target, links)
        for used in sorted(uses[folder]):
            if target_of(used) not in linked:
                found.append(f"src/{folder} includes from src/{used} but {target} does not link {target_of(used)}")
        direct = {d for d in links[target] if d != "outlierscope_lib"}
        if "outlierscope_lib" in links[target]:
            direct |= links.get("outlierscope_lib", set())
        for dep in sorted(direct):
            if dep not in {target_of(u) for u in uses[folder]}:
                found.append(f"{target} links {dep} but no file of src/{folder} includes from it")
    return found


def main():
    source_dir = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parent.parent)
    found = problems(source_dir)
    for line in found:
        print(line)
    if not found:
        print("layering: every folder links what it includes, and nothing else")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
