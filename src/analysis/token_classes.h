// Token classes of outlier tokens, after An et al.'s pos_attention_outliers: the initial token,
// strong delimiters (punctuation, newline), weak-semantic tokens (articles, prepositions, digits,
// a bare word-boundary marker) and everything else. Sets are listed in docs/metrics.md.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace osc::analysis {

enum class TokenClass { Initial, StrongDelimiter, WeakSemantic, Other };
inline constexpr int kTokenClassCount = 4;

// `piece` is the vocabulary piece or its display form ("▁the", "Ġthe", "<0x0A>", "\n", "Ċ").
TokenClass classify_token(std::string_view piece, int64_t position);
std::string token_class_name(TokenClass c);  // "initial", "strong_delimiter", "weak_semantic", "other"
// The piece as text: word-boundary markers (▁, Ġ) become spaces, <0xNN> bytes and Ċ become
// characters, then surrounding spaces and tabs are trimmed.
std::string normalized_piece(std::string_view piece);

struct TokenClassCounts {
  std::array<int64_t, kTokenClassCount> counts{};
  void add(TokenClass c) { ++counts[static_cast<size_t>(c)]; }
  int64_t total() const;
};
nlohmann::json token_class_counts_to_json(const TokenClassCounts& counts);

}  // namespace osc::analysis
