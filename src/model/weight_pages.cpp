#include "model/weight_pages.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace osc {
namespace {

constexpr uint64_t kReadAheadPiece = 8ull << 20;  // MADV_WILLNEED reads at most this much per call
constexpr uint64_t kPresentBit = 1ull << 63;      // of a /proc/self/pagemap entry

uint64_t page_size() {
  static const uint64_t size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  return size;
}

// [first, end) addresses of whole pages.
struct PageSpan {
  uintptr_t first = 0, end = 0;
  uint64_t bytes() const { return end > first ? end - first : 0; }
};

// The whole pages inside a range (inward) or the pages it touches (outward).
PageSpan pages_of(const ByteRange& r, bool inward) {
  const uintptr_t begin = reinterpret_cast<uintptr_t>(r.begin), end = begin + r.size, p = page_size();
  if (inward) return {(begin + p - 1) / p * p, end / p * p};
  return {begin / p * p, (end + p - 1) / p * p};
}

// The address ranges of this process's file mappings (/proc/self/maps lines with an inode).
std::vector<PageSpan> file_mappings() {
  std::vector<PageSpan> out;
  std::ifstream maps("/proc/self/maps");
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string span, perms, offset, device;
    uint64_t inode = 0;
    fields >> span >> perms >> offset >> device >> inode;
    const size_t dash = span.find('-');
    if (inode == 0 || dash == std::string::npos) continue;
    out.push_back({std::stoull(span.substr(0, dash), nullptr, 16), std::stoull(span.substr(dash + 1), nullptr, 16)});
  }
  return out;
}

bool inside_any(const PageSpan& s, const std::vector<PageSpan>& mappings) {
  return std::any_of(mappings.begin(), mappings.end(),
                     [&](const PageSpan& m) { return s.first >= m.first && s.end <= m.end; });
}

void* address(uintptr_t a) { return reinterpret_cast<void*>(a); }

}  // namespace

std::vector<ByteRange> layer_byte_ranges(const WeightStore& weights, int64_t layer) {
  const std::string prefix = layer_weight_prefix(layer), blocks = "blocks.";
  std::vector<ByteRange> out;
  for (const std::string& name : weights.names()) {
    const bool wanted = layer >= 0 ? name.rfind(prefix, 0) == 0 : name.rfind(blocks, 0) != 0;
    const TensorView& v = weights.get(name);
    if (wanted && v.data != nullptr && v.nbytes > 0) out.push_back({static_cast<const uint8_t*>(v.data), v.nbytes});
  }
  return out;
}

uint64_t total_bytes(const std::vector<ByteRange>& ranges) {
  uint64_t sum = 0;
  for (const auto& r : ranges) sum += r.size;
  return sum;
}

void read_ahead(const std::vector<ByteRange>& ranges) {
  const std::vector<PageSpan> mappings = file_mappings();
  for (const auto& r : ranges) {
    const PageSpan s = pages_of(r, /*inward=*/false);
    if (!inside_any(s, mappings)) continue;
    for (uintptr_t at = s.first; at < s.end; at += kReadAheadPiece)
      madvise(address(at), std::min<uint64_t>(kReadAheadPiece, s.end - at), MADV_WILLNEED);  // a hint: errors change nothing
  }
}

uint64_t release_pages(const std::vector<ByteRange>& ranges) {
  const std::vector<PageSpan> mappings = file_mappings();
  uint64_t released = 0;
  for (const auto& r : ranges) {
    const PageSpan s = pages_of(r, /*inward=*/true);
    if (s.bytes() == 0 || !inside_any(s, mappings)) continue;
    madvise(address(s.first), s.bytes(), MADV_PAGEOUT);  // refused for others' read-only files: then cache stays
    if (madvise(address(s.first), s.bytes(), MADV_DONTNEED) == 0) released += s.bytes();
  }
  return released;
}

uint64_t resident_pages(const std::vector<ByteRange>& ranges) {
  const int fd = ::open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  uint64_t present = 0;
  std::vector<uint64_t> entries;
  for (const auto& r : ranges) {
    const PageSpan s = pages_of(r, /*inward=*/true);
    entries.assign(s.bytes() / page_size(), 0);
    const off_t offset = static_cast<off_t>(s.first / page_size() * sizeof(uint64_t));
    const ssize_t got = pread(fd, entries.data(), entries.size() * sizeof(uint64_t), offset);
    for (ssize_t i = 0; i < got / static_cast<ssize_t>(sizeof(uint64_t)); ++i)
      present += (entries[static_cast<size_t>(i)] & kPresentBit) != 0;
  }
  ::close(fd);
  return present;
}

uint64_t available_memory_bytes() {
  std::ifstream meminfo("/proc/meminfo");
  for (std::string key; meminfo >> key;) {
    uint64_t kib = 0;
    meminfo >> kib;
    if (key == "MemAvailable:") return kib * 1024;
    meminfo.ignore(256, '\n');
  }
  return 0;
}

}  // namespace osc
