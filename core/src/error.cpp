#include "kgw/core/error.hpp"

#include <charconv>

namespace kgw {
namespace {

// boost's error_category has a protected non-virtual destructor by design (categories are
// statics, never deleted through a base pointer).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class KgwCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "kgw"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::ok: return "ok";
      case errc::invalid_argument: return "invalid argument";
      case errc::parse_error: return "parse error";
      case errc::overflow: return "numeric overflow";
      case errc::precision_exceeded: return "precision exceeded";
      case errc::not_found: return "not found";
      case errc::timeout: return "timed out";
      case errc::connection_failed: return "connection failed";
      case errc::connection_closed: return "connection closed";
      case errc::tls_error: return "TLS error";
      case errc::protocol_error: return "protocol error";
      case errc::message_too_big: return "message too big";
      case errc::queue_full: return "queue full";
      case errc::rate_limited: return "rate limited by the local governor";
      case errc::exchange_error: return "exchange error";
      case errc::unknown_outcome: return "unknown outcome";
      case errc::cancelled: return "cancelled";
      case errc::not_supported: return "not supported";
      case errc::internal: return "internal error";
      case errc::blocked: return "blocked";
    }
    return "unknown kgw error";
  }
};
#pragma GCC diagnostic pop

bool starts_with(std::string_view s, std::string_view p) noexcept { return s.substr(0, p.size()) == p; }

// Parses the unix timestamp out of "EService: Throttled: 1700000000" (spacing varies).
std::optional<long long> throttled_timestamp(std::string_view e) {
  const auto pos = e.rfind(':');
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view ts = e.substr(pos + 1);
  while (!ts.empty() && ts.front() == ' ') ts.remove_prefix(1);
  long long v = 0;
  const auto [p, ec] = std::from_chars(ts.data(), ts.data() + ts.size(), v);
  if (ec != std::errc{} || p == ts.data()) return std::nullopt;
  return v;
}

// Removes blanks so "EService: Throttled" and "EService:Throttled" compare alike.
std::string squeeze(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (c != ' ') out.push_back(c);
  return out;
}

}  // namespace

const boost::system::error_category& kgw_category() noexcept {
  static const KgwCategory cat;
  return cat;
}

std::string_view to_string(ErrorClass c) noexcept {
  switch (c) {
    case ErrorClass::rejected: return "rejected";
    case ErrorClass::retryable_not_executed: return "retryable-not-executed";
    case ErrorClass::unknown_outcome: return "unknown-outcome";
  }
  return "rejected";
}

ErrorClass classify_kraken_error(std::string_view error) noexcept {
  const std::string e = squeeze(error);
  // Not executed, safe to resend: the request never reached the engine (PROTOCOL.md §1.3).
  if (starts_with(e, "EAPI:Invalidnonce") || starts_with(e, "EAPI:Ratelimitexceeded") ||
      starts_with(e, "EOrder:Ratelimitexceeded") || starts_with(e, "EService:Throttled") ||
      starts_with(e, "EGeneral:Toomanyrequests") || starts_with(e, "EAuth:Ratelimitexceeded") ||
      starts_with(e, "EAuth:Toomanyrequests") || starts_with(e, "EService:Marketincancel_onlymode") ||
      starts_with(e, "EService:Marketinpost_onlymode"))
    return ErrorClass::retryable_not_executed;
  // May have executed: reconcile by cl_ord_id before any resend.
  if (starts_with(e, "EService:Unavailable") || starts_with(e, "EService:Busy") ||
      starts_with(e, "EGeneral:Internalerror") || starts_with(e, "EDatabase:Internalerror") ||
      starts_with(e, "EService:Deadlineelapsed"))
    return ErrorClass::unknown_outcome;
  return ErrorClass::rejected;
}

bool kraken_token_refused(std::string_view error) noexcept { return starts_with(squeeze(error), "EAPI:Invalidtoken"); }

KrakenError KrakenError::from_strings(std::vector<std::string> strings) {
  KrakenError k;
  k.errors = std::move(strings);
  bool any = false;
  for (const auto& s : k.errors) {
    if (s.empty() || s.front() != 'E') continue;  // warnings do not make a call fail
    const ErrorClass c = classify_kraken_error(s);
    if (!any || static_cast<int>(c) > static_cast<int>(k.classification)) k.classification = c;
    any = true;
    if (starts_with(squeeze(s), "EService:Throttled")) k.throttled_until_unix = throttled_timestamp(s);
  }
  // Several errors at once: the most cautious classification wins (unknown > retryable > rejected);
  // a rejection beside a retryable error still means the request is invalid.
  if (any) {
    bool has_rejected = false;
    for (const auto& s : k.errors)
      if (!s.empty() && s.front() == 'E' && classify_kraken_error(s) == ErrorClass::rejected) has_rejected = true;
    if (has_rejected && k.classification == ErrorClass::retryable_not_executed)
      k.classification = ErrorClass::rejected;
  }
  return k;
}

std::string KrakenError::joined() const {
  std::string out;
  for (const auto& s : errors) {
    if (!out.empty()) out += "; ";
    out += s;
  }
  return out;
}

std::string Error::message() const {
  std::string out = code.message();
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  if (kraken && !kraken->errors.empty()) {
    out += " [kraken: ";
    out += kraken->joined();
    out += ']';
  }
  return out;
}

ErrorException::ErrorException(Error e) : std::runtime_error(e.message()), error_(std::move(e)) {}

void throw_exception_from_error(const Error& e, const boost::source_location&) { throw ErrorException(e); }

}  // namespace kgw
