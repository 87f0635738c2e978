#include "core/temp_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>

namespace osc {
namespace {

// The handler may only use async-signal-safe calls, so the registry is a fixed table of
// fixed-size paths (no allocation, no locks); a slot's state says whether its path is complete.
constexpr size_t kMaxTemporaries = 64;
constexpr size_t kMaxPath = 4096;
enum SlotState : int { kFree = 0, kFilling = 1, kLive = 2 };

struct Slot {
  std::atomic<int> state{kFree};
  char path[kMaxPath];
};

std::array<Slot, kMaxTemporaries> g_slots;

struct LinuxDirent64 {
  ino64_t d_ino;
  off64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

// Removes `name` (relative to dirfd) and, if it is a folder, everything below it, with raw system
// calls only (readdir/nftw allocate and are not async-signal-safe).
void remove_tree_at(int dirfd, const char* name, int depth) {
  if (::unlinkat(dirfd, name, 0) == 0 || depth > 16) return;
  const int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  alignas(8) char buffer[4096];
  // Entries were removed: read the (shorter) listing again, a few times at most (some may resist).
  bool removed_any = true;
  for (int pass = 0; pass < 8 && removed_any; ++pass) {
    removed_any = false;
    ::lseek(fd, 0, SEEK_SET);
    for (long n; (n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0;) {
      for (long offset = 0; offset < n;) {
        const auto* entry = reinterpret_cast<const LinuxDirent64*>(buffer + offset);
        offset += entry->d_reclen;
        if (std::strcmp(entry->d_name, ".") == 0 || std::strcmp(entry->d_name, "..") == 0) continue;
        remove_tree_at(fd, entry->d_name, depth + 1);
        removed_any = true;
      }
    }
  }
  ::close(fd);
  ::unlinkat(dirfd, name, AT_REMOVEDIR);
}

void remove_registered_paths() {
  for (Slot& slot : g_slots)
    if (slot.state.load() == kLive) remove_tree_at(AT_FDCWD, slot.path, 0);
}

void on_interrupt(int signal_number) {
  remove_registered_paths();
  std::signal(signal_number, SIG_DFL);
  std::raise(signal_number);
}

}  // namespace

void install_interrupt_cleanup() {
  struct sigaction action = {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(s, &action, nullptr);
}

std::string temporary_path_for(const std::string& path) { return path + ".tmp." + std::to_string(::getpid()); }

void register_temporary(const std::string& path) {
  if (path.size() >= kMaxPath) return;
  for (Slot& slot : g_slots) {
    int expected = kFree;
    if (!slot.state.compare_exchange_strong(expected, kFilling)) continue;
    std::memcpy(slot.path, path.c_str(), path.size() + 1);
    slot.state.store(kLive);
    return;
  }
}

void unregister_temporary(const std::string& path) {
  for (Slot& slot : g_slots) {
    if (slot.state.load() != kLive || path != slot.path) continue;
    slot.state.store(kFree);
    return;
  }
}

}  // namespace osc
