#include "grpc_status.hpp"

#include <algorithm>
#include <string_view>

#include "kgw/gateway/errors.hpp"
#include "kgw/v1/common.pb.h"

namespace kgw::gateway {
namespace {

using grpc::StatusCode;

// Kraken's error strings by the status the contract gives them (common.proto, ErrorDetail), as
// prefixes compared without blanks ("EService: Throttled: <ts>" is spelled with them). Strings
// not listed fall back on their classification (core's classify_kraken_error).
struct KrakenRule {
  std::string_view prefix;
  StatusCode code;
};
constexpr KrakenRule kKrakenRules[] = {
    {"EGeneral:Invalidarguments", StatusCode::INVALID_ARGUMENT},
    {"EQuery:Unknownassetpair", StatusCode::INVALID_ARGUMENT},
    {"EOrder:Invalidprice", StatusCode::INVALID_ARGUMENT},
    {"EOrder:Ticksizecheckfailed", StatusCode::INVALID_ARGUMENT},
    {"EOrder:Orderminimumnotmet", StatusCode::INVALID_ARGUMENT},
    {"EOrder:Costminimumnotmet", StatusCode::INVALID_ARGUMENT},
    {"EOrder:Unknownorder", StatusCode::NOT_FOUND},
    {"EOrder:Insufficientfunds", StatusCode::FAILED_PRECONDITION},
    {"EOrder:Orderslimitexceeded", StatusCode::FAILED_PRECONDITION},
    {"EOrder:Margin", StatusCode::FAILED_PRECONDITION},
    {"EOrder:Reduceonly", StatusCode::FAILED_PRECONDITION},
    {"EOrder:Positionslimitexceeded", StatusCode::FAILED_PRECONDITION},
    {"EAPI:Invalidkey", StatusCode::PERMISSION_DENIED},
    {"EAPI:Invalidsignature", StatusCode::PERMISSION_DENIED},
    {"EGeneral:Permissiondenied", StatusCode::PERMISSION_DENIED},
    {"EGeneral:Temporarylockout", StatusCode::PERMISSION_DENIED},
    {"EAPI:Ratelimitexceeded", StatusCode::RESOURCE_EXHAUSTED},
    {"EOrder:Ratelimitexceeded", StatusCode::RESOURCE_EXHAUSTED},
    {"EService:Throttled", StatusCode::RESOURCE_EXHAUSTED},
    {"EGeneral:Toomanyrequests", StatusCode::RESOURCE_EXHAUSTED},
    {"EAuth:", StatusCode::RESOURCE_EXHAUSTED},
    {"EService:Marketincancel_onlymode", StatusCode::UNAVAILABLE},
    {"EService:Marketinpost_onlymode", StatusCode::UNAVAILABLE},
    {"EAPI:Invalidnonce", StatusCode::UNAVAILABLE},
};

std::string squeezed(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ') out.push_back(c);
  return out;
}

std::string_view errc_name(errc e) noexcept {
  switch (e) {
    case errc::ok: return "ok";
    case errc::invalid_argument: return "invalid_argument";
    case errc::parse_error: return "parse_error";
    case errc::overflow: return "overflow";
    case errc::precision_exceeded: return "precision_exceeded";
    case errc::not_found: return "not_found";
    case errc::timeout: return "timeout";
    case errc::connection_failed: return "connection_failed";
    case errc::connection_closed: return "connection_closed";
    case errc::tls_error: return "tls_error";
    case errc::protocol_error: return "protocol_error";
    case errc::message_too_big: return "message_too_big";
    case errc::queue_full: return "queue_full";
    case errc::rate_limited: return "rate_limited";
    case errc::exchange_error: return "exchange_error";
    case errc::unknown_outcome: return "unknown_outcome";
    case errc::cancelled: return "cancelled";
    case errc::not_supported: return "not_supported";
    case errc::internal: return "internal";
    case errc::blocked: return "kill_switch";  // the contract's name: the one policy that blocks today
  }
  return "internal";
}

struct Mapped {
  StatusCode code = StatusCode::INTERNAL;
  v1::ErrorClass classification = v1::ERROR_CLASS_REJECTED;
};

Mapped map_gateway(gateway_errc e) {
  switch (e) {
    case gateway_errc::no_api_key: return {StatusCode::FAILED_PRECONDITION, v1::ERROR_CLASS_REJECTED};
    case gateway_errc::cache_miss: return {StatusCode::UNAVAILABLE, v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED};
    case gateway_errc::not_streamed: return {StatusCode::FAILED_PRECONDITION, v1::ERROR_CLASS_REJECTED};
    case gateway_errc::not_subscribed: return {StatusCode::FAILED_PRECONDITION, v1::ERROR_CLASS_REJECTED};
    case gateway_errc::market_closed: return {StatusCode::UNAVAILABLE, v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED};
    case gateway_errc::unimplemented: return {StatusCode::UNIMPLEMENTED, v1::ERROR_CLASS_REJECTED};
    case gateway_errc::client_too_slow: return {StatusCode::RESOURCE_EXHAUSTED, v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED};
    case gateway_errc::shutting_down: return {StatusCode::UNAVAILABLE, v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED};
    case gateway_errc::dead_man_keeper: return {StatusCode::FAILED_PRECONDITION, v1::ERROR_CLASS_REJECTED};
  }
  return {};
}

v1::ErrorClass to_proto(ErrorClass c) {
  switch (c) {
    case ErrorClass::rejected: return v1::ERROR_CLASS_REJECTED;
    case ErrorClass::retryable_not_executed: return v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED;
    case ErrorClass::unknown_outcome: return v1::ERROR_CLASS_UNKNOWN_OUTCOME;
  }
  return v1::ERROR_CLASS_REJECTED;
}

Mapped map_kraken(const KrakenError& k, CallKind kind) {
  Mapped m;
  m.classification = to_proto(k.classification);
  bool matched = false;
  for (const auto& s : k.errors) {
    if (s.empty() || s.front() != 'E') continue;  // warnings
    const std::string e = squeezed(s);
    const auto rule = std::find_if(std::begin(kKrakenRules), std::end(kKrakenRules),
                                   [&](const KrakenRule& r) { return e.compare(0, r.prefix.size(), r.prefix) == 0; });
    if (rule != std::end(kKrakenRules)) {
      m.code = rule->code;
      matched = true;
      break;
    }
  }
  if (!matched) {
    switch (k.classification) {
      case ErrorClass::unknown_outcome:
        m.code = kind == CallKind::order_entry ? StatusCode::UNKNOWN : StatusCode::UNAVAILABLE;
        break;
      case ErrorClass::retryable_not_executed: m.code = StatusCode::UNAVAILABLE; break;
      case ErrorClass::rejected: m.code = StatusCode::FAILED_PRECONDITION; break;
    }
  }
  // A read has no effect at Kraken: whatever happened, asking again is safe.
  if (kind == CallKind::read && m.classification == v1::ERROR_CLASS_UNKNOWN_OUTCOME)
    m.classification = v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED;
  return m;
}

Mapped map_errc(errc e, CallKind kind) {
  const bool read = kind == CallKind::read;
  switch (e) {
    case errc::invalid_argument:
    case errc::overflow:
    case errc::precision_exceeded: return {StatusCode::INVALID_ARGUMENT, v1::ERROR_CLASS_REJECTED};
    case errc::not_found: return {StatusCode::NOT_FOUND, v1::ERROR_CLASS_REJECTED};
    case errc::connection_failed:
    case errc::connection_closed:
    case errc::tls_error:
    case errc::protocol_error: return {StatusCode::UNAVAILABLE, v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED};
    case errc::timeout:
    case errc::unknown_outcome:
      if (read) return {StatusCode::UNAVAILABLE, v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED};
      return {StatusCode::UNKNOWN, v1::ERROR_CLASS_UNKNOWN_OUTCOME};
    case errc::queue_full:
    case errc::rate_limited: return {StatusCode::RESOURCE_EXHAUSTED, v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED};
    case errc::cancelled: return {StatusCode::UNAVAILABLE, v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED};
    case errc::not_supported: return {StatusCode::UNIMPLEMENTED, v1::ERROR_CLASS_REJECTED};
    case errc::blocked: return {StatusCode::FAILED_PRECONDITION, v1::ERROR_CLASS_REJECTED};  // the kill switch
    case errc::parse_error:
    case errc::message_too_big:
      // An answer we could not read: for a read, retrying may help; an order may have gone in.
      if (read) return {StatusCode::INTERNAL, v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED};
      return {StatusCode::UNKNOWN, v1::ERROR_CLASS_UNKNOWN_OUTCOME};
    case errc::exchange_error:  // without Kraken's strings (should not happen): as rejected
      return {StatusCode::FAILED_PRECONDITION, v1::ERROR_CLASS_REJECTED};
    case errc::ok:
    case errc::internal: break;
  }
  return {StatusCode::INTERNAL, v1::ERROR_CLASS_UNSPECIFIED};
}

bool field_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '[' || c == ']';
}

// "pairs[1]: unknown pair 'NOPE'" -> "pairs[1]".
std::string field_of_detail(std::string_view detail) {
  const auto colon = detail.find(": ");
  if (colon == std::string_view::npos || colon == 0) return {};
  const std::string_view f = detail.substr(0, colon);
  return std::all_of(f.begin(), f.end(), field_char) ? std::string(f) : std::string();
}

// "EGeneral:Invalid arguments:volume" -> "volume".
std::string field_of_kraken(const KrakenError& k) {
  for (const auto& s : k.errors) {
    const std::string e = squeezed(s);
    constexpr std::string_view kPrefix = "EGeneral:Invalidarguments:";
    if (e.compare(0, kPrefix.size(), kPrefix) == 0) {
      const std::string_view rest = std::string_view(s).substr(s.rfind(':') + 1);
      if (!rest.empty() && std::all_of(rest.begin(), rest.end(), field_char)) return std::string(rest);
    }
  }
  return {};
}

}  // namespace

std::string invalid_field(const Error& error) {
  if (error.kraken && !error.kraken->errors.empty()) return field_of_kraken(*error.kraken);
  return field_of_detail(error.detail);
}

grpc::Status to_grpc_status(const Error& error, CallKind kind, std::string field) {
  v1::ErrorDetail detail;
  Mapped m;
  std::string message;
  const bool from_kraken = error.kraken && !error.kraken->errors.empty();
  if (error.code.category() == gateway_category()) {
    const auto g = static_cast<gateway_errc>(error.code.value());
    m = map_gateway(g);
    detail.set_gateway_code(std::string(name(g)));
    message = error.detail.empty() ? error.code.message() : error.detail;
  } else {
    const auto e = error.code.category() == kgw_category() ? static_cast<errc>(error.code.value()) : errc::internal;
    m = from_kraken ? map_kraken(*error.kraken, kind) : map_errc(e, kind);
    detail.set_gateway_code(std::string(errc_name(e)));
    if (from_kraken) {
      // Kraken's words, verbatim, as the seed's KrakenAPIError prints them.
      message = error.kraken->joined();
    } else {
      message = error.detail.empty() ? error.code.message() : error.detail;
    }
  }
  if (from_kraken) {
    for (const auto& s : error.kraken->errors) {
      if (!s.empty() && s.front() == 'W') detail.add_kraken_warnings(s);
      else detail.add_kraken_errors(s);
    }
    if (error.kraken->throttled_until_unix)
      detail.set_retry_after_time_ns(*error.kraken->throttled_until_unix * 1'000'000'000);
  }
  // The request field at fault: a bad one, or one the route cannot carry.
  if (m.code == StatusCode::INVALID_ARGUMENT || m.code == StatusCode::UNIMPLEMENTED) {
    if (field.empty()) field = invalid_field(error);
    detail.set_field(field);
  }
  detail.set_classification(m.classification);
  detail.set_message(message);
  // The orders to look up (an unknown outcome) or that the request used.
  for (const auto& id : error.cl_ord_ids) detail.add_cl_ord_ids(id);
  v1::RpcStatus status;
  status.set_code(static_cast<int>(m.code));
  status.set_message(message);
  status.add_details()->PackFrom(detail);
  return grpc::Status(m.code, message, status.SerializeAsString());
}

}  // namespace kgw::gateway
