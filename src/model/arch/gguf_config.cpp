#include "model/arch/gguf_config.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "model/arch/arch.h"

namespace osc {
namespace {

// Sorted, as the message has always listed llama.cpp's names.
std::string supported_list() {
  std::set<std::string> names;
  for (const std::string& arch : registered_architectures())
    for (const std::string& n : find_arch(arch)->gguf_reading.architectures) names.insert(n);
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

const ArchSpec& detect_spec(const GgufFile& gguf, const std::string& source_arch) {
  for (const std::string& arch : registered_architectures()) {
    const ArchSpec* spec = find_arch(arch);
    const std::vector<std::string>& names = spec->gguf_reading.architectures;
    if (std::find(names.begin(), names.end(), source_arch) != names.end()) return *spec;
  }
  const ArchSpec* named = find_arch(source_arch);
  const std::string why = named && !named->gguf_reading.refusal.empty() ? "; " + named->gguf_reading.refusal : "";
  throw_bad_input(gguf.path(),
                  "unsupported architecture '" + source_arch + "' (supported: " + supported_list() + why + ")");
}

}  // namespace

ModelConfig config_from_gguf(const GgufFile& gguf) {
  const std::string source_arch = gguf.get_string("general.architecture");
  const ArchSpec& spec = detect_spec(gguf, source_arch);
  const GgufKeys k{gguf, source_arch};
  ModelConfig c;
  c.architecture = spec.name;
  c.source_format = "gguf";
  c.name = gguf.get_string("general.name", "");
  fill_gguf_common(k, c);
  spec.gguf_reading.read(k, c);
  c.bos_token_id = gguf.get_i64("tokenizer.ggml.bos_token_id", -1);
  c.eos_token_id = gguf.get_i64("tokenizer.ggml.eos_token_id", -1);
  c.add_bos = gguf.get_bool("tokenizer.ggml.add_bos_token", spec.gguf_reading.adds_bos);
  validate_model_config(c, gguf.path());
  return c;
}

}  // namespace osc
