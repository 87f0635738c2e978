# Sourced by the whole-command benchmark scripts (bench/train_bench.sh, bench/train_mpi_bench.sh)
# after their `set -euo pipefail`, with the script's arguments: sets
#   ROOT    the checkout            BUILD   the build folder (first argument, default ROOT/build)
#   CLI     the program measured    PY      the Python with torch (the peers)
#   SHARED  the shared test data    WORK    a scratch folder, removed when the script exits
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
CLI="$BUILD/outlierscope"
PY=/usr/bin/python3
SHARED=${OUTLIERSCOPE_SHARED:-$ROOT/../shared}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
