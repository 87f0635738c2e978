#include "formats/llama2c.h"

#include <limits>

#include "core/error.h"
#include "formats/byte_reader.h"

namespace osc {
namespace {

constexpr uint64_t kHeaderBytes = 7 * 4;
constexpr int64_t kMaxDimension = 1 << 20;  // far above any llama2.c model; guards the size products

Llama2cHeader parse_header(const MappedFile& file) {
  ByteReader in(file.data(), file.size(), file.path());
  int32_t raw[7];
  for (auto& v : raw) v = in.read<int32_t>("llama2.c header");
  Llama2cHeader h;
  h.dim = raw[0];
  h.hidden_dim = raw[1];
  h.n_layers = raw[2];
  h.n_heads = raw[3];
  h.n_kv_heads = raw[4];
  h.shared_classifier = raw[5] > 0;
  h.vocab_size = raw[5] < 0 ? -static_cast<int64_t>(raw[5]) : raw[5];
  h.seq_len = raw[6];
  const char* names[] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
  const int64_t values[] = {h.dim, h.hidden_dim, h.n_layers, h.n_heads, h.n_kv_heads, h.vocab_size, h.seq_len};
  for (int i = 0; i < 7; ++i)
    OSC_CHECK_INPUT(values[i] > 0 && values[i] <= kMaxDimension, file.path(),
                    std::string("llama2.c header field ") + names[i] + " = " + std::to_string(values[i]) + " is out of range");
  OSC_CHECK_INPUT(h.dim % h.n_heads == 0 && h.n_heads % h.n_kv_heads == 0 && (h.dim / h.n_heads) % 2 == 0, file.path(),
                  "llama2.c header: dim " + std::to_string(h.dim) + ", n_heads " + std::to_string(h.n_heads) +
                      " and n_kv_heads " + std::to_string(h.n_kv_heads) + " are inconsistent");
  return h;
}

// Walks the weights in export.py order, handing out views over the mapping.
class WeightCursor {
 public:
  WeightCursor(std::shared_ptr<MappedFile> file, NamedTensors& out) : file_(std::move(file)), out_(out) {}

  // A [n_layers, rows, cols] stack split into per-layer tensors named prefix.N.suffix.
  void per_layer(int64_t n_layers, const std::string& suffix, Shape layer_shape) {
    for (int64_t l = 0; l < n_layers; ++l)
      take("model.layers." + std::to_string(l) + "." + suffix, layer_shape);
  }
  void take(const std::string& name, Shape shape) {
    TensorView v;
    v.dtype = DType::F32;
    v.shape = std::move(shape);
    v.nbytes = static_cast<uint64_t>(v.numel()) * 4;
    v.data = file_->data() + offset_;
    v.owner = file_;
    offset_ += v.nbytes;
    if (!name.empty()) out_.add(file_->path(), name, std::move(v));
  }
  void skip(uint64_t bytes) { offset_ += bytes; }
  uint64_t offset() const { return offset_; }

 private:
  std::shared_ptr<MappedFile> file_;
  NamedTensors& out_;
  uint64_t offset_ = kHeaderBytes;
};

uint64_t expected_file_size(const Llama2cHeader& h) {
  const uint64_t head = static_cast<uint64_t>(h.dim / h.n_heads);
  const uint64_t kv_dim = head * static_cast<uint64_t>(h.n_kv_heads);
  const uint64_t d = static_cast<uint64_t>(h.dim), f = static_cast<uint64_t>(h.hidden_dim);
  const uint64_t l = static_cast<uint64_t>(h.n_layers), v = static_cast<uint64_t>(h.vocab_size);
  uint64_t floats = v * d;                                 // token embedding
  floats += l * (d + d * d + 2 * kv_dim * d + d * d + d);  // attention norm, wq, wk, wv, wo, ffn norm
  floats += l * 3 * f * d;                                  // w1, w2, w3
  floats += d;                                              // final norm
  floats += static_cast<uint64_t>(h.seq_len) * head;        // freq_cis real + imag (head/2 each)
  if (!h.shared_classifier) floats += v * d;
  return kHeaderBytes + floats * 4;
}

}  // namespace

Llama2cHeader read_llama2c_header(const std::string& path) {
  auto file = MappedFile::open(path);
  return parse_header(*file);
}

Llama2cCheckpoint read_llama2c(const std::string& path) {
  auto file = MappedFile::open(path);
  Llama2cCheckpoint ck;
  ck.header = parse_header(*file);
  const Llama2cHeader& h = ck.header;
  const uint64_t expected = expected_file_size(h);
  OSC_CHECK_INPUT(file->size() == expected, path,
                  "file size " + std::to_string(file->size()) + " does not match the llama2.c header (expected " +
                      std::to_string(expected) + " bytes)");
  const int64_t kv_dim = h.dim / h.n_heads * h.n_kv_heads;
  WeightCursor w(file, ck.tensors);
  w.take("model.embed_tokens.weight", {h.vocab_size, h.dim});
  w.per_layer(h.n_layers, "input_layernorm.weight", {h.dim});
  w.per_layer(h.n_layers, "self_attn.q_proj.weight", {h.dim, h.dim});
  w.per_layer(h.n_layers, "self_attn.k_proj.weight", {kv_dim, h.dim});
  w.per_layer(h.n_layers, "self_attn.v_proj.weight", {kv_dim, h.dim});
  w.per_layer(h.n_layers, "self_attn.o_proj.weight", {h.dim, h.dim});
  w.per_layer(h.n_layers, "post_attention_layernorm.weight", {h.dim});
  w.per_layer(h.n_layers, "mlp.gate_proj.weight", {h.hidden_dim, h.dim});  // w1
  w.per_layer(h.n_layers, "mlp.down_proj.weight", {h.dim, h.hidden_dim});  // w2
  w.per_layer(h.n_layers, "mlp.up_proj.weight", {h.hidden_dim, h.dim});    // w3
  w.take("model.norm.weight", {h.dim});
  w.skip(static_cast<uint64_t>(h.seq_len * (h.dim / h.n_heads)) * 4);  // freq_cis tables: recomputed, not read
  if (!h.shared_classifier) w.take("lm_head.weight", {h.vocab_size, h.dim});
  return ck;
}

Llama2cVocab read_llama2c_tokenizer(const std::string& path, int64_t vocab_size) {
  auto file = MappedFile::open(path);
  ByteReader in(file->data(), file->size(), path);
  Llama2cVocab vocab;
  vocab.max_token_length = in.read<int32_t>("max_token_length");
  OSC_CHECK_INPUT(vocab.max_token_length > 0, path,
                  "max_token_length " + std::to_string(vocab.max_token_length) + " is not positive");
  // Each token takes at least 8 bytes, which bounds the count before anything is allocated.
  OSC_CHECK_INPUT(vocab_size >= 0 && static_cast<uint64_t>(vocab_size) <= in.remaining() / 8, path,
                  "vocabulary size " + std::to_string(vocab_size) + " is impossible for a file of " +
                      std::to_string(file->size()) + " bytes");
  for (int64_t i = 0; vocab_size == 0 ? in.remaining() > 0 : i < vocab_size; ++i) {
    const std::string what = "token " + std::to_string(i);
    vocab.scores.push_back(in.read<float>(what + " score"));
    const int32_t length = in.read<int32_t>(what + " length");
    OSC_CHECK_INPUT(length >= 0 && length <= vocab.max_token_length, path,
                    what + " has length " + std::to_string(length) + " (max_token_length " +
                        std::to_string(vocab.max_token_length) + ")");
    vocab.pieces.emplace_back(in.bytes(static_cast<uint64_t>(length), what + " bytes"));
  }
  return vocab;
}

}  // namespace osc
