#include "kgw/core/net/tls.hpp"

#include <boost/asio/buffer.hpp>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

namespace kgw::net {

result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(const TlsOptions& options) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  // TLS 1.0/1.1 are deprecated (RFC 8996) and Kraken only offers 1.2+.
  if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1)
    return fail(errc::tls_error, "cannot set the minimum TLS version to 1.2");
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);

  boost::system::error_code ec;
  if (!options.ca_file.empty()) {
    ctx->load_verify_file(options.ca_file, ec);
    if (ec) return fail(errc::tls_error, "cannot load CA file '" + options.ca_file + "': " + ec.message());
  }
  if (!options.ca_pem.empty()) {
    ctx->add_certificate_authority(boost::asio::buffer(options.ca_pem), ec);
    if (ec) return fail(errc::tls_error, "cannot load CA certificate from memory: " + ec.message());
  }
  if (options.ca_file.empty() && options.ca_pem.empty()) {
    ctx->set_default_verify_paths(ec);
    if (ec) return fail(errc::tls_error, "cannot load the system trust store: " + ec.message());
  }

  if (options.verify_peer) {
    ctx->set_verify_mode(ssl::verify_peer);
  } else {
    spdlog::warn("TLS peer verification is disabled for this context (only meant for a local simulator)");
    ctx->set_verify_mode(ssl::verify_none);
  }
  return ctx;
}

bool verifies_peer(const boost::asio::ssl::context& ctx) noexcept {
  return (SSL_CTX_get_verify_mode(const_cast<boost::asio::ssl::context&>(ctx).native_handle()) & SSL_VERIFY_PEER) !=
         0;
}

}  // namespace kgw::net
