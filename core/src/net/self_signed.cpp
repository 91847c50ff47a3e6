#include "kgw/core/net/self_signed.hpp"

#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <memory>

namespace kgw::net {
namespace {

template <class T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const noexcept { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;

// OpenSSL keeps its reasons on a thread-local queue; fold the newest one into the detail and
// clear the rest so a later, unrelated call does not report a stale reason.
Error openssl_error(std::string what) {
  const unsigned long code = ERR_peek_last_error();
  if (code != 0) {
    std::array<char, 256> buf{};
    ERR_error_string_n(code, buf.data(), buf.size());
    what += ": ";
    what += buf.data();
  }
  ERR_clear_error();
  return Error(errc::tls_error, std::move(what));
}

bool add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);  // self-signed: issuer == subject
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) return false;
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1;
}

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

}  // namespace

result<PemKeyPair> make_self_signed_certificate(const SelfSignedOptions& options) {
  std::string san;
  for (const auto& dns : options.dns_names) {
    if (dns.empty() || dns.find_first_of(",\r\n") != std::string::npos)
      return fail(errc::invalid_argument, "SelfSignedOptions.dns_names: bad name '" + dns + "'");
    if (!san.empty()) san += ',';
    san += "DNS:" + dns;
  }
  for (const auto& ip : options.ip_addresses) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(ip, ec);
    if (ec) return fail(errc::invalid_argument, "SelfSignedOptions.ip_addresses: '" + ip + "' is not an IP address");
    if (!san.empty()) san += ',';
    san += "IP:" + ip;
  }
  if (options.validity.count() <= 0) return fail(errc::invalid_argument, "SelfSignedOptions.validity must be > 0");

  // P-256: a key generates in about a millisecond (RSA-2048 takes tens) and every TLS 1.2+
  // client speaks ECDSA.
  KeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return openssl_error("EC P-256 key generation failed");

  CertPtr cert(X509_new());
  if (!cert) return openssl_error("X509_new failed");
  X509* c = cert.get();
  X509_set_version(c, 2);  // v3, needed for the extensions

  // A random positive 127-bit serial (RFC 5280 §4.1.2.2): two certificates from two runs must not
  // share issuer + serial, or clients that cache by that pair get confused.
  std::array<unsigned char, 16> serial_bytes{};
  if (RAND_bytes(serial_bytes.data(), static_cast<int>(serial_bytes.size())) != 1)
    return openssl_error("RAND_bytes failed");
  serial_bytes[0] &= 0x7f;
  BnPtr serial(BN_bin2bn(serial_bytes.data(), static_cast<int>(serial_bytes.size()), nullptr));
  if (!serial || BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(c)) == nullptr)
    return openssl_error("cannot set the serial number");

  const long validity_s = static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(options.validity).count());
  if (X509_gmtime_adj(X509_getm_notBefore(c), -3600) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(c), validity_s) == nullptr)
    return openssl_error("cannot set the validity period");

  X509_NAME* name = X509_get_subject_name(c);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(options.common_name.c_str()), -1, -1, 0) != 1)
    return openssl_error("cannot set the common name");
  if (X509_set_issuer_name(c, name) != 1 || X509_set_pubkey(c, key.get()) != 1)
    return openssl_error("cannot set issuer or public key");

  // CA:TRUE and keyCertSign make OpenSSL treat the certificate as a self-signed root, so a client
  // can load it as its only trust anchor; pathlen:0 keeps it from vouching for anything else.
  if (!add_extension(c, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
      !add_extension(c, NID_key_usage, "critical,digitalSignature,keyCertSign") ||
      !add_extension(c, NID_ext_key_usage, "serverAuth") ||
      !add_extension(c, NID_subject_key_identifier, "hash") ||
      (!san.empty() && !add_extension(c, NID_subject_alt_name, san)))
    return openssl_error("cannot add certificate extensions");

  if (X509_sign(c, key.get(), EVP_sha256()) == 0) return openssl_error("cannot sign the certificate");

  PemKeyPair out;
  BioPtr cert_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || PEM_write_bio_X509(cert_bio.get(), c) != 1) return openssl_error("cannot write the certificate PEM");
  out.cert_pem = drain(cert_bio.get());
  BioPtr key_bio(BIO_new(BIO_s_mem()));
  if (!key_bio || PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return openssl_error("cannot write the key PEM");
  out.key_pem = drain(key_bio.get());
  return out;
}

result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(std::string_view cert_pem,
                                                                          std::string_view key_pem) {
  namespace ssl = boost::asio::ssl;
  if (cert_pem.empty() || key_pem.empty()) return fail(errc::tls_error, "server certificate or key PEM is empty");
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  // Same floor as the client side (tls_context.cpp): TLS 1.0/1.1 are deprecated (RFC 8996).
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1)
    return fail(errc::tls_error, "cannot set the minimum TLS version to 1.2");
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                   ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain(boost::asio::buffer(cert_pem.data(), cert_pem.size()), ec);
  if (ec) return fail(errc::tls_error, "cannot load the server certificate PEM: " + ec.message());
  ctx->use_private_key(boost::asio::buffer(key_pem.data(), key_pem.size()), ssl::context::pem, ec);
  if (ec) return fail(errc::tls_error, "cannot load the server key PEM: " + ec.message());
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    return openssl_error("the server key does not match its certificate");
  return ctx;
}

}  // namespace kgw::net
