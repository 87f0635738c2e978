#!/usr/bin/env bash
# llama.cpp as a peer for bench/run_gguf_7b.sh, built from source, never a dependency: its source
# ships in the npm package node-llama-cpp as llama/gitRelease.bundle (a git bundle; the GitHub
# repository is too large to fetch). Clones it outside the checkout and builds the CPU-only
# `llama-bench` and `llama-quantize` (Release). Prints the commit and the build time.
#
# usage: bench/peers/build_llama_cpp.sh [DEST]   (default /work/llama.cpp; never inside the repo)
# env:   NODE_LLAMA_CPP_VERSION (default: the registry's latest), JOBS (default 2)
set -euo pipefail
dest=${1:-/work/llama.cpp}
jobs=${JOBS:-2}
here=$(cd "$(dirname "$0")/../.." && pwd)
case $(realpath -m "$dest") in "$here"|"$here"/*) echo "build_llama_cpp: $dest is inside the checkout" >&2; exit 2 ;; esac

if [[ ! -d $dest/.git ]]; then
  pack=$(mktemp -d)
  trap 'rm -rf "$pack"' EXIT
  # --ignore-scripts: only the tarball is wanted, nothing of the package runs.
  (cd "$pack" && npm pack --ignore-scripts --silent "node-llama-cpp${NODE_LLAMA_CPP_VERSION:+@$NODE_LLAMA_CPP_VERSION}" > name.txt)
  tar -xzf "$pack/$(cat "$pack/name.txt")" -C "$pack" package/llama/gitRelease.bundle package/llama/llama.cpp.info.json
  echo "node-llama-cpp $(cat "$pack/name.txt"): $(tr -d '\n ' < "$pack/package/llama/llama.cpp.info.json")"
  git clone -q "$pack/package/llama/gitRelease.bundle" "$dest"
fi
echo "llama.cpp commit $(git -C "$dest" rev-parse --short HEAD)"

start=$(date +%s)
cmake -S "$dest" -B "$dest/build" -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
  -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF > "$dest/build-configure.log"
cmake --build "$dest/build" -j"$jobs" --target llama-bench llama-quantize > "$dest/build.log"
echo "built llama-bench and llama-quantize in $(( $(date +%s) - start )) s on $jobs jobs: $dest/build/bin"
