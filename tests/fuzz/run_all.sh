#!/usr/bin/env bash
# Runs every fuzzer for SECONDS seconds from the seeds make_seeds.py writes: run_all.sh BUILD_DIR SECONDS.
# A crash leaves its input as crash-* in the working folder and makes this script fail; keep the
# input as a regression test (tests/unit/formats_*_test.cpp) once fixed.
set -euo pipefail
build=${1:?usage: run_all.sh BUILD_DIR SECONDS}
seconds=${2:?usage: run_all.sh BUILD_DIR SECONDS}
here=$(cd "$(dirname "$0")" && pwd)
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
python3 "$here/make_seeds.py" "$seeds"
status=0
for name in gguf safetensors hf_config; do
  bin="$build/tests/fuzz/fuzz_$name"
  [ -x "$bin" ] || { echo "missing $bin (build the 'fuzzers' target)"; exit 1; }
  corpus=$(mktemp -d)
  echo "== fuzz_$name for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
      "$corpus" "$seeds/$name"; then
    echo "fuzz_$name FAILED"
    status=1
  fi
  rm -rf "$corpus"
done
exit $status
