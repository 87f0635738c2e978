// Resolving BOS / EOS / unknown-token ids from token texts and the optional tokenizer_config.json
// that HF keeps next to tokenizer.json / tokenizer.model.
#pragma once
#include <optional>
#include <string>

#include "tokenizer/tokenizer.h"

namespace osc {

// Id of `text`, or -1 when there is no text. BadInput naming `where` if the text is not a token.
int32_t id_of_token_text(const Vocab& vocab, const std::optional<std::string>& text, const std::string& where,
                         const char* role);

// Applies tokenizer_config.json in `directory` if there is one: bos_token, eos_token, unk_token
// and add_bos_token override what the tokenizer file said.
void apply_tokenizer_config(const std::string& directory, const Vocab& vocab, TokenizerInfo& info);

std::string parent_directory(const std::string& path);

}  // namespace osc
