#include "kgw/core/secret.hpp"

#include <openssl/crypto.h>

#include "kgw/core/log.hpp"

namespace kgw {

Secret::Secret(std::string value) : value_(std::move(value)) {
  if (!value_.empty()) log::register_secret(value_);
}

Secret::Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.value_.clear(); }

Secret& Secret::operator=(Secret other) noexcept {
  swap(*this, other);
  return *this;
}

Secret::~Secret() { wipe(); }

void Secret::wipe() noexcept {
  if (value_.empty()) return;
  log::unregister_secret(value_);
  // Wipe the whole capacity: short strings live inline, long ones on the heap.
  OPENSSL_cleanse(value_.data(), value_.capacity());
  value_.clear();
}

}  // namespace kgw
