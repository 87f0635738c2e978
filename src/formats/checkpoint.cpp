#include "formats/checkpoint.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_fields.h"
#include "formats/safetensors.h"

namespace osc {
namespace {

namespace fs = std::filesystem;

bool exists_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

std::string first_bytes(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(n, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(n));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

// safetensors starts with a u64 header length and then '{'.
bool looks_like_safetensors(const std::string& head) { return head.size() >= 9 && head[8] == '{'; }

std::shared_ptr<const nlohmann::json> read_json(const std::string& path) {
  return std::make_shared<const nlohmann::json>(read_json_file(path));
}

// Any 28 bytes can be read as a header; a plausible one is how a .bin without the extension is found.
bool looks_like_llama2c(const std::string& path) {
  try {
    read_llama2c_header(path);
    return true;
  } catch (const Error&) {
    return false;
  }
}

// A llama2.c tok*.bin reads to its last byte as a list of non-empty tokens (a model's header and
// weights do not; all-zero bytes would read as empty tokens).
bool looks_like_llama2c_tokenizer(const std::string& path) {
  try {
    const Llama2cVocab vocab = read_llama2c_tokenizer(path);
    return !vocab.pieces.empty() &&
           std::none_of(vocab.pieces.begin(), vocab.pieces.end(), [](const std::string& p) { return p.empty(); });
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

std::string_view checkpoint_format_name(CheckpointFormat f) {
  switch (f) {
    case CheckpointFormat::HfDirectory: return "hf";
    case CheckpointFormat::Safetensors: return "safetensors";
    case CheckpointFormat::Gguf: return "gguf";
    case CheckpointFormat::Llama2c: return "llama2c";
    case CheckpointFormat::TokenizerOnly: return "tokenizer";
  }
  return "?";
}

Checkpoint Checkpoint::open(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return open_directory(path);
  if (!fs::exists(path, ec)) throw_file_error(path, "no such file or folder");
  return open_file(path);
}

Checkpoint Checkpoint::open_directory(const std::string& path) {
  const fs::path dir(path);
  Checkpoint ck;
  ck.path_ = ck.directory_ = path;
  const bool has_config = exists_file(dir / "config.json");
  if (exists_file(dir / "model.safetensors.index.json")) {
    SafetensorsContents c = read_safetensors_index((dir / "model.safetensors.index.json").string());
    ck.tensors_ = std::move(c.tensors);
    ck.safetensors_metadata_ = std::move(c.metadata);
  } else if (exists_file(dir / "model.safetensors")) {
    SafetensorsContents c = read_safetensors((dir / "model.safetensors").string());
    ck.tensors_ = std::move(c.tensors);
    ck.safetensors_metadata_ = std::move(c.metadata);
  } else if (!has_config) {
    OSC_CHECK_INPUT(exists_file(dir / "tokenizer.json") || exists_file(dir / "tokenizer.model"), path,
                    "folder has no config.json, model.safetensors or tokenizer files");
    ck.format_ = CheckpointFormat::TokenizerOnly;
    return ck;
  } else if (exists_file(dir / "pytorch_model.bin")) {
    throw_bad_input(path, "pytorch_model.bin (pickle) is not supported; convert the model to safetensors");
  }
  OSC_CHECK_INPUT(has_config, path, "folder has model weights but no config.json");
  ck.format_ = CheckpointFormat::HfDirectory;
  ck.hf_config_ = read_json((dir / "config.json").string());
  return ck;
}

Checkpoint Checkpoint::open_file(const std::string& path) {
  Checkpoint ck;
  ck.path_ = path;
  ck.directory_ = fs::path(path).parent_path().string();
  if (ck.directory_.empty()) ck.directory_ = ".";
  const std::string head = first_bytes(path, 16);
  if (head.size() >= 4 && std::memcmp(head.data(), "GGUF", 4) == 0) {
    ck.format_ = CheckpointFormat::Gguf;
    auto g = std::make_shared<GgufFile>(GgufFile::open(path));
    ck.tensors_ = g->tensors();
    ck.gguf_ = std::move(g);
  } else if (fs::path(path).extension() == ".safetensors" || looks_like_safetensors(head)) {
    ck.format_ = CheckpointFormat::Safetensors;
    SafetensorsContents c = read_safetensors(path);
    ck.tensors_ = std::move(c.tensors);
    ck.safetensors_metadata_ = std::move(c.metadata);
  } else if (!looks_like_llama2c(path) && looks_like_llama2c_tokenizer(path)) {
    ck.format_ = CheckpointFormat::TokenizerOnly;
  } else if (fs::path(path).extension() == ".bin" || looks_like_llama2c(path)) {
    ck.format_ = CheckpointFormat::Llama2c;
    Llama2cCheckpoint l = read_llama2c(path);
    ck.tensors_ = std::move(l.tensors);
    ck.llama2c_ = l.header;
  } else {
    throw_bad_input(path, "not a GGUF, safetensors or llama2.c checkpoint");
  }
  return ck;
}

bool Checkpoint::has_config() const { return hf_config_ || gguf_ || llama2c_; }

}  // namespace osc
