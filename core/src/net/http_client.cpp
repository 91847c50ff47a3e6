// The connection pool of kgw::net::HttpClient. No Beast stream templates here: connections are
// made by http_plain.cpp / http_tls.cpp.
#include "kgw/core/net/http_client.hpp"

#include "http_connection.hpp"
#include "kgw/core/net/tls.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <deque>

namespace kgw::net {

using detail::Clock;
using detail::HttpConnection;
using detail::kUseTuple;
namespace asio = boost::asio;

namespace {

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

bool has_line_break(std::string_view s) noexcept { return s.find_first_of("\r\n") != std::string_view::npos; }

// Header and target text must not be able to start a new header line (request smuggling). The
// error names the header but never echoes its value: it may be API-Sign.
result<void> validate(const HttpRequest& r) {
  if (r.target.empty() || r.target.front() != '/' || has_line_break(r.target) ||
      r.target.find(' ') != std::string::npos)
    return fail(errc::invalid_argument, "HTTP request target must start with '/' and contain no blank or line break");
  for (const auto& h : r.headers) {
    if (h.name.empty() || has_line_break(h.name) || h.name.find(':') != std::string::npos ||
        h.name.find(' ') != std::string::npos)
      return fail(errc::invalid_argument, "HTTP header name is empty or has a ':', blank or line break");
    if (has_line_break(h.value))
      return fail(errc::invalid_argument, "HTTP header '" + h.name + "' has a line break in its value");
  }
  if (has_line_break(r.content_type)) return fail(errc::invalid_argument, "HTTP content type has a line break");
  return {};
}

}  // namespace

std::string_view HttpResponse::header(std::string_view name) const noexcept {
  for (const auto& h : headers)
    if (iequals(h.name, name)) return h.value;
  return {};
}

struct HttpClient::Impl : std::enable_shared_from_this<Impl> {
  // A request waiting for a connection. release() hands it one directly (or the right to open
  // one) and wakes it, so a newcomer cannot overtake it.
  struct Waiter {
    Waiter(Impl& owner, const asio::any_io_executor& ex, Clock::time_point deadline)
        : impl(owner), timer(ex, deadline) {
      impl.waiters.push_back(this);
    }
    Waiter(const Waiter&) = delete;
    Waiter& operator=(const Waiter&) = delete;
    // Also runs when the waiting coroutine is destroyed (io_context shutdown): whatever was
    // handed over goes back so the pool's count stays right.
    ~Waiter() {
      std::erase(impl.waiters, this);
      if (conn) impl.discard(std::move(conn));
      else if (slot) impl.free_slot();
    }
    Impl& impl;
    asio::steady_timer timer;
    std::unique_ptr<HttpConnection> conn;
    bool slot = false;  // may open a new connection: already counted in `open`
  };

  // A connection checked out of the pool; gives it back (or its slot) whatever happens.
  class Lease {
   public:
    Lease(std::shared_ptr<Impl> impl, std::unique_ptr<HttpConnection> conn, bool reused)
        : impl_(std::move(impl)), conn_(std::move(conn)), reused_(reused) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (impl_ && conn_) impl_->discard(std::move(conn_));
    }
    HttpConnection& conn() { return *conn_; }
    bool reused() const { return reused_; }
    void give_back(bool reusable) {
      if (reusable) impl_->release(std::move(conn_));
      else impl_->discard(std::move(conn_));
    }

   private:
    std::shared_ptr<Impl> impl_;
    std::unique_ptr<HttpConnection> conn_;
    bool reused_;
  };

  HttpClientOptions options;
  Url origin;
  std::optional<Url> proxy;
  std::string host_header;
  std::vector<std::unique_ptr<HttpConnection>> idle;  // most recently used at the back
  std::deque<Waiter*> waiters;
  std::size_t open = 0;
  std::uint64_t opened_total = 0;
  std::uint64_t requests_total = 0;

  asio::awaitable<result<HttpResponse>> request(HttpRequest req) {
    auto self = shared_from_this();
    if (auto ok = validate(req); !ok) co_return ok.error();
    ++requests_total;
    const auto timeout = req.timeout.count() > 0 ? req.timeout : options.request_timeout;
    const auto deadline = Clock::now() + timeout;
    const detail::HttpRequestContext ctx{origin, host_header, options.user_agent, options.max_body_bytes};
    // A reused connection can fail before any byte left (the server closed it just now): that is
    // safe to retry on another connection. Bounded: each retry consumes one pooled connection.
    for (std::size_t attempt = 0;; ++attempt) {
      auto lease = co_await acquire(deadline, timeout);
      if (!lease) co_return lease.error();
      auto ex = co_await lease->conn().exchange(req, ctx, deadline);
      lease->give_back(ex.reusable);
      if (!ex.response && !ex.sent && lease->reused() && attempt < options.max_connections) continue;
      co_return std::move(ex.response);
    }
  }

  asio::awaitable<result<Lease>> acquire(Clock::time_point deadline, std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    for (;;) {
      while (!idle.empty()) {
        auto conn = std::move(idle.back());
        idle.pop_back();
        const bool fresh_enough = Clock::now() - conn->idle_since < options.idle_timeout;
        if (fresh_enough && conn->usable_when_idle()) co_return Lease(self, std::move(conn), true);
        conn->close();  // closed by the server or idle too long: never send on it
        --open;
      }
      if (open < options.max_connections) {
        ++open;
        co_return co_await open_connection(deadline);
      }
      Waiter waiter(*this, co_await asio::this_coro::executor, deadline);
      co_await waiter.timer.async_wait(kUseTuple);
      if (waiter.conn) co_return Lease(self, std::move(waiter.conn), true);
      if (waiter.slot) {
        waiter.slot = false;
        co_return co_await open_connection(deadline);
      }
      if (Clock::now() >= deadline)
        co_return fail(errc::timeout, "no connection to " + origin.to_string() + " became free within " +
                                          std::to_string(timeout.count()) + " ms (" +
                                          std::to_string(options.max_connections) + " busy); nothing was sent");
    }
  }

  // Uses a slot already counted in `open`.
  asio::awaitable<result<Lease>> open_connection(Clock::time_point deadline) {
    auto self = shared_from_this();
    const detail::HttpConnectParams params{origin, proxy, options.tls, options.user_agent,
                                           std::min(deadline, Clock::now() + options.connect_timeout)};
    // if/else, not ?: — GCC 12 miscompiles co_await inside a conditional expression.
    result<std::unique_ptr<HttpConnection>> conn = fail(errc::internal, "not connected");
    if (origin.tls()) conn = co_await detail::connect_http_tls(params);
    else conn = co_await detail::connect_http_plain(params);
    if (!conn) {
      free_slot();
      co_return conn.error();
    }
    ++opened_total;
    co_return Lease(self, std::move(*conn), false);
  }

  void release(std::unique_ptr<HttpConnection> conn) {
    conn->idle_since = Clock::now();
    if (!waiters.empty()) {
      Waiter* w = waiters.front();
      waiters.pop_front();
      w->conn = std::move(conn);
      w->timer.cancel();
      return;
    }
    idle.push_back(std::move(conn));
  }

  void discard(std::unique_ptr<HttpConnection> conn) {
    conn->close();
    conn.reset();
    free_slot();
  }

  void free_slot() {
    if (!waiters.empty()) {  // the slot passes to the first waiter; `open` stays the same
      Waiter* w = waiters.front();
      waiters.pop_front();
      w->slot = true;
      w->timer.cancel();
      return;
    }
    --open;
  }

  void close_idle() noexcept {
    for (auto& c : idle) c->close();
    open -= idle.size();
    idle.clear();
  }
};

HttpClient::HttpClient(std::shared_ptr<Impl> impl) noexcept : impl_(std::move(impl)) {}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&& other) noexcept {
  if (this != &other) {
    if (impl_) impl_->close_idle();
    impl_ = std::move(other.impl_);
  }
  return *this;
}
HttpClient::~HttpClient() {
  if (impl_) impl_->close_idle();
}

result<HttpClient> HttpClient::create(HttpClientOptions options) {
  auto origin = parse_url(options.base_url);
  if (!origin) return origin.error();
  if (origin->websocket()) return fail(errc::invalid_argument, "HttpClientOptions.base_url must be http:// or https://");
  if (origin->target != "/")
    return fail(errc::invalid_argument, "HttpClientOptions.base_url must be an origin without a path");
  if (options.max_connections == 0) return fail(errc::invalid_argument, "HttpClientOptions.max_connections is 0");
  auto impl = std::make_shared<Impl>();
  if (!options.proxy.empty()) {
    auto proxy = parse_url(options.proxy);
    if (!proxy) return proxy.error();
    if (proxy->scheme != Scheme::http || proxy->target != "/")
      return fail(errc::invalid_argument, "HttpClientOptions.proxy must look like http://host:port");
    impl->proxy = std::move(*proxy);
  }
  if (origin->tls() && !options.tls) {
    auto ctx = make_client_tls_context();
    if (!ctx) return ctx.error();
    options.tls = std::move(*ctx);
  }
  impl->host_header = origin->host_header();
  impl->origin = std::move(*origin);
  impl->options = std::move(options);
  return HttpClient(std::move(impl));
}

asio::awaitable<result<HttpResponse>> HttpClient::request(HttpRequest request) {
  auto impl = impl_;
  if (!impl) co_return fail(errc::internal, "request() on a moved-from HttpClient");
  co_return co_await impl->request(std::move(request));
}

asio::awaitable<result<HttpResponse>> HttpClient::get(std::string target) {
  HttpRequest r;
  r.target = std::move(target);
  co_return co_await request(std::move(r));
}

asio::awaitable<result<HttpResponse>> HttpClient::post(std::string target, std::string body,
                                                       std::string content_type) {
  HttpRequest r;
  r.method = HttpMethod::post;
  r.target = std::move(target);
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  co_return co_await request(std::move(r));
}

void HttpClient::close_idle() noexcept {
  if (impl_) impl_->close_idle();
}

HttpClientStats HttpClient::stats() const noexcept {
  HttpClientStats s;
  if (!impl_) return s;
  s.open = impl_->open;
  s.idle = impl_->idle.size();
  s.waiting = impl_->waiters.size();
  s.connections_opened = impl_->opened_total;
  s.requests = impl_->requests_total;
  return s;
}

const Url& HttpClient::origin() const noexcept {
  static const Url kEmpty{};
  return impl_ ? impl_->origin : kEmpty;
}

}  // namespace kgw::net
