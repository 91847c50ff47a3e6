// core's typed Kraken REST client against kraken-sim on loopback.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "kgw/core/kraken/rest_client.hpp"
#include "kgw/sim/default_market.hpp"
#include "kgw/sim/simulator.hpp"
#include "kgw_sim_rest.hpp"

namespace kgw::sim {
namespace {

namespace asio = boost::asio;
using kraken::OrderRequest;
using kraken::OrderType;
using kraken::Side;

// One io_context for the whole suite: it must outlive every transport, whose destructor closes
// the pooled keep-alive sockets registered with it.
asio::io_context& suite_io() {
  static asio::io_context io;
  return io;
}

template <class T>
T run(asio::awaitable<T> aw) {
  asio::io_context& io = suite_io();
  io.restart();
  auto fut = asio::co_spawn(io, std::move(aw), asio::use_future);
  io.run();
  return fut.get();
}

OrderRequest limit(Side side, const char* vol, const char* px) {
  OrderRequest p;
  p.pair = "XBTUSD";
  p.side = side;
  p.type = OrderType::limit;
  p.volume = vol;
  p.price = px;
  return p;
}

class RestClientE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    SimulatorOptions o;
    o.synthetic_flow = false;
    o.tier = kraken::Tier::pro;
    sim_ = std::make_unique<Simulator>(o);
    auto ep = sim_->start();
    ASSERT_TRUE(ep) << ep.error().message();
    endpoints_ = *ep;
    transport_ = kraken::KrakenRestTransport::create(sim_rest_options(*ep), SystemClock::instance()).value();
    client_ = std::make_unique<kraken::KrakenRestClient>(*transport_);
  }
  void TearDown() override { sim_->stop(); }

  std::unique_ptr<Simulator> sim_;
  SimulatorEndpoints endpoints_;
  std::unique_ptr<kraken::KrakenRestTransport> transport_;
  std::unique_ptr<kraken::KrakenRestClient> client_;
};

asio::awaitable<std::string> place_and_query(kraken::KrakenRestClient& c) {
  OrderRequest p;
  p.pair = "XBTUSD";
  p.side = Side::buy;
  p.type = OrderType::limit;
  p.volume = "0.01";
  p.price = "40000.0";
  p.cl_ord_id = "client-1";
  p.close = kraken::CloseOrder{OrderType::stop_loss, "35000.0", {}};
  auto added = co_await c.add_order(p);
  if (!added) co_return "add: " + added.error().message();
  if (added->txid.size() != 1) co_return "add: no txid";
  if (added->descr_close != "close position @ stop loss 35000.0") co_return "close descr: " + added->descr_close;
  auto open = co_await c.open_orders();
  if (!open || open->orders.size() != 1 || *open->orders[0].cl_ord_id != "client-1") co_return "open orders";
  kraken::CancelRequest by_cl;  // named: GCC 12 rejects braced lists in co_await
  by_cl.cl_ord_ids = {"client-1"};
  auto cancelled = co_await c.cancel_order(by_cl);
  if (!cancelled || cancelled->count != 1) co_return "cancel by cl_ord_id";
  auto again = co_await c.cancel_order(by_cl);
  if (again || !again.error().kraken || again.error().kraken->joined() != "EOrder:Invalid order") co_return "second cancel";
  auto dm = co_await c.cancel_all_orders_after(60);
  if (!dm || dm->trigger_time.empty()) co_return "dead man";
  auto tb = co_await c.trade_balance();
  if (!tb) co_return "trade balance";
  std::vector<std::string> pairs{"XBTUSD", "ETHUSD"};  // named: GCC 12 rejects braced lists in co_await
  auto tk = co_await c.ticker(std::move(pairs));
  if (!tk || tk->size() != 2) co_return "ticker";
  co_return "";
}

TEST_F(RestClientE2E, PlacesQueriesAndCancelsWithTypedResults) { EXPECT_EQ(run(place_and_query(*client_)), ""); }

asio::awaitable<std::pair<std::size_t, std::string>> batch_and_pages(kraken::KrakenRestClient& c) {
  std::vector<OrderRequest> batch;
  for (int i = 0; i < 15; ++i) batch.push_back(limit(Side::buy, "0.001", "30000.0"));
  // 8 batches of 15 resting orders, then cancel-all: 120 closed orders to page through.
  for (int b = 0; b < 8; ++b) {
    auto r = co_await c.add_order_batch("XBTUSD", batch);
    if (!r) co_return std::pair{std::size_t{0}, "batch: " + r.error().message()};
    for (const auto& one : *r)
      if (!one.txid) co_return std::pair{std::size_t{0}, "batch entry failed: " + one.error.value_or("")};
  }
  // Two by batch cancel (one by id, one by cl_ord_id), the rest by cancel-all.
  auto open = co_await c.open_orders();
  if (!open || open->orders.size() != 120) co_return std::pair{std::size_t{0}, "open orders"};
  kraken::CancelRequest two;
  two.txids = {open->orders[0].txid, open->orders[1].txid};
  auto some = co_await c.cancel_order_batch(std::move(two));
  if (!some || some->count != 2) co_return std::pair{std::size_t{0}, "cancel batch: " + (some ? std::to_string(some->count) : some.error().message())};
  auto all = co_await c.cancel_all();
  if (!all || all->count != 118) co_return std::pair{std::size_t{0}, "cancel all"};
  kraken::HistoryQuery q;
  // One page of 50 is not the whole list: an error, not a silently partial answer.
  auto partial = co_await c.all_closed_orders(q, 1);
  if (partial || !partial.error().is(errc::overflow)) co_return std::pair{std::size_t{0}, "one page passed for all"};
  auto closed = co_await c.all_closed_orders(q);
  if (!closed) co_return std::pair{std::size_t{0}, "pages: " + closed.error().message()};
  co_return std::pair{closed->size(), std::string()};
}

TEST_F(RestClientE2E, BatchesAndPagesThroughClosedOrders) {
  auto [n, err] = run(batch_and_pages(*client_));
  EXPECT_EQ(err, "");
  EXPECT_EQ(n, 120u);  // three pages of 50, 50, 20, deduplicated
}

asio::awaitable<std::string> amend_edit_and_batch_cancel(kraken::KrakenRestClient& c) {
  OrderRequest p = limit(Side::buy, "0.01", "30000.0");
  p.cl_ord_id = "amend-me";
  auto added = co_await c.add_order(p);
  if (!added) co_return "add: " + added.error().message();
  kraken::AmendRequest a;
  a.cl_ord_id = "amend-me";
  a.order_qty = "0.02";
  a.limit_price = "30100.0";
  auto amended = co_await c.amend_order(a);
  if (!amended || amended->empty()) co_return "amend: " + (amended ? std::string("no amend_id") : amended.error().message());
  std::vector<std::string> ids{added->txid.at(0)};
  auto q = co_await c.query_orders(std::move(ids));
  if (!q || q->orders.size() != 1) co_return "query after amend";
  if (q->orders[0].vol.to_string() != "0.02000000" || q->orders[0].descr.price != "30100.0")
    co_return "amend not applied: vol " + q->orders[0].vol.to_string() + " price " + q->orders[0].descr.price;

  OrderRequest u = limit(Side::buy, "0.01", "29000.0");
  u.userref = 77;
  auto added_u = co_await c.add_order(u);
  if (!added_u) co_return "add userref: " + added_u.error().message();
  kraken::EditRequest e;
  e.txid = added_u->txid.at(0);
  e.pair = "XBTUSD";
  e.price = "29500.0";
  auto edited = co_await c.edit_order(e);
  if (!edited || edited->txid.empty() || edited->txid == e.txid) co_return "edit: " + (edited ? edited->txid : edited.error().message());

  // One JSON batch: the edited order by its userref (an integer on the wire), the amended one by
  // cl_ord_id.
  kraken::CancelRequest both;
  both.userrefs = {77};
  both.cl_ord_ids = {"amend-me"};
  auto cancelled = co_await c.cancel_order_batch(std::move(both));
  if (!cancelled || cancelled->count != 2) co_return "cancel batch: " + (cancelled ? std::to_string(cancelled->count) : cancelled.error().message());
  auto open = co_await c.open_orders();
  if (!open || !open->orders.empty()) co_return "orders left open";
  co_return "";
}

TEST_F(RestClientE2E, AmendsEditsAndBatchCancelsByUserrefAndClOrdId) { EXPECT_EQ(run(amend_edit_and_batch_cancel(*client_)), ""); }

asio::awaitable<std::string> reference_data(kraken::KrakenRestClient& c) {
  auto assets = co_await c.assets();
  if (!assets || assets->empty()) co_return "assets: " + (assets ? std::string("empty") : assets.error().message());
  std::vector<std::string> which{"XBTUSD", "ETHUSD"};
  auto pairs = co_await c.asset_pairs(std::move(which));
  if (!pairs || pairs->size() != 2) co_return "asset pairs: " + (pairs ? std::to_string(pairs->size()) : pairs.error().message());
  InstrumentRegistry reg;
  if (!reg.load(std::move(*assets), std::move(*pairs))) co_return "registry load";
  auto btc = reg.find("BTC/USD");
  if (!btc || btc->price_precision != 1) co_return "registry from REST";
  co_return "";
}

asio::awaitable<std::string> two_spellings(kraken::KrakenRestClient& c) {
  OrderRequest a = limit(Side::buy, "0.001", "30000.0");
  OrderRequest b = a;
  b.pair = "XXBTZUSD";
  if (!(co_await c.add_order(a)) || !(co_await c.add_order(b))) co_return "adds";
  co_return "";
}

TEST_F(RestClientE2E, OneTradingCounterPerPairWhateverTheSpelling) {
  // The governor's counters decay with its clock: a frozen one makes the count exact however
  // slowly the build runs (a sanitizer build took long enough for 0.2 to decay away).
  ManualClock clock;
  auto transport = kraken::KrakenRestTransport::create(sim_rest_options(endpoints_), clock).value();
  kraken::KrakenRestClient client(*transport);
  InstrumentRegistry reg;
  ASSERT_TRUE(reg.load(sim::default_assets(), sim::default_instruments()));
  client.set_registry(&reg);
  EXPECT_EQ(run(two_spellings(client)), "");
  // Kraken counts both adds against one pair; so does the governor.
  EXPECT_EQ(transport->governor().trading_counter("XXBTZUSD"), 2.0);
  EXPECT_EQ(transport->governor().trading_counter("XBTUSD"), 0.0);
}

TEST_F(RestClientE2E, LoadsAssetsAndAssetPairsIntoTheRegistry) { EXPECT_EQ(run(reference_data(*client_)), ""); }

// Every remaining typed call once, on an account that has traded: a market buy on margin fills
// against the default book, so trades, ledgers and a position exist to be read back.
asio::awaitable<std::string> every_other_call(kraken::KrakenRestClient& c) {
  auto status = co_await c.system_status();
  if (!status || status->status != "online") co_return "system status";
  auto depth = co_await c.depth("XBTUSD", 10);
  if (!depth || depth->asks.empty() || depth->bids.empty() || depth->asks.size() > 10) co_return "depth";
  if (!(depth->asks[0].price > depth->bids[0].price)) co_return "depth crossed";
  auto ohlc = co_await c.ohlc("XBTUSD", 5);
  if (!ohlc || ohlc->pair.empty()) co_return "ohlc: " + (ohlc ? std::string("no pair") : ohlc.error().message());

  OrderRequest m;
  m.pair = "XBTUSD";
  m.side = Side::buy;
  m.type = OrderType::market;
  m.volume = "0.01";
  m.leverage = "2";
  auto filled = co_await c.add_order(m);
  if (!filled) co_return "market order: " + filled.error().message();

  auto recent = co_await c.trades("XBTUSD");
  if (!recent || recent->trades.empty() || recent->last.empty()) co_return "recent trades";
  // Cursor polling: after a first poll, the next one returns only the new fill.
  kraken::SinceCursor cursor;
  auto first_poll = co_await c.poll_trades("XBTUSD", cursor);
  if (!first_poll || first_poll->trades.size() != recent->trades.size() || cursor.last != recent->last) co_return "first poll";
  auto second = co_await c.add_order(m);
  if (!second) co_return "second market order: " + second.error().message();
  auto next_poll = co_await c.poll_trades("XBTUSD", cursor);
  if (!next_poll || next_poll->trades.size() != 1) co_return "next poll: " + (next_poll ? std::to_string(next_poll->trades.size()) : next_poll.error().message());
  kraken::SinceCursor ohlc_cursor, spread_cursor;
  auto candles = co_await c.poll_ohlc("XBTUSD", 1, ohlc_cursor);
  if (!candles || !ohlc_cursor.last) co_return "ohlc poll";
  auto spreads = co_await c.poll_spread("XBTUSD", spread_cursor);
  if (!spreads || (!spreads->entries.empty() && !spread_cursor.last)) co_return "spread poll";
  auto spread = co_await c.spread("XBTUSD");
  if (!spread) co_return "spread: " + spread.error().message();
  auto bex = co_await c.balance_ex();
  if (!bex || bex->empty() || !bex->front().hold_trade) co_return "balance ex";
  auto positions = co_await c.open_positions();
  if (!positions || positions->size() != 2 || !positions->front().net) co_return "open positions";  // one per margin order

  kraken::HistoryQuery q;
  auto hist = co_await c.trades_history(q);
  if (!hist || hist->trades.size() != 2 || hist->trades[1].ordertxid != filled->txid.at(0)) co_return "trades history";  // newest first
  std::vector<std::string> trade_ids{hist->trades[0].txid};
  auto one_trade = co_await c.query_trades(std::move(trade_ids));
  if (!one_trade || one_trade->trades.size() != 1) co_return "query trades";
  auto all_trades = co_await c.all_trades_history(q);
  if (!all_trades || all_trades->size() != hist->trades.size()) co_return "all trades history";
  auto ledgers = co_await c.ledgers(q);
  if (!ledgers || ledgers->entries.empty()) co_return "ledgers";
  auto all_ledgers = co_await c.all_ledgers(q);
  if (!all_ledgers || all_ledgers->size() != ledgers->entries.size()) co_return "all ledgers";
  std::vector<std::string> ledger_ids{ledgers->entries[0].id};
  auto one_ledger = co_await c.query_ledgers(std::move(ledger_ids));
  if (!one_ledger || one_ledger->entries.size() != 1 || one_ledger->entries[0].id != ledgers->entries[0].id) co_return "query ledgers";
  auto closed = co_await c.closed_orders(q);
  if (!closed || closed->orders.size() != 2 || closed->orders[0].status != "closed") co_return "closed orders";
  auto token = co_await c.websockets_token();
  if (!token || token->token.empty() || token->expires <= 0) co_return "websockets token";
  co_return "";
}

TEST_F(RestClientE2E, EveryOtherTypedCallAnswersFromAnAccountThatTraded) {
  // No synthetic flow here: a market maker rests one bid and one ask.
  ASSERT_TRUE(sim_->call([](Exchange& ex) {
    const AccountId mm = ex.add_account("mm", "MMKEY", Secret("c2VjcmV0"));
    if (!ex.deposit(mm, "XXBT", "10") || !ex.deposit(mm, "ZUSD", "1000000")) return false;
    AddOrderRequest ask, bid;
    ask.pair = bid.pair = "XBTUSD";
    ask.side = Side::sell;
    bid.side = Side::buy;
    ask.volume = bid.volume = "1";
    ask.price = "62810.0";
    bid.price = "62790.0";
    return ex.add_order(mm, ask).has_value() && ex.add_order(mm, bid).has_value();
  }));
  EXPECT_EQ(run(every_other_call(*client_)), "");
}

}  // namespace
}  // namespace kgw::sim

namespace kgw::sim {
namespace {

// A burst of adds far above the sustainable rate: the governor refuses what would pass its
// ceiling locally (the exchange never answers EOrder:Rate limit exceeded), and the reserve it
// keeps lets a cancel through at once afterwards.
asio::awaitable<std::tuple<int, int, int, bool>> burst(kraken::KrakenRestClient& c) {
  int placed = 0, refused_locally = 0, exchange_rate_errors = 0;
  std::string first_txid;
  for (int i = 0; i < 100; ++i) {
    auto r = co_await c.add_order(limit(Side::buy, "0.001", "30000.0"));
    if (r) {
      ++placed;
      if (first_txid.empty()) first_txid = r->txid.at(0);
    } else if (r.error().is(errc::rate_limited)) {
      ++refused_locally;
    } else if (r.error().kraken && r.error().kraken->joined().find("Rate limit") != std::string::npos) {
      ++exchange_rate_errors;
    }
  }
  kraken::CancelRequest first;
  first.txids = {first_txid};
  auto cancel = co_await c.cancel_order(std::move(first));
  co_return std::tuple{placed, refused_locally, exchange_rate_errors, cancel.has_value()};
}

TEST(RestClientBurst, AddsAreGovernedBelowTheExchangeLimitAndCancelsStillGoThrough) {
  SimulatorOptions o;
  o.synthetic_flow = false;
  o.tier = kraken::Tier::starter;  // trading threshold 60, decay 1/s
  Simulator sim(o);
  auto ep = sim.start().value();
  auto transport = kraken::KrakenRestTransport::create(sim_rest_options(ep, kraken::Tier::starter), SystemClock::instance()).value();
  kraken::KrakenRestClient client(*transport);
  client.set_trading_wait(std::chrono::nanoseconds(0));  // refuse instead of waiting
  auto [placed, refused, exchange_errors, cancelled] = run(burst(client));
  sim.stop();
  EXPECT_EQ(exchange_errors, 0);
  EXPECT_GE(placed, 36);  // up to 60 - reserves (16 + 8), plus what decayed meanwhile
  EXPECT_LT(placed, 60);
  EXPECT_EQ(placed + refused, 100);
  EXPECT_TRUE(cancelled);
}

}  // namespace
}  // namespace kgw::sim
