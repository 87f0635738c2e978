#!/usr/bin/env bash
# `cmake --install` gives a self-contained tree: installed to a temporary prefix, the program runs
# from another directory, finds its built-in default model and the plotly.js bundle under
# <prefix>/share/outlierscope, and writes a full report (scan --figures: report.json, figures,
# report.html with plotly inlined).
set -euo pipefail
build_dir=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build_dir" --prefix "$prefix" > "$work/install.log"
test -x "$prefix/bin/outlierscope" || { echo "no $prefix/bin/outlierscope" >&2; exit 1; }
test -f "$prefix/share/outlierscope/models/default/model.safetensors" || { echo "the default model is not installed" >&2; exit 1; }
test -f "$prefix/share/outlierscope/plotly.min.js" || { echo "plotly.min.js is not installed" >&2; exit 1; }

mkdir "$work/elsewhere"
cd "$work/elsewhere"
"$prefix/bin/outlierscope" --quiet scan --out report --figures > "$work/scan.log" 2>&1 || { cat "$work/scan.log" >&2; exit 1; }

model=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["model"]["path"])' report/report.json)
case $model in
  "$prefix"/share/outlierscope/models/default*) ;;
  *) echo "the installed program scanned $model, not its installed default model" >&2; exit 1 ;;
esac
html_bytes=$(stat -c %s report/report.html)
if [ "$html_bytes" -lt 3000000 ] || ! grep -q "plotly.js v" report/report.html; then
  echo "report.html ($html_bytes bytes) does not inline plotly.js" >&2; exit 1
fi
ls report/figures/*.png > /dev/null || { echo "no figures written" >&2; exit 1; }
echo "installed to $prefix: scanned $model, report.html $html_bytes bytes, $(ls report/figures/*.png | wc -l) figures"
