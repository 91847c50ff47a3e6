#pragma once
// Internal to core/src/net: deadline helpers for coroutines (Boost 1.81 has no cancel_after).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>

namespace kgw::net::detail {

using Clock = std::chrono::steady_clock;
namespace asio = boost::asio;
inline constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

// Waits until `deadline`, then calls `on_expire`. Raced with `||` against an I/O operation;
// on_expire closes the I/O object so that the operation ends even where it ignores the
// cancellation signal `||` sends to the loser (Beast's websocket handshake does).
template <class OnExpire>
asio::awaitable<void> expire_at(Clock::time_point deadline, OnExpire on_expire) {
  asio::steady_timer timer(co_await asio::this_coro::executor, deadline);
  auto [ec] = co_await timer.async_wait(kUseTuple);
  if (!ec) on_expire();
}

inline long long millis(Clock::duration d) noexcept {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

}  // namespace kgw::net::detail
