// Parsing and validation of GGUF files. Every count read from the file is checked against the
// bytes that remain before anything is allocated for it, so a corrupt count fails cleanly.
#include <algorithm>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "formats/byte_reader.h"
#include "formats/gguf.h"

namespace osc {
namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as little-endian u32
constexpr uint32_t kMaxDims = 4;         // GGML_MAX_DIMS
constexpr int kMaxArrayNesting = 8;      // deeper nesting is never produced by real writers

bool is_power_of_two(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

class GgufParser {
 public:
  GgufParser(GgufFile& out) : out_(out), in_(out.file_->data(), out.file_->size(), out.file_->path()) {}

  void parse() {
    read_header();
    read_metadata();
    read_alignment();
    read_tensor_infos();
    make_tensor_views();
  }

 private:
  // GGUF v1 stores counts and lengths as u32; v2 and v3 as u64.
  uint64_t read_count(const std::string& what) {
    return out_.version_ == 1 ? in_.read<uint32_t>(what) : in_.read<uint64_t>(what);
  }

  std::string_view read_string(const std::string& what) {
    uint64_t length = read_count(what + " length");
    return in_.bytes(length, what + " of " + std::to_string(length) + " bytes");
  }

  void read_header() {
    const uint32_t magic = in_.read<uint32_t>("magic");
    OSC_CHECK_INPUT(magic == kMagic, in_.path(), "not a GGUF file (bad magic)");
    out_.version_ = in_.read<uint32_t>("version");
    OSC_CHECK_INPUT(out_.version_ >= 1 && out_.version_ <= 3, in_.path(),
                    "unsupported GGUF version " + std::to_string(out_.version_) + " (supported: 1, 2, 3)");
    tensor_count_ = read_count("tensor count");
    kv_count_ = read_count("metadata count");
  }

  // Smallest possible encoding of one entry, to bound counts by the bytes left in the file.
  uint64_t min_string_bytes() const { return out_.version_ == 1 ? 4 : 8; }

  void check_count(uint64_t count, uint64_t min_entry_bytes, const std::string& what) {
    if (count > in_.remaining() / min_entry_bytes)
      throw_bad_input(in_.path(), what + " " + std::to_string(count) + " at offset " + std::to_string(in_.offset()) +
                                      " is impossible for a file of " + std::to_string(in_.size()) + " bytes");
  }

  void read_metadata() {
    check_count(kv_count_, min_string_bytes() + 4 + 1, "metadata count");
    out_.metadata_.reserve(static_cast<size_t>(kv_count_));
    for (uint64_t i = 0; i < kv_count_; ++i) {
      std::string key(read_string("metadata key"));
      const uint32_t raw_type = in_.read<uint32_t>("type of metadata '" + key + "'");
      GgufValue value = read_value(raw_type, key, 0);
      OSC_CHECK_INPUT(out_.index_.count(key) == 0, in_.path(), "duplicate metadata key '" + key + "'");
      out_.index_.emplace(key, out_.metadata_.size());
      out_.metadata_.emplace_back(std::move(key), std::move(value));
    }
  }

  GgufValueType check_type(uint32_t raw, const std::string& key) {
    OSC_CHECK_INPUT(gguf_value_type_valid(raw), in_.path(),
                    "metadata '" + key + "' has unknown value type " + std::to_string(raw));
    return static_cast<GgufValueType>(raw);
  }

  GgufValue read_value(uint32_t raw_type, const std::string& key, int depth) {
    const GgufValueType type = check_type(raw_type, key);
    if (type == GgufValueType::STRING) {
      GgufValue v;
      v.type = type;
      v.text = read_string("string value of '" + key + "'");
      return v;
    }
    if (type == GgufValueType::ARRAY) return read_array(key, depth);
    const uint64_t size = gguf_value_type_size(type);
    in_.require(size, "value of '" + key + "'");
    uint64_t bits = 0;
    std::memcpy(&bits, in_.data() + in_.offset(), size);
    in_.skip(size, "value of '" + key + "'");
    return gguf_scalar(type, bits);
  }

  GgufValue read_array(const std::string& key, int depth) {
    OSC_CHECK_INPUT(depth < kMaxArrayNesting, in_.path(), "metadata '" + key + "' nests arrays too deeply");
    GgufValue v;
    v.type = GgufValueType::ARRAY;
    v.element_type = check_type(in_.read<uint32_t>("array type of '" + key + "'"), key);
    v.count = read_count("array length of '" + key + "'");
    const std::string what = "array '" + key + "'";
    if (v.element_type == GgufValueType::STRING) {
      check_count(v.count, min_string_bytes(), what + " length");
      v.strings.reserve(static_cast<size_t>(v.count));
      for (uint64_t i = 0; i < v.count; ++i) v.strings.push_back(read_string("element of " + what));
    } else if (v.element_type == GgufValueType::ARRAY) {
      check_count(v.count, 4 + min_string_bytes(), what + " length");
      v.items.reserve(static_cast<size_t>(v.count));
      for (uint64_t i = 0; i < v.count; ++i)
        v.items.push_back(read_array(key, depth + 1));
    } else {
      const uint64_t size = gguf_value_type_size(v.element_type);
      check_count(v.count, size, what + " length");
      v.packed = in_.data() + in_.offset();
      in_.skip(v.count * size, what);
    }
    return v;
  }

  void read_alignment() {
    const GgufValue* a = out_.find("general.alignment");
    if (!a) return;
    OSC_CHECK_INPUT(a->type == GgufValueType::U32, in_.path(),
                    "general.alignment must be UINT32, not " + std::string(gguf_value_type_name(a->type)));
    OSC_CHECK_INPUT(is_power_of_two(a->scalar_bits), in_.path(),
                    "general.alignment " + std::to_string(a->scalar_bits) + " is not a power of two");
    out_.alignment_ = static_cast<uint32_t>(a->scalar_bits);
  }

  void read_tensor_infos() {
    check_count(tensor_count_, min_string_bytes() + 4 + 4 + 8, "tensor count");
    out_.tensor_infos_.reserve(static_cast<size_t>(tensor_count_));
    for (uint64_t i = 0; i < tensor_count_; ++i) out_.tensor_infos_.push_back(read_tensor_info());
    const uint64_t end = in_.offset();
    const uint64_t a = out_.alignment_;
    out_.data_offset_ = end + (a - end % a) % a;
  }

  GgufTensorInfo read_tensor_info() {
    GgufTensorInfo t;
    t.name = std::string(read_string("tensor name"));
    const std::string where = "tensor '" + t.name + "'";
    const uint32_t n_dims = in_.read<uint32_t>("dimension count of " + where);
    OSC_CHECK_INPUT(n_dims <= kMaxDims, in_.path(),
                    where + " has " + std::to_string(n_dims) + " dimensions (at most 4)");
    t.shape.assign(n_dims, 0);
    for (uint32_t d = 0; d < n_dims; ++d) {
      const uint64_t ne = read_count("dimension of " + where);
      OSC_CHECK_INPUT(ne <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()), in_.path(),
                      where + " has dimension " + std::to_string(ne) + " out of range");
      t.shape[n_dims - 1 - d] = static_cast<int64_t>(ne);  // ne0 is innermost: reverse
    }
    t.ggml_type = in_.read<uint32_t>("type of " + where);
    t.offset = in_.read<uint64_t>("data offset of " + where);
    return t;
  }

  DType tensor_dtype(const GgufTensorInfo& t) {
    auto dtype = dtype_from_ggml_type(t.ggml_type);
    if (!dtype) {
      const std::string name = ggml_type_name(t.ggml_type);
      throw_bad_input(in_.path(), "tensor '" + t.name + "' has " +
                                      (name == "unknown" ? "unknown ggml type " + std::to_string(t.ggml_type)
                                                         : "unsupported ggml type " + name + " (" +
                                                               std::to_string(t.ggml_type) + ")"));
    }
    return *dtype;
  }

  uint64_t tensor_bytes(const GgufTensorInfo& t, DType dtype) {
    uint64_t elements = 1;
    for (int64_t d : t.shape)
      OSC_CHECK_INPUT(!__builtin_mul_overflow(elements, static_cast<uint64_t>(d), &elements), in_.path(),
                      "tensor '" + t.name + "' has too many elements");
    const int64_t row = t.shape.empty() ? 1 : t.shape.back();
    OSC_CHECK_INPUT(row % dtype_block_elements(dtype) == 0, in_.path(),
                    "tensor '" + t.name + "' row length " + std::to_string(row) + " is not a multiple of the " +
                        std::string(dtype_name(dtype)) + " block size " + std::to_string(dtype_block_elements(dtype)));
    auto bytes = dtype_storage_bytes(dtype, elements);
    OSC_CHECK_INPUT(bytes.has_value(), in_.path(), "tensor '" + t.name + "' is too large");
    return *bytes;
  }

  void make_tensor_views() {
    struct Range {
      uint64_t begin, end;
      const std::string* name;
    };
    std::vector<Range> ranges;
    const uint64_t data_size = in_.size() >= out_.data_offset_ ? in_.size() - out_.data_offset_ : 0;
    for (const auto& t : out_.tensor_infos_) {
      const DType dtype = tensor_dtype(t);
      const uint64_t nbytes = tensor_bytes(t, dtype);
      OSC_CHECK_INPUT(t.offset % out_.alignment_ == 0, in_.path(),
                      "tensor '" + t.name + "' data offset " + std::to_string(t.offset) +
                          " is not a multiple of the alignment " + std::to_string(out_.alignment_));
      OSC_CHECK_INPUT(t.offset <= data_size && nbytes <= data_size - t.offset, in_.path(),
                      "tensor '" + t.name + "' data [" + std::to_string(t.offset) + ", +" + std::to_string(nbytes) +
                          ") lies outside the data section of " + std::to_string(data_size) + " bytes");
      TensorView v;
      v.dtype = dtype;
      v.shape = t.shape;
      v.data = in_.data() + out_.data_offset_ + t.offset;
      v.nbytes = nbytes;
      v.owner = out_.file_;
      out_.tensors_.add(in_.path(), t.name, std::move(v));
      ranges.push_back({t.offset, t.offset + nbytes, &t.name});
    }
    std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.begin < b.begin; });
    const Range* furthest = nullptr;  // the range reaching furthest so far
    for (const Range& r : ranges) {
      if (furthest && r.begin < furthest->end && r.end > r.begin)
        throw_bad_input(in_.path(), "tensors '" + *furthest->name + "' and '" + *r.name + "' overlap");
      if (!furthest || r.end > furthest->end) furthest = &r;
    }
  }

  GgufFile& out_;
  ByteReader in_;
  uint64_t tensor_count_ = 0, kv_count_ = 0;
};

GgufFile GgufFile::open(const std::string& path) {
  GgufFile f;
  f.file_ = MappedFile::open(path);
  GgufParser(f).parse();
  return f;
}

}  // namespace osc
