#include "model/capture_export.h"

#include <filesystem>

#include "core/error.h"
#include "formats/npy.h"
#include "formats/safetensors.h"

namespace osc {
namespace {

TensorView ids_view(const std::vector<int32_t>& tokens) {  // [T]
  TensorView v;
  v.dtype = DType::I32;
  v.shape = {static_cast<int64_t>(tokens.size())};
  v.data = tokens.data();
  v.nbytes = tokens.size() * sizeof(int32_t);
  return v;
}

}  // namespace

void write_captures_safetensors(const std::string& path, const HookSet& hooks, const std::vector<int32_t>& tokens,
                                const std::map<std::string, std::string>& metadata) {
  std::vector<std::pair<std::string, TensorView>> tensors;
  tensors.emplace_back("input_ids", ids_view(tokens));
  for (const std::string& name : hooks.captured_order()) tensors.emplace_back(name, hooks.get(name).view());
  write_safetensors(path, tensors, metadata);
}

void write_captures_npy(const std::string& dir, const HookSet& hooks, const std::vector<int32_t>& tokens) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw_bad_input(dir, "cannot create the folder: " + ec.message());
  write_npy(dir + "/input_ids.npy", ids_view(tokens));
  for (const std::string& name : hooks.captured_order()) write_npy(dir + "/" + name + ".npy", hooks.get(name).view());
}

}  // namespace osc
