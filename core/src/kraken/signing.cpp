#include "kgw/core/kraken/signing.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <vector>

namespace kgw::kraken {

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return Error(errc::invalid_argument, "base64: length is not a multiple of 4");
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) {
    OPENSSL_cleanse(out.data(), out.size());
    return Error(errc::invalid_argument, "base64: invalid characters");
  }
  // EVP_DecodeBlock counts padding as zero bytes; drop them.
  std::size_t len = static_cast<std::size_t>(n);
  if (!text.empty() && text.back() == '=') --len;
  if (text.size() > 1 && text[text.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

result<std::string> api_sign(const Secret& secret_base64, std::string_view uri_path, std::string_view nonce,
                             std::string_view post_data) {
  auto key = base64_decode(secret_base64.reveal());
  if (!key) return Error(errc::invalid_argument, "API secret is not valid base64");

  unsigned char sha[SHA256_DIGEST_LENGTH];
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  if (!ctx) return Error(errc::internal, "EVP_MD_CTX_new failed");
  const bool ok = EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, nonce.data(), nonce.size()) == 1 &&
                  EVP_DigestUpdate(ctx, post_data.data(), post_data.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, sha, nullptr) == 1;
  EVP_MD_CTX_free(ctx);
  if (!ok) return Error(errc::internal, "SHA-256 failed");

  std::vector<unsigned char> msg(uri_path.size() + sizeof sha);
  std::copy(uri_path.begin(), uri_path.end(), msg.begin());
  std::copy(std::begin(sha), std::end(sha), msg.begin() + static_cast<std::ptrdiff_t>(uri_path.size()));

  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  const unsigned char* r = HMAC(EVP_sha512(), key->data(), static_cast<int>(key->size()), msg.data(), msg.size(), mac, &mac_len);
  OPENSSL_cleanse(key->data(), key->size());
  if (!r) return Error(errc::internal, "HMAC-SHA512 failed");
  return base64_encode(std::string_view(reinterpret_cast<const char*>(mac), mac_len));
}

bool signatures_equal(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace kgw::kraken
