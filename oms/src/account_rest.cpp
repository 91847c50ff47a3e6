#include "kgw/oms/account_rest.hpp"

#include "kgw/core/kraken/rest_service.hpp"

namespace kgw::oms {

namespace asio = boost::asio;
using kraken::HistoryQuery;
using kraken::KrakenRestClient;
using kraken::KrakenRestService;
using kraken::OrderInfo;

// Each call is a named KrakenRestService::Call, moved into async_call: GCC 12 destroys a
// temporary std::function made inside a co_await expression twice (a capturing lambda is on the
// heap: a double free). The lambdas return the client's coroutine without being one themselves,
// so their captures are copied into that coroutine's frame and nothing dangles.

asio::awaitable<result<std::vector<kraken::TradeInfo>>> ServiceAccountRest::trades_since(std::string start) {
  HistoryQuery q;
  q.start = std::move(start);
  KrakenRestService::Call<std::vector<kraken::TradeInfo>> call = [q, pages = max_pages_](KrakenRestClient& c) {
    return c.all_trades_history(q, pages);
  };
  co_return co_await rest_.async_call(std::move(call));
}

asio::awaitable<result<std::vector<OrderInfo>>> ServiceAccountRest::open_orders() {
  KrakenRestService::Call<kraken::OrdersPage> call = [](KrakenRestClient& c) { return c.open_orders(); };
  auto page = co_await rest_.async_call(std::move(call));
  if (!page) co_return page.error();
  co_return std::move(page->orders);
}

asio::awaitable<result<std::vector<OrderInfo>>> ServiceAccountRest::closed_since(std::string start) {
  HistoryQuery q;
  q.start = std::move(start);
  q.extra.emplace_back("closetime", "close");
  KrakenRestService::Call<std::vector<OrderInfo>> call = [q, pages = max_pages_](KrakenRestClient& c) {
    return c.all_closed_orders(q, pages);
  };
  co_return co_await rest_.async_call(std::move(call));
}

asio::awaitable<result<std::vector<OrderInfo>>> ServiceAccountRest::query_orders(std::vector<std::string> txids) {
  KrakenRestService::Call<kraken::OrdersPage> call = [txids](KrakenRestClient& c) { return c.query_orders(txids, false); };
  auto page = co_await rest_.async_call(std::move(call));
  if (!page) co_return page.error();
  co_return std::move(page->orders);
}

asio::awaitable<result<std::vector<kraken::PositionInfo>>> ServiceAccountRest::open_positions() {
  KrakenRestService::Call<std::vector<kraken::PositionInfo>> call = [](KrakenRestClient& c) { return c.open_positions(true); };
  co_return co_await rest_.async_call(std::move(call));
}

}  // namespace kgw::oms
