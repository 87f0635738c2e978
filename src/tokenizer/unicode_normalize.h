// Unicode normalization (ICU) for the tokenizers whose references normalize their input: Qwen2's
// tokenizer.json applies NFC, BERT's normalizer strips accents after NFD. Input must be valid
// UTF-8 (repair it with utf8_repair first); text that is pure ASCII is returned unchanged
// without calling ICU, which keeps the common case fast.
#pragma once
#include <string>
#include <string_view>

namespace osc {

std::string utf8_to_nfc(std::string_view valid_utf8);
std::string utf8_to_nfd(std::string_view valid_utf8);

}  // namespace osc
