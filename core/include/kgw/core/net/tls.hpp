#pragma once
// The client TLS context shared by the WebSocket sessions and the HTTPS client. Peer
// verification is on unless a caller explicitly turns it off (only for a self-signed simulator);
// SNI and the hostname check are applied per connection by the session code, because they
// depend on the host being dialled, not on the context.

#include "kgw/core/error.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace kgw::net {

struct TlsOptions {
  // Trust anchors. Both empty: the system trust store (set_default_verify_paths).
  std::string ca_file;  // a PEM file with one or more CA certificates
  std::string ca_pem;   // the same, in memory (tests, embedded simulator CA)
  // false disables certificate and hostname verification. Never the default; a warning is
  // logged when a context is built this way.
  bool verify_peer = true;
};

// Builds a TLS >= 1.2 client context. Errors: errc::tls_error (unreadable CA file, bad PEM).
// The context is immutable once built and may be shared by many connections on any thread.
result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(const TlsOptions& options = {});

// True when connections made with `ctx` must verify the peer (and therefore its host name).
bool verifies_peer(const boost::asio::ssl::context& ctx) noexcept;

}  // namespace kgw::net
