#include "tokenizer/protobuf_reader.h"

#include <cstring>

#include "core/error.h"

namespace osc {

float ProtoField::as_float() const {
  const auto bits = static_cast<uint32_t>(varint);
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

uint64_t ProtoReader::read_varint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    OSC_CHECK_INPUT(pos_ < data_.size(), where_, "truncated protobuf varint at byte " + std::to_string(pos_));
    const auto byte = static_cast<uint8_t>(data_[pos_++]);
    value |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return value;
  }
  throw_bad_input(where_, "protobuf varint longer than 10 bytes at byte " + std::to_string(pos_));
}

bool ProtoReader::next(ProtoField& field) {
  if (pos_ >= data_.size()) return false;
  const uint64_t tag = read_varint();
  field.number = static_cast<uint32_t>(tag >> 3);
  field.wire_type = static_cast<uint32_t>(tag & 7);
  field.bytes = {};
  field.varint = 0;
  auto take_fixed = [&](size_t n) {
    OSC_CHECK_INPUT(data_.size() - pos_ >= n, where_, "truncated protobuf field " + std::to_string(field.number));
    for (size_t i = 0; i < n; ++i) field.varint |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
    pos_ += n;
  };
  switch (field.wire_type) {
    case 0: field.varint = read_varint(); return true;
    case 1: take_fixed(8); return true;
    case 5: take_fixed(4); return true;
    case 2: {
      const uint64_t length = read_varint();
      OSC_CHECK_INPUT(length <= data_.size() - pos_, where_,
                      "protobuf field " + std::to_string(field.number) + " runs past the end of the data");
      field.bytes = data_.substr(pos_, length);
      pos_ += length;
      return true;
    }
    default:
      throw_bad_input(where_, "unsupported protobuf wire type " + std::to_string(field.wire_type) + " (field " +
                                  std::to_string(field.number) + ")");
  }
}

}  // namespace osc
