#include "tokenizer/load_tokenizer.h"

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "core/error.h"
#include "formats/llama2c.h"
#include "tokenizer/loaders.h"

namespace osc {
namespace {

namespace fs = std::filesystem;

bool has_gguf_magic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::memcmp(magic, "GGUF", 4) == 0;
}

bool is_file(const fs::path& p) { return fs::is_regular_file(p); }

// The merges file that goes with a vocab.json / encoder.json, if there is one beside it.
std::optional<fs::path> merges_beside(const fs::path& vocab) {
  const fs::path dir = vocab.parent_path();
  const fs::path candidate = dir / (vocab.filename() == "encoder.json" ? "vocab.bpe" : "merges.txt");
  if (is_file(candidate)) return candidate;
  return std::nullopt;
}

std::optional<fs::path> find_llama2c_tokenizer(const fs::path& dir);

bool is_llama2c_checkpoint(const std::string& path) {
  try {
    read_llama2c_header(path);
    return true;
  } catch (const Error&) {
    return false;
  }
}

// A llama2.c model .bin keeps its tokenizer in a separate tokenizer.bin / tok*.bin beside it.
std::unique_ptr<Tokenizer> load_llama2c_beside(const fs::path& checkpoint) {
  const auto tokenizer = find_llama2c_tokenizer(checkpoint.parent_path().empty() ? fs::path(".") : checkpoint.parent_path());
  OSC_CHECK_INPUT(tokenizer.has_value(), checkpoint.string(),
                  "a llama2.c checkpoint without a tokenizer.bin / tok*.bin beside it");
  return load_llama2c_tokenizer(tokenizer->string());
}

std::unique_ptr<Tokenizer> load_file(const fs::path& file) {
  const std::string path = file.string();
  const std::string name = file.filename().string();
  if (has_gguf_magic(path)) return load_gguf_tokenizer(path);
  if (name == "vocab.json" || name == "encoder.json") {
    const auto merges = merges_beside(file);
    OSC_CHECK_INPUT(merges.has_value(), path, "no merges.txt / vocab.bpe beside this vocabulary");
    return load_vocab_and_merges(path, merges->string());
  }
  if (file.extension() == ".json") return load_hf_tokenizer_json(path);
  if (file.extension() == ".model") return load_sentencepiece_model(path);
  if (file.extension() == ".bin")
    return is_llama2c_checkpoint(path) ? load_llama2c_beside(file) : load_llama2c_tokenizer(path);
  throw_bad_input(path, "not a tokenizer file this program reads (GGUF, tokenizer.json, tokenizer.model, "
                        "vocab.json + merges.txt, encoder.json + vocab.bpe, or a llama2.c tokenizer .bin)");
}

std::optional<fs::path> find_llama2c_tokenizer(const fs::path& dir) {
  if (is_file(dir / "tokenizer.bin")) return dir / "tokenizer.bin";
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.starts_with("tok") && entry.path().extension() == ".bin" &&
        !is_llama2c_checkpoint(entry.path().string()))
      return entry.path();
  }
  return std::nullopt;
}

std::optional<fs::path> find_single_gguf(const fs::path& dir) {
  std::optional<fs::path> found;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".gguf") continue;
    if (found) return std::nullopt;  // several: ambiguous, the caller must name one
    found = entry.path();
  }
  return found;
}

std::unique_ptr<Tokenizer> load_directory(const fs::path& dir) {
  for (const char* name : {"tokenizer.json", "tokenizer.model"})
    if (is_file(dir / name)) return load_file(dir / name);
  if (is_file(dir / "vocab.json") && is_file(dir / "merges.txt"))
    return load_vocab_and_merges((dir / "vocab.json").string(), (dir / "merges.txt").string());
  if (is_file(dir / "encoder.json") && is_file(dir / "vocab.bpe"))
    return load_vocab_and_merges((dir / "encoder.json").string(), (dir / "vocab.bpe").string());
  if (auto bin = find_llama2c_tokenizer(dir)) return load_file(*bin);
  if (auto gguf = find_single_gguf(dir)) return load_file(*gguf);
  throw_bad_input(dir.string(), "no tokenizer found (looked for tokenizer.json, tokenizer.model, vocab.json + merges.txt, "
                                "encoder.json + vocab.bpe, tokenizer.bin / tok*.bin, or a single .gguf)");
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw_bad_input(path, "no such file or directory");
  if (fs::is_directory(status)) return load_directory(path);
  return load_file(path);
}

}  // namespace osc
