#pragma once
// KrakenRestTransport: the wire half of the Kraken REST client. Public calls are GETs; private
// calls are signed POSTs (API-Key, API-Sign over path + SHA-256(nonce + body)) whose nonces come
// from the key's NonceAuthority and which go out one at a time per key, so they reach Kraken in
// nonce order (no EAPI:Invalid nonce from reordering). The RateGovernor is asked first; calls
// that Kraken refused without executing (nonce, rate limit, throttled) are retried with backoff;
// an unknown outcome (timeout, non-200, EService:Busy/Unavailable, EGeneral:Internal error) is
// returned as errc::unknown_outcome and never resent here — the order manager reconciles.
// Owned by the REST client; use it from one executor (its io_context thread).
// Order entry (AddOrder, AddOrderBatch, EditOrder, AmendOrder) is never retried except after
// EAPI:Invalid nonce, and any failure after it was sent that is not a Kraken E... answer
// (unparsable 200, oversized body) is unknown_outcome.

#include <boost/asio/awaitable.hpp>

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/kraken/nonce.hpp"
#include "kgw/core/kraken/rate_governor.hpp"
#include "kgw/core/net/http_client.hpp"
#include "kgw/core/secret.hpp"

namespace kgw::kraken {

// The one place a key's credentials live in the daemon; both are Secrets (never logged, wiped
// when the transport dies).
struct RestCredentials {
  Secret api_key;
  Secret api_secret;  // base64
};

struct RestTransportOptions {
  net::HttpClientOptions http;               // base_url: https://api.kraken.com or the simulator
  std::optional<RestCredentials> credentials;  // none: public calls only
  std::string nonce_state_file;              // empty: no persistence
  GovernorOptions governor;
  std::chrono::nanoseconds max_rate_wait{std::chrono::seconds(5)};  // then rate_limited
  int max_retries = 3;                        // for retryable-not-executed answers
  std::chrono::milliseconds backoff{250};     // doubled per retry
  // A retry Kraken asks to postpone longer than this (EService: Throttled: <ts>) is not made;
  // the answer goes back to the caller instead.
  std::chrono::milliseconds max_retry_pause{5'000};
};

class KrakenRestTransport {
 public:
  static result<std::unique_ptr<KrakenRestTransport>> create(RestTransportOptions options, const Clock& clock);
  ~KrakenRestTransport();

  // GET /0/public/<method>?<query>; returns the `result` JSON text. Kraken's error[] strings
  // come back in Error::kraken.
  boost::asio::awaitable<result<std::string>> public_call(std::string method, std::string query = {});
  // POST /0/private/<method> with form-encoded `params` (nonce added and signed here).
  boost::asio::awaitable<result<std::string>> private_call(std::string method,
                                                           std::vector<std::pair<std::string, std::string>> params,
                                                           Priority priority = Priority::query);
  // POST with an application/json body: `json_object` is a JSON object ("{...}") without the
  // nonce, which is added as its first member (Kraken's batch calls carry arrays this way).
  boost::asio::awaitable<result<std::string>> private_call_json(std::string method, std::string json_object,
                                                                Priority priority = Priority::query);

  RateGovernor& governor() noexcept { return governor_; }
  // Waits on the transport's executor (for callers that were told to wait by the governor).
  boost::asio::awaitable<void> sleep_for(std::chrono::nanoseconds d) { return sleep(d); }
  // Written on the transport's executor, readable from any thread (metrics).
  struct Stats {
    std::atomic<std::uint64_t> calls{0}, retries{0}, invalid_nonce{0}, rate_limited{0}, unknown_outcome{0};
  };
  const Stats& stats() const noexcept { return stats_; }

  // application/x-www-form-urlencoded escaping (RFC 3986 unreserved kept).
  static std::string form_escape(std::string_view s);

 private:
  KrakenRestTransport(RestTransportOptions options, const Clock& clock, net::HttpClient http,
                      std::unique_ptr<NonceAuthority> nonces);
  boost::asio::awaitable<result<std::string>> signed_call(std::string method, std::string tail, bool json,
                                                         Priority priority);
  // The per-key lock: one private call in flight, waiters served by priority (cancels first),
  // FIFO within a priority. Shared with its holders' guards, so a coroutine frame destroyed
  // after the transport (io_context teardown) can still release it safely.
  struct KeyLock;
  class KeyGuard;
  boost::asio::awaitable<KeyGuard> lock_key(Priority priority);
  boost::asio::awaitable<void> sleep(std::chrono::nanoseconds d);

  RestTransportOptions opt_;
  const Clock& clock_;
  net::HttpClient http_;
  std::unique_ptr<NonceAuthority> nonces_;
  RateGovernor governor_;
  Stats stats_;
  std::shared_ptr<KeyLock> key_;
};

// Order entry: never resent by the transport once it may have reached Kraken, and only an
// `EAPI:Invalid nonce` answer (rejected before anything was looked at) is retried.
bool is_order_entry(std::string_view method) noexcept;

}  // namespace kgw::kraken
