// A JSON value as the bytes of one pipeline message (CBOR: compact, exact for doubles), and back.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace osc::pipeline {

inline std::vector<std::byte> bytes_of(const nlohmann::json& j) {
  const std::vector<std::uint8_t> cbor = nlohmann::json::to_cbor(j);
  const auto* begin = reinterpret_cast<const std::byte*>(cbor.data());
  return {begin, begin + cbor.size()};
}

inline nlohmann::json json_of(const std::vector<std::byte>& bytes) {
  const auto* begin = reinterpret_cast<const std::uint8_t*>(bytes.data());
  return nlohmann::json::from_cbor(begin, begin + bytes.size());
}

}  // namespace osc::pipeline
