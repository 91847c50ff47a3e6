#include "kgw/sim/tokens.hpp"

namespace kgw::sim {

std::string TokenStore::issue(AccountId account, WallTime now) {
  // 43 characters from the base64url-ish alphabet, like Kraken's tokens.
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string t(43, 'A');
  for (auto& c : t) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    c = kAlphabet[(state_ >> 58) & 63];
  }
  tokens_[t] = Entry{account, now, 0};
  return t;
}

std::optional<AccountId> TokenStore::validate(const std::string& token, WallTime now) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return std::nullopt;
  if (it->second.users == 0 && now - it->second.created > kLifetime) return std::nullopt;
  return it->second.account;
}

}  // namespace kgw::sim
