#include "pipeline/capture_messages.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "core/error.h"

namespace osc::pipeline {
namespace {

void put(std::vector<std::byte>& out, const void* data, size_t n) {
  const size_t at = out.size();
  out.resize(at + n);
  if (n > 0) std::memcpy(out.data() + at, data, n);
}

void put_u64(std::vector<std::byte>& out, uint64_t v) { put(out, &v, sizeof v); }

// Reads from a message that this build's pack_captures wrote; a short one is a programming error.
class Reader {
 public:
  explicit Reader(const std::vector<std::byte>& m) : message_(m) {}
  void take(void* out, size_t n) {
    if (n > message_.size() - at_) throw_internal("pipeline", "a capture message from another rank is truncated");
    std::memcpy(out, message_.data() + at_, n);
    at_ += n;
  }
  uint64_t u64() {
    uint64_t v = 0;
    take(&v, sizeof v);
    return v;
  }

 private:
  const std::vector<std::byte>& message_;
  size_t at_ = 0;
};

}  // namespace

std::vector<std::byte> pack_captures(const HookSet& hooks) {
  std::vector<std::byte> out;
  put_u64(out, hooks.captured_order().size());
  for (const std::string& name : hooks.captured_order()) {
    const Tensor& t = hooks.get(name);
    put_u64(out, name.size());
    put(out, name.data(), name.size());
    put_u64(out, t.shape.size());
    put(out, t.shape.data(), t.shape.size() * sizeof(int64_t));
    put(out, t.data.data(), t.data.size() * sizeof(float));
  }
  return out;
}

void unpack_captures(const std::vector<std::byte>& message, HookSet& hooks) {
  Reader in(message);
  const uint64_t count = in.u64();
  for (uint64_t i = 0; i < count; ++i) {
    std::string name(in.u64(), '\0');
    in.take(name.data(), name.size());
    Shape shape(in.u64());
    in.take(shape.data(), shape.size() * sizeof(int64_t));
    Tensor t(shape);
    in.take(t.data.data(), t.data.size() * sizeof(float));
    hooks.on(name, t.ptr(), t.shape);
  }
}

}  // namespace osc::pipeline
