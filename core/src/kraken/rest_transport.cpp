#include "kgw/core/kraken/rest_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <simdjson.h>

#include "kgw/core/kraken/json.hpp"
#include "kgw/core/kraken/signing.hpp"

namespace kgw::kraken {

namespace asio = boost::asio;

struct KrakenRestTransport::KeyLock {
  struct Waiter {
    explicit Waiter(asio::any_io_executor ex, Priority p) : timer(ex, asio::steady_timer::time_point::max()), priority(p) {}
    asio::steady_timer timer;
    Priority priority;
    bool granted = false;  // set by release() before it wakes the waiter
  };
  bool busy = false;
  std::deque<std::shared_ptr<Waiter>> waiters;

  // Hands the key to the next waiter (by priority, then arrival), or frees it.
  void release() {
    if (waiters.empty()) {
      busy = false;
      return;
    }
    auto next = waiters.front();
    waiters.pop_front();
    next->granted = true;
    next->timer.cancel();
  }
  void enqueue(const std::shared_ptr<Waiter>& w) {
    auto it = waiters.begin();
    while (it != waiters.end() && (*it)->priority <= w->priority) ++it;
    waiters.insert(it, w);
  }
  void forget(const std::shared_ptr<Waiter>& w) {
    waiters.erase(std::remove(waiters.begin(), waiters.end(), w), waiters.end());
  }
};

// Releases the key when the call ends, however it ends (return, exception, frame destroyed).
class KrakenRestTransport::KeyGuard {
 public:
  KeyGuard() = default;
  explicit KeyGuard(std::shared_ptr<KeyLock> lock) : lock_(std::move(lock)) {}
  KeyGuard(KeyGuard&& o) noexcept : lock_(std::move(o.lock_)) {}
  KeyGuard& operator=(KeyGuard&& o) noexcept {
    release();
    lock_ = std::move(o.lock_);
    return *this;
  }
  ~KeyGuard() { release(); }
  void release() noexcept {
    if (auto l = std::move(lock_)) l->release();
  }

 private:
  std::shared_ptr<KeyLock> lock_;
};

bool is_order_entry(std::string_view method) noexcept {
  return method == "AddOrder" || method == "AddOrderBatch" || method == "EditOrder" || method == "AmendOrder";
}

result<std::unique_ptr<KrakenRestTransport>> KrakenRestTransport::create(RestTransportOptions options, const Clock& clock) {
  auto http = net::HttpClient::create(options.http);
  if (!http) return http.error();
  std::unique_ptr<NonceAuthority> nonces;
  if (options.credentials) {
    auto n = NonceAuthority::open(options.nonce_state_file, clock);
    if (!n) return n.error();
    nonces = std::move(*n);
  }
  return std::unique_ptr<KrakenRestTransport>(
      new KrakenRestTransport(std::move(options), clock, std::move(*http), std::move(nonces)));
}

KrakenRestTransport::KrakenRestTransport(RestTransportOptions options, const Clock& clock, net::HttpClient http,
                                         std::unique_ptr<NonceAuthority> nonces)
    : opt_(std::move(options)),
      clock_(clock),
      http_(std::move(http)),
      nonces_(std::move(nonces)),
      governor_(opt_.governor, clock),
      key_(std::make_shared<KeyLock>()) {}

KrakenRestTransport::~KrakenRestTransport() = default;

std::string KrakenRestTransport::form_escape(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

asio::awaitable<void> KrakenRestTransport::sleep(std::chrono::nanoseconds d) {
  if (d.count() <= 0) co_return;
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

// One private call in flight per key: the nonce is taken and the request written while holding
// it, so requests leave in nonce order. Waiters are served by priority (a cancel does not wait
// behind queued history queries), FIFO within one.
asio::awaitable<KrakenRestTransport::KeyGuard> KrakenRestTransport::lock_key(Priority priority) {
  auto lock = key_;
  if (!lock->busy) {
    lock->busy = true;
    co_return KeyGuard(lock);
  }
  auto w = std::make_shared<KeyLock::Waiter>(co_await asio::this_coro::executor, priority);
  lock->enqueue(w);
  // If this frame goes away while queued (cancelled, destroyed), it leaves the queue, and if
  // the key was granted meanwhile it passes it on.
  struct Leave {
    std::shared_ptr<KeyLock> lock;
    std::shared_ptr<KeyLock::Waiter> w;
    bool armed = true;
    ~Leave() {
      if (!armed) return;
      if (w->granted) lock->release();
      else lock->forget(w);
    }
  } leave{lock, w};
  co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));  // woken by release()
  if (!w->granted)  // the wait was cancelled from outside: this call is abandoned
    throw boost::system::system_error(asio::error::operation_aborted, "waiting for the API key");
  leave.armed = false;
  co_return KeyGuard(lock);
}

namespace {

// Copies the result text out of the response and classifies error[].
result<std::string> unwrap(const std::string& body) {
  simdjson::padded_string padded(body);
  simdjson::ondemand::parser parser;
  auto r = unwrap_envelope(parser, padded, nullptr);
  if (!r) return r.error();
  return std::string(*r);
}

// A non-200 answer to a call that changes nothing (a public read, a private query): Kraken's API
// answers errors with 200, so the request stopped at the edge (PROTOCOL.md §1.2). 5xx and 429 are
// passing (connection_failed: try again later); any other status will not change on a retry.
Error http_status_error(std::string_view method, unsigned status) {
  if (status >= 500 || status == 429)
    return Error(errc::connection_failed, fmt::format("{}: HTTP {} from Kraken's edge; the API was not reached", method, status));
  return Error(errc::protocol_error, fmt::format("{}: HTTP {}", method, status));
}

}  // namespace

asio::awaitable<result<std::string>> KrakenRestTransport::public_call(std::string method, std::string query) {
  ++stats_.calls;
  std::string target = "/0/public/" + method;
  if (!query.empty()) target += "?" + query;
  auto resp = co_await http_.get(std::move(target));
  if (!resp) co_return resp.error();
  if (resp->status != 200) co_return http_status_error(method, resp->status);
  co_return unwrap(resp->body);
}

asio::awaitable<result<std::string>> KrakenRestTransport::private_call(std::string method,
                                                                      std::vector<std::pair<std::string, std::string>> params,
                                                                      Priority priority) {
  std::string form;
  for (const auto& [k, v] : params) form += "&" + form_escape(k) + "=" + form_escape(v);
  co_return co_await signed_call(std::move(method), std::move(form), false, priority);
}

asio::awaitable<result<std::string>> KrakenRestTransport::private_call_json(std::string method, std::string json_object,
                                                                           Priority priority) {
  if (json_object.size() < 2 || json_object.front() != '{' || json_object.back() != '}')
    co_return Error(errc::invalid_argument, fmt::format("{}: the JSON body must be an object", method));
  // Everything after the opening brace; the nonce goes first.
  const auto first = json_object.find_first_not_of(" \t\r\n", 1);
  std::string rest = json_object[first] == '}' ? std::string("}") : "," + json_object.substr(1);
  co_return co_await signed_call(std::move(method), std::move(rest), true, priority);
}

// `tail` follows the nonce: "&k=v..." for a form body, ",\"k\":v...}" (or "}") for a JSON body.
asio::awaitable<result<std::string>> KrakenRestTransport::signed_call(std::string method, std::string tail, bool json,
                                                                     Priority priority) {
  if (!opt_.credentials || !nonces_) co_return Error(errc::invalid_argument, fmt::format("{}: no API credentials configured", method));
  const std::string path = "/0/private/" + method;
  const bool order_entry = is_order_entry(method);
  auto backoff = opt_.backoff;
  for (int attempt = 0;; ++attempt) {
    ++stats_.calls;
    auto permit = governor_.acquire_rest(method, priority, opt_.max_rate_wait);
    if (!permit) co_return permit.error();
    co_await sleep(permit->wait);

    KeyGuard key = co_await lock_key(priority);
    auto nonce = nonces_->next();
    if (!nonce) co_return nonce.error();
    const std::string nonce_text = std::to_string(*nonce);
    net::HttpRequest req;
    req.method = net::HttpMethod::post;
    req.target = path;
    // Kraken's JSON schema has the nonce as an int64 number; the signature covers the same text.
    req.body = json ? "{\"nonce\":" + nonce_text + tail : "nonce=" + nonce_text + tail;
    req.content_type = json ? "application/json" : "application/x-www-form-urlencoded";
    auto sig = api_sign(opt_.credentials->api_secret, path, nonce_text, req.body);
    if (!sig) co_return sig.error();
    req.headers = {{"API-Key", std::string(opt_.credentials->api_key.reveal())}, {"API-Sign", std::move(*sig)}};
    auto resp = co_await http_.request(std::move(req));
    key.release();

    if (!resp) {
      // An oversized answer to order entry: it reached Kraken and may have executed.
      if (order_entry && resp.error().is(errc::message_too_big)) {
        ++stats_.unknown_outcome;
        co_return Error(errc::unknown_outcome, fmt::format("{}: {}", method, resp.error().message()));
      }
      if (resp.error().is(errc::unknown_outcome)) ++stats_.unknown_outcome;
      co_return resp.error();
    }
    if (resp->status != 200) {
      if (!order_entry) co_return http_status_error(method, resp->status);
      ++stats_.unknown_outcome;
      co_return Error(errc::unknown_outcome, fmt::format("{}: HTTP {}", method, resp->status));
    }
    auto out = unwrap(resp->body);
    if (out) co_return out;
    if (!out.error().kraken) {
      // A 200 that does not parse: for order entry the request was processed somehow.
      if (!order_entry) co_return out;
      ++stats_.unknown_outcome;
      co_return Error(errc::unknown_outcome, fmt::format("{}: unreadable answer ({})", method, out.error().message()));
    }
    const KrakenError k = *out.error().kraken;  // error() returns by value: copy, never reference
    if (k.classification == ErrorClass::unknown_outcome) {
      ++stats_.unknown_outcome;
      Error e(errc::unknown_outcome, method);
      e.kraken = k;
      co_return e;
    }
    bool invalid_nonce = false;
    for (const auto& s : k.errors) {
      if (s.find("Invalid nonce") != std::string::npos) {
        ++stats_.invalid_nonce;
        invalid_nonce = true;
      }
      if (s.find("Rate limit") != std::string::npos) {
        ++stats_.rate_limited;
        if (s.rfind("EAPI:", 0) == 0) governor_.on_rest_rate_limited();
      }
    }
    if (k.classification != ErrorClass::retryable_not_executed || attempt >= opt_.max_retries) co_return out;
    // Order entry is not resent after a pause: by then the order manager (or a kill switch) may
    // have moved on, and the price it was meant for is gone. Only a nonce rejection, which
    // Kraken answers before looking at the order, is resent, at once.
    if (order_entry && !invalid_nonce) co_return out;
    ++stats_.retries;
    if (order_entry) continue;
    // Not executed: safe to send again with a fresh nonce after a pause, within reason.
    std::chrono::nanoseconds pause = backoff;
    if (k.throttled_until_unix) {
      const auto until = std::chrono::seconds(*k.throttled_until_unix) - clock_.wall_now().time_since_epoch();
      if (until > pause) pause = std::chrono::duration_cast<std::chrono::nanoseconds>(until);
    }
    if (pause > opt_.max_retry_pause) co_return out;  // Kraken asks for longer than the caller would wait
    co_await sleep(pause);
    backoff *= 2;
  }
}

}  // namespace kgw::kraken
