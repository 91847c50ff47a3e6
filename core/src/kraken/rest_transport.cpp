#include "kgw/core/kraken/rest_transport.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include "kgw/core/kraken/json.hpp"
#include "kgw/core/kraken/signing.hpp"

namespace kgw::kraken {

namespace asio = boost::asio;

struct KrakenRestTransport::Waiter {
  explicit Waiter(asio::any_io_executor ex) : timer(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
};

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
    : opt_(std::move(options)), clock_(clock), http_(std::move(http)), nonces_(std::move(nonces)), governor_(opt_.governor, clock) {}

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
// it, so requests leave in nonce order. FIFO, so no caller is starved.
asio::awaitable<void> KrakenRestTransport::lock_key() {
  if (!key_busy_) {
    key_busy_ = true;
    co_return;
  }
  auto w = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  waiters_.push_back(w);
  co_await w->timer.async_wait(asio::as_tuple(asio::use_awaitable));  // woken by cancel()
}

void KrakenRestTransport::unlock_key() {
  if (waiters_.empty()) {
    key_busy_ = false;
    return;
  }
  auto next = waiters_.front();
  waiters_.pop_front();
  next->timer.cancel();  // ownership of the key passes to it
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

}  // namespace

asio::awaitable<result<std::string>> KrakenRestTransport::public_call(std::string method, std::string query) {
  ++stats_.calls;
  std::string target = "/0/public/" + method;
  if (!query.empty()) target += "?" + query;
  auto resp = co_await http_.get(std::move(target));
  if (!resp) co_return resp.error();
  if (resp->status != 200)
    co_return Error(errc::unknown_outcome, fmt::format("{}: HTTP {}", method, resp->status));
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
  std::string rest = json_object.size() == 2 ? std::string("}") : "," + json_object.substr(1);
  co_return co_await signed_call(std::move(method), std::move(rest), true, priority);
}

// `tail` follows the nonce: "&k=v..." for a form body, ",\"k\":v...}" (or "}") for a JSON body.
asio::awaitable<result<std::string>> KrakenRestTransport::signed_call(std::string method, std::string tail, bool json,
                                                                     Priority priority) {
  if (!opt_.credentials || !nonces_) co_return Error(errc::invalid_argument, fmt::format("{}: no API credentials configured", method));
  const std::string path = "/0/private/" + method;
  auto backoff = opt_.backoff;
  for (int attempt = 0;; ++attempt) {
    ++stats_.calls;
    auto permit = governor_.acquire_rest(method, priority, opt_.max_rate_wait);
    if (!permit) co_return permit.error();
    co_await sleep(permit->wait);

    co_await lock_key();
    auto nonce = nonces_->next();
    if (!nonce) {
      unlock_key();
      co_return nonce.error();
    }
    const std::string nonce_text = std::to_string(*nonce);
    net::HttpRequest req;
    req.method = net::HttpMethod::post;
    req.target = path;
    // Kraken's JSON schema has the nonce as an int64 number; the signature covers the same text.
    req.body = json ? "{\"nonce\":" + nonce_text + tail : "nonce=" + nonce_text + tail;
    req.content_type = json ? "application/json" : "application/x-www-form-urlencoded";
    auto sig = api_sign(opt_.credentials->api_secret, path, nonce_text, req.body);
    if (!sig) {
      unlock_key();
      co_return sig.error();
    }
    req.headers = {{"API-Key", std::string(opt_.credentials->api_key.reveal())}, {"API-Sign", std::move(*sig)}};
    auto resp = co_await http_.request(std::move(req));
    unlock_key();

    if (!resp) {
      if (resp.error().is(errc::unknown_outcome)) ++stats_.unknown_outcome;
      co_return resp.error();
    }
    if (resp->status != 200) {
      ++stats_.unknown_outcome;
      co_return Error(errc::unknown_outcome, fmt::format("{}: HTTP {}", method, resp->status));
    }
    auto out = unwrap(resp->body);
    if (out || !out.error().kraken) co_return out;
    const KrakenError k = *out.error().kraken;  // error() returns by value: copy, never reference
    if (k.classification == ErrorClass::unknown_outcome) {
      ++stats_.unknown_outcome;
      Error e(errc::unknown_outcome, method);
      e.kraken = k;
      co_return e;
    }
    if (k.classification != ErrorClass::retryable_not_executed || attempt >= opt_.max_retries) co_return out;
    // Not executed: safe to send again with a fresh nonce after a pause.
    for (const auto& s : k.errors) {
      if (s.find("Invalid nonce") != std::string::npos) ++stats_.invalid_nonce;
      if (s.find("Rate limit") != std::string::npos) {
        ++stats_.rate_limited;
        governor_.on_rest_rate_limited();
      }
    }
    ++stats_.retries;
    std::chrono::nanoseconds pause = backoff;
    if (k.throttled_until_unix) {
      const auto until = std::chrono::seconds(*k.throttled_until_unix) - clock_.wall_now().time_since_epoch();
      if (until > pause) pause = std::chrono::duration_cast<std::chrono::nanoseconds>(until);
    }
    co_await sleep(pause);
    backoff *= 2;
  }
}

}  // namespace kgw::kraken
