#pragma once
// Internal to core/src/net: how Asio, Beast and OpenSSL error codes map onto kgw::errc.

#include "kgw/core/error.hpp"

#include <string_view>

typedef struct ssl_st SSL;

namespace kgw::net::detail {

// The kgw class of a transport error; `fallback` is used for codes with no natural class.
errc classify(const boost::system::error_code& ec, errc fallback = errc::connection_failed) noexcept;

// "<what>: <ec message>", classified. `what` must not contain secrets (no header values).
Error to_error(const boost::system::error_code& ec, std::string_view what,
               errc fallback = errc::connection_failed);

// A TLS handshake failure with OpenSSL's verification verdict when that is the cause
// ("certificate verify failed: hostname mismatch"), so operators see why at a glance.
Error tls_handshake_error(const boost::system::error_code& ec, SSL* ssl, std::string_view host);

}  // namespace kgw::net::detail
