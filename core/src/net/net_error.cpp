#include "net_error.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace kgw::net::detail {

errc classify(const boost::system::error_code& ec, errc fallback) noexcept {
  namespace aerr = boost::asio::error;
  namespace ws = boost::beast::websocket;
  namespace http = boost::beast::http;
  if (!ec) return errc::ok;
  if (ec.category() == kgw_category()) return static_cast<errc>(ec.value());

  if (ec == ws::error::closed) return errc::connection_closed;
  if (ec == ws::error::message_too_big || ec == ws::error::buffer_overflow) return errc::message_too_big;
  // Every other websocket::error is a framing or handshake violation by the peer.
  if (ec.category() == make_error_code(ws::error::closed).category()) return errc::protocol_error;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return errc::connection_closed;
  if (ec == http::error::body_limit || ec == http::error::buffer_overflow) return errc::message_too_big;
  if (ec.category() == make_error_code(http::error::bad_version).category()) return errc::protocol_error;
  if (ec == boost::beast::error::timeout) return errc::timeout;

  if (ec == boost::asio::ssl::error::stream_truncated) return errc::connection_closed;
  if (ec.category() == aerr::get_ssl_category() ||
      ec.category() == boost::asio::ssl::error::get_stream_category())
    return errc::tls_error;

  if (ec == aerr::operation_aborted) return errc::cancelled;
  if (ec == aerr::timed_out) return errc::timeout;
  if (ec == aerr::eof || ec == aerr::connection_reset || ec == aerr::connection_aborted || ec == aerr::broken_pipe ||
      ec == aerr::shut_down || ec == aerr::not_connected)
    return errc::connection_closed;
  if (ec == aerr::connection_refused || ec == aerr::host_unreachable || ec == aerr::network_unreachable ||
      ec == aerr::network_down || ec == boost::system::errc::address_not_available || ec == aerr::host_not_found ||
      ec == aerr::host_not_found_try_again || ec == aerr::no_data || ec == aerr::no_recovery ||
      ec.category() == aerr::get_netdb_category() || ec.category() == aerr::get_addrinfo_category())
    return errc::connection_failed;
  return fallback;
}

Error to_error(const boost::system::error_code& ec, std::string_view what, errc fallback) {
  std::string d(what);
  d += ": ";
  d += ec.message();
  return Error(classify(ec, fallback), std::move(d));
}

Error tls_handshake_error(const boost::system::error_code& ec, SSL* ssl, std::string_view host) {
  std::string d = "TLS handshake with ";
  d += host;
  d += ": ";
  d += ec.message();
  const long verdict = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verdict != X509_V_OK) {
    d += " (certificate: ";
    d += X509_verify_cert_error_string(verdict);
    d += ')';
  }
  // A handshake cut by the peer or by our deadline is a transport problem, not a TLS verdict.
  const errc c = classify(ec, errc::tls_error);
  if (c == errc::connection_closed || c == errc::cancelled || c == errc::timeout) return Error(c, std::move(d));
  return Error(errc::tls_error, std::move(d));
}

}  // namespace kgw::net::detail
