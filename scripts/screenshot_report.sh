#!/usr/bin/env bash
# The first screen of a report.html as a PNG (headless Chromium, 1400 x 900), as shown in
# docs/figures.md. Usage: scripts/screenshot_report.sh REPORT_HTML OUT_PNG
# Regenerate the docs image: build/outlierscope scan --out /tmp/scan --figures &&
#   scripts/screenshot_report.sh /tmp/scan/report.html docs/report_first_screen.png
set -euo pipefail
html=$(realpath "$1")
out=$(realpath -m "$2")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$profile" \
  --virtual-time-budget=20000 --window-size=1400,900 --screenshot="$out" "file://$html" > /dev/null 2>&1
test -s "$out" || { echo "screenshot_report.sh: chromium wrote no $out" >&2; exit 1; }
echo "wrote $out"
