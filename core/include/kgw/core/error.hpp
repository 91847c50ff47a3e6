#pragma once
// Errors as values (DESIGN.md §5): kgw::errc with its boost::system category, the Error value
// that carries a human detail and, when the exchange answered, Kraken's own error[] strings, and
// the result<T> alias every fallible function returns. Exceptions are kept for start-up/config
// failures and broken invariants.

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace kgw {

enum class errc : int {
  ok = 0,
  invalid_argument = 1,  // a caller-supplied value is malformed (names the field in detail)
  parse_error,           // a document from the exchange or a file is malformed
  overflow,              // a number does not fit its fixed-point representation
  precision_exceeded,    // more non-zero decimals than the instrument's grid allows
  not_found,             // unknown pair, asset, order, ...
  timeout,               // a deadline passed before the operation finished
  connection_failed,     // could not resolve/connect/handshake
  connection_closed,     // the peer closed (or reset) an established connection
  tls_error,             // certificate or TLS-layer failure
  protocol_error,        // the peer spoke something that is not HTTP/WebSocket as expected
  message_too_big,       // a frame or body exceeded its configured limit
  queue_full,            // a bounded queue had no room; nothing was enqueued
  rate_limited,          // the local rate governor refused the call
  exchange_error,        // Kraken answered with a non-empty error[] (see Error::kraken)
  unknown_outcome,       // a request may or may not have executed; reconcile before resending
  cancelled,             // the operation was cancelled (shutdown, explicit cancel)
  not_supported,         // the request is valid Kraken but not supported here
  internal,              // a broken invariant inside the gateway
  blocked,               // a policy of the gateway refuses it now (the kill switch); nothing sent
};

}  // namespace kgw

template <>
struct boost::system::is_error_code_enum<kgw::errc> : std::true_type {};

namespace kgw {

const boost::system::error_category& kgw_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), kgw_category()};
}

// How an exchange error affects what the caller may do next (PROTOCOL.md §1.3).
enum class ErrorClass : unsigned char {
  rejected,                  // not executed and resending the same request will fail again
  retryable_not_executed,    // not executed; safe to resend (nonce, rate limit, throttled)
  unknown_outcome,           // may have executed: look the order up by cl_ord_id first
};

std::string_view to_string(ErrorClass c) noexcept;

// Kraken's error[] strings, kept verbatim, with their classification. For
// `EService: Throttled: <unix ts>` the timestamp is kept so callers can wait until it.
struct KrakenError {
  std::vector<std::string> errors;
  ErrorClass classification = ErrorClass::rejected;
  std::optional<long long> throttled_until_unix;

  // Builds the value from the strings of an `error` array; warnings (`W...`) are kept but do not
  // count for the classification.
  static KrakenError from_strings(std::vector<std::string> strings);
  // Joined with "; " in exchange order, as the seed's KrakenAPIError prints them.
  std::string joined() const;
};

// Classifies one Kraken error string (`EAPI:Invalid nonce`, `EService:Busy`, ...).
ErrorClass classify_kraken_error(std::string_view error) noexcept;
// `EAPI:Invalid token`: Kraken refused a private WebSocket request's session token before looking
// at the request (PROTOCOL.md §2.3): nothing was done, and the session needs a fresh token.
bool kraken_token_refused(std::string_view error) noexcept;

// The error half of result<T>: a code, a short human detail (never a secret), and Kraken's
// error[] when the exchange said something.
struct Error {
  boost::system::error_code code;
  std::string detail;
  std::optional<KrakenError> kraken;
  // Orders whose outcome is unknown (errc::unknown_outcome): the cl_ord_ids to look up.
  std::vector<std::string> cl_ord_ids;

  Error() = default;
  Error(errc e, std::string d = {}) : code(make_error_code(e)), detail(std::move(d)) {}
  Error(boost::system::error_code c, std::string d = {}) : code(c), detail(std::move(d)) {}

  bool is(errc e) const noexcept { return code == make_error_code(e); }
  // "<category message>: <detail> [kraken: E...; E...]"
  std::string message() const;
};

// Thrown by result<T>::value() on an error; carries the full message.
class ErrorException : public std::runtime_error {
 public:
  explicit ErrorException(Error e);
  const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using result = boost::system::result<T, Error>;

// Shorthand for `return fail(errc::x, "detail")` inside functions returning result<T>.
inline Error fail(errc e, std::string detail = {}) { return Error(e, std::move(detail)); }

}  // namespace kgw

