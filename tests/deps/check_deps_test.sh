#!/usr/bin/env bash
# scripts/check_deps.py passes on this checkout, and fails, naming the module and its package, when
# setup.sh loses an install step the tests need (python3-torch, which the PyTorch references import
# and no other package setup.sh installs depends on; python3-pil is now also pulled in by
# python3-matplotlib, so dropping it alone is no longer a missing step).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python=${1:-/usr/bin/python3}
build_dir=${2:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" "$root/scripts/check_deps.py" ${build_dir:+--build-dir "$build_dir"}

sed 's/ python3-torch / /' "$root/scripts/setup.sh" > "$work/setup.sh"
if "$python" "$root/scripts/check_deps.py" --setup "$work/setup.sh" 2> "$work/err"; then
  echo "check_deps passed although setup.sh no longer installs python3-torch" >&2
  exit 1
fi
grep -q "reference/gen_model.py.*Python module .*torch.* comes from python3-torch" "$work/err" || { cat "$work/err" >&2; exit 1; }
echo "check_deps: a missing python3-torch is reported"
