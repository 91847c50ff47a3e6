#pragma once
// WebSocket tokens as GetWebSocketsToken issues them: opaque strings bound to an account. A token
// must be used within 15 minutes of creation; once a private subscription uses it, it stays valid
// while that connection lives (PROTOCOL.md §2.3). Single-threaded (the simulator thread).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "kgw/core/clock.hpp"
#include "kgw/sim/types.hpp"

namespace kgw::sim {

class TokenStore {
 public:
  static constexpr std::chrono::seconds kLifetime{900};

  explicit TokenStore(std::uint64_t seed) : state_(seed ^ 0x5DEECE66DULL) {}

  std::string issue(AccountId account, WallTime now);
  // The account of a token that is still valid now (unused and younger than 15 min, or in use).
  std::optional<AccountId> validate(const std::string& token, WallTime now) const;
  // Marks a token as held by a live private subscription (it no longer expires by age).
  void attach(const std::string& token) { if (auto it = tokens_.find(token); it != tokens_.end()) ++it->second.users; }
  void detach(const std::string& token) {
    if (auto it = tokens_.find(token); it != tokens_.end() && it->second.users > 0) --it->second.users;
  }
  // Fault: every token becomes invalid.
  void invalidate_all() { tokens_.clear(); }

 private:
  struct Entry {
    AccountId account;
    WallTime created;
    int users = 0;
  };
  std::unordered_map<std::string, Entry> tokens_;
  std::uint64_t state_;
};

}  // namespace kgw::sim
