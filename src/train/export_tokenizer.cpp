#include "train/export_tokenizer.h"

#include <nlohmann/json.hpp>

#include "core/atomic_write.h"
#include "tokenizer/byte_unicode.h"

namespace osc::train {
namespace {

using ojson = nlohmann::ordered_json;
constexpr int64_t kSpecialId = 256;

ojson byte_level_step() {
  return {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}};
}

// BOS data: the post-processor prepends the special token to every input, as in training.
ojson bos_post_processor(const std::string& bos) {
  const ojson special = {{"SpecialToken", {{"id", bos}, {"type_id", 0}}}};
  return {{"type", "TemplateProcessing"},
          {"single", {special, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
          {"pair", {special, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}, {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
          {"special_tokens", {{bos, {{"id", bos}, {"ids", {kSpecialId}}, {"tokens", {bos}}}}}}};
}

ojson byte_tokenizer_json(const std::string& special, bool is_bos) {
  ojson vocab = ojson::object();
  for (int b = 0; b < 256; ++b) vocab[byte_to_unicode(static_cast<uint8_t>(b))] = b;
  vocab[special] = kSpecialId;
  const ojson added = {{"id", kSpecialId},  {"content", special}, {"single_word", false}, {"lstrip", false},
                       {"rstrip", false}, {"normalized", false}, {"special", true}};
  return {{"version", "1.0"},
          {"added_tokens", {added}},
          {"normalizer", nullptr},
          {"pre_tokenizer", byte_level_step()},
          {"post_processor", is_bos ? bos_post_processor(special) : ojson(nullptr)},
          {"decoder", byte_level_step()},
          {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", nullptr},
                     {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false},
                     {"vocab", vocab}, {"merges", ojson::array()}}}};
}

}  // namespace

bool export_byte_tokenizer(const TokenDataMeta& meta, int64_t context, const std::string& dir) {
  if (meta.vocab_size != kSpecialId + 1) return false;
  const bool byte_text = meta.tokenizer == "byte" && meta.eot_token == kSpecialId;
  const bool byte_task = meta.tokenizer == "bigram-backcopy" && meta.bos_token == kSpecialId;
  if (!byte_text && !byte_task) return false;
  const std::string special = byte_text ? "<|endoftext|>" : "<s>";
  write_text_atomically(dir + "/tokenizer.json", byte_tokenizer_json(special, byte_task).dump(1) + "\n");
  const ojson config = byte_text
                           ? ojson{{"eos_token", special}, {"add_bos_token", false}, {"model_max_length", context}}
                           : ojson{{"bos_token", special}, {"add_bos_token", true}, {"model_max_length", context}};
  write_text_atomically(dir + "/tokenizer_config.json", config.dump(1) + "\n");
  return true;
}

}  // namespace osc::train
