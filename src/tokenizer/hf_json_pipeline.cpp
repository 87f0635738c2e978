#include "tokenizer/hf_json_parts.h"

#include "core/error.h"
#include "core/json_fields.h"
#include "tokenizer/pre_regexes.h"

namespace osc {
namespace {

using nlohmann::json;

const std::string kSpaceMark = "\xE2\x96\x81";  // '▁'

std::string type_of(const json& node, const std::string& where, const char* what) {
  OSC_CHECK_INPUT(node.is_object(), where, std::string(what) + " entry is not an object");
  return JsonField(node, where).optional_text("type").value_or("");
}

// Replace's pattern: {"String": " "} (a regex pattern would need regex replacement; refused).
std::string replace_pattern(const json& node, const std::string& where) {
  auto pattern = node.find("pattern");
  OSC_CHECK_INPUT(pattern != node.end() && pattern->is_object() && pattern->contains("String"), where,
                  "normalizer Replace with a non-string pattern is not supported");
  return JsonField(*pattern, where).optional_text("String").value_or("");
}

// HF defaults; strip_accents null means "as lowercase".
BertNormalizerOptions read_bert_normalizer(const json& node, const std::string& where) {
  BertNormalizerOptions options;
  const JsonField fields(node, where);
  options.clean_text = fields.boolean_or("clean_text", true);
  options.handle_chinese_chars = fields.boolean_or("handle_chinese_chars", true);
  options.lowercase = fields.boolean_or("lowercase", true);
  options.strip_accents = fields.boolean_or("strip_accents", options.lowercase);
  return options;
}

void read_normalizer(const json& node, HfPipeline& p, const std::string& where) {
  if (node.is_null()) return;
  const std::string type = type_of(node, where, "normalizer");
  if (type == "Sequence") {
    auto list = node.find("normalizers");
    OSC_CHECK_INPUT(list != node.end() && list->is_array(), where, "normalizer Sequence has no list");
    for (const json& child : *list) read_normalizer(child, p, where);
  } else if (type == "Prepend" && JsonField(node, where).optional_text("prepend") == kSpaceMark) {
    p.sentencepiece_prefix = PrefixSpace::Always;
  } else if (type == "Replace" && replace_pattern(node, where) == " " &&
             JsonField(node, where).optional_text("content") == kSpaceMark) {
    p.sentencepiece_spaces = true;
  } else if (type == "NFC") {
    p.nfc = true;
  } else if (type == "BertNormalizer") {
    p.bert_normalizer = read_bert_normalizer(node, where);
  } else {
    throw_bad_input(where, "normalizer \"" + type + "\" is not supported");
  }
}

PrefixSpace metaspace_prefix(const json& node, const std::string& where) {
  if (auto scheme = JsonField(node, where).optional_text("prepend_scheme")) {
    if (*scheme == "always") return PrefixSpace::Always;
    if (*scheme == "first") return PrefixSpace::First;
    if (*scheme == "never") return PrefixSpace::Never;
    throw_bad_input(where, "Metaspace prepend_scheme \"" + *scheme + "\" is not known");
  }
  return JsonField(node, where).boolean_or("add_prefix_space", true) ? PrefixSpace::Always : PrefixSpace::Never;
}

void read_split(const json& node, HfPipeline& p, const std::string& where) {
  auto pattern = node.find("pattern");
  OSC_CHECK_INPUT(pattern != node.end() && pattern->is_object(), where, "pre-tokenizer Split has no pattern");
  std::string regex;
  if (auto r = JsonField(*pattern, where).optional_text("Regex")) {
    regex = *r;
  } else if (auto s = JsonField(*pattern, where).optional_text("String")) {
    regex = "\\Q" + *s + "\\E";
  } else {
    throw_bad_input(where, "pre-tokenizer Split pattern is neither Regex nor String");
  }
  OSC_CHECK_INPUT(!JsonField(node, where).boolean_or("invert", false), where, "pre-tokenizer Split with invert is not supported");
  const std::string behavior = JsonField(node, where).optional_text("behavior").value_or("Isolated");
  OSC_CHECK_INPUT(behavior == "Isolated" || behavior == "Removed", where,
                  "pre-tokenizer Split behavior \"" + behavior + "\" is not supported");
  p.regexes.emplace_back(regex, behavior == "Removed");
}

void read_pre_tokenizer(const json& node, HfPipeline& p, const std::string& where) {
  if (node.is_null()) return;
  const std::string type = type_of(node, where, "pre_tokenizer");
  OSC_CHECK_INPUT(!p.byte_level || type == "Sequence", where,
                  "pre-tokenizer \"" + type + "\" after ByteLevel is not supported");
  if (type == "Sequence") {
    auto list = node.find("pretokenizers");
    OSC_CHECK_INPUT(list != node.end() && list->is_array(), where, "pre_tokenizer Sequence has no list");
    for (const json& child : *list) read_pre_tokenizer(child, p, where);
  } else if (type == "Split") {
    read_split(node, p, where);
  } else if (type == "Digits") {
    p.regexes.emplace_back(JsonField(node, where).boolean_or("individual_digits", false) ? "\\p{N}" : "\\p{N}+", false);
  } else if (type == "ByteLevel") {
    p.byte_level = true;
    p.byte_level_prefix = JsonField(node, where).boolean_or("add_prefix_space", true) ? PrefixSpace::Always : PrefixSpace::Never;
    if (JsonField(node, where).boolean_or("use_regex", true)) p.regexes.emplace_back(gpt2_regex(), false);
  } else if (type == "BertPreTokenizer") {
    p.bert_pre_tokenizer = true;
  } else if (type == "Metaspace") {
    OSC_CHECK_INPUT(JsonField(node, where).optional_text("replacement").value_or(kSpaceMark) == kSpaceMark, where,
                    "Metaspace with a replacement other than U+2581 is not supported");
    p.sentencepiece_spaces = true;
    p.sentencepiece_prefix = metaspace_prefix(node, where);
    p.metaspace_split = JsonField(node, where).boolean_or("split", true);
  } else {
    throw_bad_input(where, "pre-tokenizer \"" + type + "\" is not supported");
  }
}

// The BOS text a post-processor puts first, searching inside Sequence processors.
std::optional<std::string> processor_bos(const json& post, const std::string& where) {
  if (!post.is_object()) return std::nullopt;
  const std::string type = JsonField(post, where).optional_text("type").value_or("");
  if (type == "Sequence" && post.contains("processors") && post["processors"].is_array()) {
    for (const json& child : post["processors"])
      if (auto bos = processor_bos(child, where)) return bos;
    return std::nullopt;
  }
  if (type == "TemplateProcessing") {
    const json single = post.value("single", json());
    if (single.is_array() && !single.empty() && single[0].is_object() && single[0].contains("SpecialToken"))
      return JsonField(single[0]["SpecialToken"], where).optional_text("id");
    return std::nullopt;
  }
  if (type == "RobertaProcessing" || type == "BertProcessing") {
    const json cls = post.value("cls", json());
    if (cls.is_array() && !cls.empty() && cls[0].is_string()) return cls[0].get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

HfPipeline read_hf_pipeline(const json& root, const std::string& where) {
  HfPipeline p;
  read_normalizer(root.value("normalizer", json()), p, where);
  read_pre_tokenizer(root.value("pre_tokenizer", json()), p, where);
  // A byte-level decoder marks byte-level vocabularies whose pre-tokenizer is only a Split.
  const json decoder = root.value("decoder", json());
  if (decoder.is_object() && decoder.value("type", "") == "ByteLevel") p.byte_level = true;
  OSC_CHECK_INPUT(!(p.byte_level && p.sentencepiece_spaces), where,
                  "mixes byte-level and SentencePiece-style space handling");
  return p;
}

std::optional<std::string> hf_post_processor_bos(const json& root, const std::string& where) {
  return processor_bos(root.value("post_processor", json()), where);
}

}  // namespace osc
