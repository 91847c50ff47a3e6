#include "kgw/core/net/ws_session.hpp"

#include "kgw/core/net/tls.hpp"
#include "ws_core.hpp"

#include <boost/asio/dispatch.hpp>

namespace kgw::net {

WsSession::WsSession(std::shared_ptr<detail::WsSessionCore> core) noexcept : core_(std::move(core)) {}
WsSession::WsSession(WsSession&&) noexcept = default;

WsSession& WsSession::operator=(WsSession&& other) noexcept {
  if (this != &other) {
    WsSession dropped(std::move(*this));
    core_ = std::move(other.core_);
  }
  return *this;
}

WsSession::~WsSession() {
  if (!core_) return;
  // Runs inline when destroyed on the session's executor (the documented case); otherwise the
  // abort is queued there, so the socket is never touched from a foreign thread.
  auto ex = core_->executor();  // before core_ is moved into the lambda
  boost::asio::dispatch(ex, [core = std::move(core_)] { core->abort(); });
}

boost::asio::awaitable<result<WsMessage>> WsSession::read() {
  if (!core_) co_return fail(errc::internal, "read() on a moved-from WsSession");
  auto core = core_;  // keeps the buffer the returned view points into alive during the read
  co_return co_await core->read();
}

result<void> WsSession::send(std::string_view payload, WsFrame kind) {
  if (!core_) return fail(errc::internal, "send() on a moved-from WsSession");
  return core_->send(payload, kind);
}

boost::asio::awaitable<result<void>> WsSession::close() {
  if (!core_) co_return result<void>{};
  auto core = core_;
  co_return co_await core->close();
}

bool WsSession::is_open() const noexcept { return core_ && core_->is_open(); }
std::size_t WsSession::queued() const noexcept { return core_ ? core_->queued() : 0; }
WsCounters WsSession::counters() const noexcept { return core_ ? core_->counters() : WsCounters{}; }

const Url& WsSession::url() const noexcept {
  static const Url kEmpty{};
  return core_ ? core_->url() : kEmpty;
}

boost::asio::awaitable<result<WsSession>> connect_ws(std::string_view url_text, WsOptions options) {
  auto url = parse_url(url_text, UrlUse::websocket);
  if (!url) co_return url.error();
  if (options.max_message_bytes == 0) co_return fail(errc::invalid_argument, "WsOptions.max_message_bytes is 0");
  if (url->tls()) {
    if (!options.tls) {
      auto ctx = make_client_tls_context();
      if (!ctx) co_return ctx.error();
      options.tls = std::move(*ctx);
    }
    co_return co_await detail::connect_ws_tls(std::move(*url), std::move(options));
  }
  co_return co_await detail::connect_ws_plain(std::move(*url), std::move(options));
}

}  // namespace kgw::net
