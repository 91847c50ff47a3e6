#pragma once
// Internal to core/src/net: per-connection TLS set-up (SNI + hostname check).

#include "kgw/core/error.hpp"
#include "kgw/core/net/tls.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <openssl/ssl.h>

#include <string>

namespace kgw::net::detail {

// Prepares a client stream for its handshake with `host`: SNI (so a shared front end picks the
// right certificate; never sent for IP literals, RFC 6066 §3) and, when the context verifies
// peers, the RFC 6125 host-name check (IP literals are matched against IP SANs).
template <class Next>
result<void> prepare_tls_client(boost::asio::ssl::stream<Next>& stream, const boost::asio::ssl::context& ctx,
                                const std::string& host) {
  boost::system::error_code ec;
  (void)boost::asio::ip::make_address(host, ec);
  const bool literal = !ec;
  if (!literal && SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()) != 1)
    return fail(errc::tls_error, "cannot set SNI host name " + host);
  if (verifies_peer(ctx)) stream.set_verify_callback(boost::asio::ssl::host_name_verification(host));
  return {};
}

}  // namespace kgw::net::detail
