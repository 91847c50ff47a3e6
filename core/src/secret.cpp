#include "kgw/core/secret.hpp"

#include <openssl/crypto.h>
#include <sys/mman.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <bitset>
#include <cstring>
#include <mutex>

#include "kgw/core/log.hpp"

namespace kgw {
namespace {

// Fixed slots in one anonymous mapping: credentials are few and small (a Kraken API secret is
// 88 characters, a key 56, a WS token about 30), so 128 slots of 256 bytes are plenty and a
// bitmap is the whole allocator. The mapping is never unmapped: a Secret destroyed during static
// destruction still finds it.
class SecretArena {
 public:
  static constexpr std::size_t kSlot = 256, kSlots = 128, kBytes = kSlot * kSlots;

  static SecretArena& instance() {
    static SecretArena* a = new SecretArena();  // leaked on purpose, see above
    return *a;
  }

  char* allocate(std::size_t n) {
    if (!base_ || n > kSlot) return nullptr;
    std::lock_guard lock(mu_);
    for (std::size_t i = 0; i < kSlots; ++i)
      if (!used_[i]) {
        used_[i] = true;
        return base_ + i * kSlot;
      }
    return nullptr;
  }
  // The caller has wiped the bytes.
  void release(char* p) noexcept {
    std::lock_guard lock(mu_);
    used_[static_cast<std::size_t>(p - base_) / kSlot] = false;
  }
  bool contains(const void* p) const noexcept {
    const auto* c = static_cast<const char*>(p);
    return base_ && c >= base_ && c < base_ + kBytes;
  }

 private:
  SecretArena() {
    void* m = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return;  // every Secret falls back to the heap
    base_ = static_cast<char*>(m);
    ::madvise(base_, kBytes, MADV_DONTDUMP);
    ::mlock(base_, kBytes);  // best effort: RLIMIT_MEMLOCK may refuse; a failure is harmless
  }
  char* base_ = nullptr;
  std::mutex mu_;
  std::bitset<kSlots> used_;
};

}  // namespace

bool secret_arena_contains(const void* p) noexcept { return SecretArena::instance().contains(p); }

Secret::Secret(std::string value) {
  assign(value);
  OPENSSL_cleanse(value.data(), value.capacity());
}

Secret::Secret(const Secret& other) { assign(other.reveal()); }

Secret::Secret(Secret&& other) noexcept : data_(other.data_), size_(other.size_) {
  // The redactor holds a view of these bytes; they do not move, so it stays valid.
  other.data_ = nullptr;
  other.size_ = 0;
}

Secret& Secret::operator=(Secret other) noexcept {
  swap(*this, other);
  return *this;
}

void swap(Secret& a, Secret& b) noexcept {
  std::swap(a.data_, b.data_);
  std::swap(a.size_, b.size_);
}

Secret::~Secret() { wipe(); }

void Secret::assign(std::string_view value) {
  if (value.empty()) return;
  data_ = SecretArena::instance().allocate(value.size());
  if (!data_) {
    // Still wiped and redacted, but in ordinary heap memory (core dumps, swap): say so once.
    static std::atomic<bool> warned{false};
    if (!warned.exchange(true))
      spdlog::warn("a credential of {} bytes is kept outside the no-dump arena (slots of {} bytes, {} of them)", value.size(),
                   SecretArena::kSlot, SecretArena::kSlots);
    data_ = new char[value.size()];
  }
  std::memcpy(data_, value.data(), value.size());
  size_ = value.size();
  log::register_secret(reveal());
}

void Secret::wipe() noexcept {
  if (!data_) return;
  log::unregister_secret(reveal());
  OPENSSL_cleanse(data_, size_);
  if (SecretArena::instance().contains(data_)) SecretArena::instance().release(data_);
  else delete[] data_;
  data_ = nullptr;
  size_ = 0;
}

}  // namespace kgw
