#include "tokenizer/unicode_normalize.h"

#include <algorithm>

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>

#include "core/error.h"

namespace osc {
namespace {

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

using NormalizerGetter = const icu::Normalizer2* (*)(UErrorCode&);

std::string normalize(std::string_view text, NormalizerGetter get_instance, const char* form) {
  if (is_ascii(text)) return std::string(text);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = get_instance(status);
  if (U_FAILURE(status)) throw_internal("ICU", std::string("no ") + form + " normalizer: " + u_errorName(status));
  const icu::StringPiece input(text.data(), static_cast<int32_t>(text.size()));
  if (normalizer->isNormalizedUTF8(input, status) && U_SUCCESS(status)) return std::string(text);
  status = U_ZERO_ERROR;
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  icu::StringByteSink<std::string> sink(&out);
  normalizer->normalizeUTF8(0, input, sink, nullptr, status);
  if (U_FAILURE(status)) throw_internal("ICU", std::string(form) + " normalization failed: " + u_errorName(status));
  return out;
}

}  // namespace

std::string utf8_to_nfc(std::string_view valid_utf8) {
  return normalize(valid_utf8, &icu::Normalizer2::getNFCInstance, "NFC");
}

std::string utf8_to_nfd(std::string_view valid_utf8) {
  return normalize(valid_utf8, &icu::Normalizer2::getNFDInstance, "NFD");
}

}  // namespace osc
