// A minimal reader for protobuf wire format, enough for SentencePiece's ModelProto: varints,
// 32-bit floats, length-delimited fields (strings, nested messages); other wire types are skipped.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace osc {

struct ProtoField {
  uint32_t number = 0;
  uint32_t wire_type = 0;  // 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32
  uint64_t varint = 0;     // wire types 0, 1 and 5 (the raw bits)
  std::string_view bytes;  // wire type 2
  float as_float() const;
  int64_t as_int() const { return static_cast<int64_t>(varint); }
};

class ProtoReader {
 public:
  // `where` names the file in errors (BadInput on truncated or malformed input).
  ProtoReader(std::string_view data, std::string where) : data_(data), where_(std::move(where)) {}
  // Reads the next field; false at the end of the message.
  bool next(ProtoField& field);

 private:
  uint64_t read_varint();
  std::string_view data_;
  size_t pos_ = 0;
  std::string where_;
};

}  // namespace osc
