#include <filesystem>
#include <memory>

#include "core/atomic_write.h"
#include "core/error.h"
#include "core/option_domains.h"
#include "core/text_file.h"
#include "tokenizer/load_tokenizer.h"
#include "train/prepare_data.h"

namespace osc::train {
namespace {

// Tokenizes documents into one stream, with an end-of-text id after each document.
class DocumentEncoder {
 public:
  explicit DocumentEncoder(const TextPrepareOptions& o) {
    if (o.tokenizer == "byte") {
      vocab_ = 257, eot_ = 256;
      return;
    }
    const std::string path = o.tokenizer == "gpt2" ? o.gpt2_dir : o.tokenizer;
    tokenizer_ = load_tokenizer(path);
    vocab_ = tokenizer_->vocab_size();
    eot_ = tokenizer_->eos_id() >= 0 ? tokenizer_->eos_id() : tokenizer_->bos_id();
    OSC_CHECK_INPUT(eot_ >= 0, path, "tokenizer has no end-of-text (eos) token for document boundaries");
  }
  void append(const std::string& text, std::vector<int32_t>& out) const {
    if (!tokenizer_) {
      for (unsigned char c : text) out.push_back(c);
    } else {
      const std::vector<int32_t> ids = tokenizer_->encode(text, false);
      out.insert(out.end(), ids.begin(), ids.end());
    }
    out.push_back(static_cast<int32_t>(eot_));
  }
  int64_t vocab() const { return vocab_; }
  int64_t eot() const { return eot_; }

 private:
  std::unique_ptr<Tokenizer> tokenizer_;
  int64_t vocab_ = 0, eot_ = -1;
};

}  // namespace

TokenDataMeta prepare_text_dataset(const TextPrepareOptions& o) {
  OSC_CHECK_INPUT(!o.files.empty(), "prepare", "no input files");
  check_option_value("prepare", "--val-fraction", o.val_fraction);
  const DocumentEncoder encoder(o);
  std::vector<int32_t> ids;
  for (const auto& f : o.files) {
    const std::string text = read_text_file(f);
    OSC_CHECK_INPUT(!text.empty(), f, "is empty: it holds no text to prepare");
    encoder.append(text, ids);
  }
  const auto n = static_cast<int64_t>(ids.size());
  const int64_t n_val = static_cast<int64_t>(static_cast<double>(n) * o.val_fraction);
  TokenDataMeta m;
  m.vocab_size = encoder.vocab();
  m.bytes_per_token = bytes_per_token_for_vocab(m.vocab_size);
  m.tokenizer = o.tokenizer;
  m.eot_token = encoder.eot();
  m.train_tokens = n - n_val;
  m.val_tokens = n_val;
  std::filesystem::create_directories(o.out_dir);
  write_token_file(o.out_dir + "/train.bin", {ids.begin(), ids.begin() + m.train_tokens}, m.bytes_per_token);
  write_token_file(o.out_dir + "/val.bin", {ids.begin() + m.train_tokens, ids.end()}, m.bytes_per_token);
  write_text_atomically(o.out_dir + "/meta.json", token_meta_to_json(m).dump(2) + "\n");
  return m;
}

}  // namespace osc::train
