#include "kgw/oms/account_rest.hpp"

#include "kgw/core/kraken/rest_service.hpp"

namespace kgw::oms {

namespace asio = boost::asio;
using kraken::HistoryQuery;
using kraken::KrakenRestClient;
using kraken::OrderInfo;

// Each lambda returns the client's coroutine without being one itself: its arguments are copied
// into that coroutine's frame, so nothing dangles once the service drops the std::function.

asio::awaitable<result<std::vector<kraken::TradeInfo>>> ServiceAccountRest::trades_since(std::string start) {
  HistoryQuery q;
  q.start = std::move(start);
  const int pages = max_pages_;
  co_return co_await rest_.async_call<std::vector<kraken::TradeInfo>>(
      [q, pages](KrakenRestClient& c) { return c.all_trades_history(q, pages); });
}

asio::awaitable<result<std::vector<OrderInfo>>> ServiceAccountRest::open_orders() {
  auto page = co_await rest_.async_call<kraken::OrdersPage>([](KrakenRestClient& c) { return c.open_orders(); });
  if (!page) co_return page.error();
  co_return std::move(page->orders);
}

asio::awaitable<result<std::vector<OrderInfo>>> ServiceAccountRest::closed_since(std::string start) {
  HistoryQuery q;
  q.start = std::move(start);
  q.extra.emplace_back("closetime", "close");
  const int pages = max_pages_;
  co_return co_await rest_.async_call<std::vector<OrderInfo>>(
      [q, pages](KrakenRestClient& c) { return c.all_closed_orders(q, pages); });
}

asio::awaitable<result<std::vector<OrderInfo>>> ServiceAccountRest::query_orders(std::vector<std::string> txids) {
  auto page = co_await rest_.async_call<kraken::OrdersPage>(
      [txids](KrakenRestClient& c) { return c.query_orders(txids, false); });
  if (!page) co_return page.error();
  co_return std::move(page->orders);
}

asio::awaitable<result<std::vector<kraken::PositionInfo>>> ServiceAccountRest::open_positions() {
  co_return co_await rest_.async_call<std::vector<kraken::PositionInfo>>(
      [](KrakenRestClient& c) { return c.open_positions(true); });
}

}  // namespace kgw::oms
