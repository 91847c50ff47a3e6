#pragma once
// Kraken REST request signing (PROTOCOL.md §2):
//   API-Sign = base64(HMAC-SHA512(base64decode(secret), uri_path || SHA256(nonce || post_data)))
// Used by the REST client to sign and by the simulator to verify. Pure functions; the decoded
// key lives only on the stack and is wiped before returning.

#include <string>
#include <string_view>

#include "kgw/core/error.hpp"
#include "kgw/core/secret.hpp"

namespace kgw::kraken {

// `secret_base64` is the API secret as Kraken issues it (base64); `nonce` the decimal text that
// also appears in `post_data`; `post_data` the exact body bytes sent (form or JSON).
result<std::string> api_sign(const Secret& secret_base64, std::string_view uri_path, std::string_view nonce,
                             std::string_view post_data);

// Constant-time comparison of two signatures (for the simulator's verifier).
bool signatures_equal(std::string_view a, std::string_view b) noexcept;

// Standard base64 (with padding), as Kraken uses for secrets and signatures.
std::string base64_encode(std::string_view bytes);
result<std::string> base64_decode(std::string_view text);

}  // namespace kgw::kraken
