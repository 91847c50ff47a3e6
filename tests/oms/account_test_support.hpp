#pragma once
// Test helpers for the account view's unit tests: the simulator's catalogue as the instrument
// registry, Kraken-shaped frames, REST values, a scripted AccountRest, and a way to run the
// view's coroutines and posted work on the test's io_context.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "kgw/oms/account_view.hpp"
#include "kgw/sim/default_market.hpp"

namespace kgw::oms::test {

namespace asio = boost::asio;

inline Decimal dec(std::string_view text) { return Decimal::parse(text).value(); }

inline const InstrumentRegistry& catalogue() {
  static const InstrumentRegistry* registry = [] {
    auto* r = new InstrumentRegistry;  // lives for the whole test program
    if (auto ok = r->load(sim::catalogue_assets(), sim::catalogue_instruments()); !ok) throw ErrorException(ok.error());
    return r;
  }();
  return *registry;
}

// {"channel":…,"type":…,"data":[items],"sequence":seq}
inline std::string frame(std::string_view channel, std::string_view type, std::uint64_t seq,
                         const std::vector<std::string>& items) {
  std::string data;
  for (const auto& i : items) data += (data.empty() ? "" : ",") + i;
  return fmt::format(R"({{"channel":"{}","type":"{}","data":[{}],"sequence":{}}})", channel, type, data, seq);
}

// An executions item for an order: exec_type and order_status, plus raw JSON fields.
inline std::string order_item(std::string_view id, std::string_view exec_type, std::string_view status,
                              std::string_view more = "") {
  return fmt::format(R"({{"order_id":"{}","exec_type":"{}","order_status":"{}"{}{},"timestamp":"2023-09-22T10:33:05.709950Z"}})",
                     id, exec_type, status, more.empty() ? "" : ",", more);
}

// A trade item of order `id`.
inline std::string trade_item(std::string_view id, std::string_view exec_id, std::string_view qty, std::string_view price,
                              std::string_view status, std::string_view cum_qty, std::string_view time = "2023-09-22T10:33:06Z") {
  return fmt::format(R"({{"order_id":"{}","exec_id":"{}","exec_type":"trade","trade_id":62887576,"symbol":"BTC/USD","side":"buy",)"
                     R"("last_qty":{},"last_price":{},"liquidity_ind":"m","cost":1,"order_status":"{}","cum_qty":{},)"
                     R"("fees":[{{"asset":"USD","qty":0.01}}],"timestamp":"{}"}})",
                     id, exec_id, qty, price, status, cum_qty, time);
}

inline kraken::TradeInfo rest_trade(std::string txid, std::string order, std::string_view vol, std::string_view price,
                                    std::string_view time, bool margin = false) {
  kraken::TradeInfo t;
  t.txid = std::move(txid);
  t.ordertxid = std::move(order);
  t.pair = "XXBTZUSD";
  t.type = "buy";
  t.ordertype = "limit";
  t.time = dec(time);
  t.price = dec(price);
  t.vol = dec(vol);
  t.cost = dec("1");
  t.fee = dec("0.01");
  t.margin = dec(margin ? "10" : "0");
  t.trade_id = 77;
  return t;
}

inline kraken::OrderInfo rest_order(std::string txid, std::string status, std::string_view vol, std::string_view vol_exec,
                                    std::string_view opentm, std::string_view closetm = "0") {
  kraken::OrderInfo o;
  o.txid = std::move(txid);
  o.status = std::move(status);
  o.vol = dec(vol);
  o.vol_exec = dec(vol_exec);
  o.opentm = dec(opentm);
  o.closetm = dec(closetm);
  o.descr.pair = "XBTUSD";
  o.descr.type = "buy";
  o.descr.ordertype = "limit";
  o.descr.price = "30000.0";
  o.descr.leverage = "none";
  o.cost = dec("0");
  o.price = dec("0");
  return o;
}

// AccountRest with scripted answers; records what it was asked.
class FakeRest final : public AccountRest {
 public:
  std::vector<kraken::TradeInfo> trades;
  std::vector<kraken::OrderInfo> open, closed, by_id;  // by_id: what QueryOrders knows
  std::vector<kraken::PositionInfo> positions;
  std::optional<Error> fail_trades, fail_open, fail_closed, fail_positions;
  std::vector<std::string> trade_starts, closed_starts;
  std::vector<std::vector<std::string>> queried;
  int position_calls = 0;

  asio::awaitable<result<std::vector<kraken::TradeInfo>>> trades_since(std::string start) override {
    trade_starts.push_back(start);
    if (fail_trades) co_return *fail_trades;
    co_return trades;
  }
  asio::awaitable<result<std::vector<kraken::OrderInfo>>> open_orders() override {
    if (fail_open) co_return *fail_open;
    co_return open;
  }
  asio::awaitable<result<std::vector<kraken::OrderInfo>>> closed_since(std::string start) override {
    closed_starts.push_back(start);
    if (fail_closed) co_return *fail_closed;
    co_return closed;
  }
  asio::awaitable<result<std::vector<kraken::OrderInfo>>> query_orders(std::vector<std::string> txids) override {
    queried.push_back(txids);
    std::vector<kraken::OrderInfo> out;
    for (const auto& o : by_id)
      if (std::find(txids.begin(), txids.end(), o.txid) != txids.end()) out.push_back(o);
    co_return out;
  }
  asio::awaitable<result<std::vector<kraken::PositionInfo>>> open_positions() override {
    ++position_calls;
    if (fail_positions) co_return *fail_positions;
    co_return positions;
  }
};

// A view on the test's io_context with a manual clock at 2023-09-22T10:20:00Z (shortly before
// Kraken's documented executions examples), and ways to hand it frames.
class AccountViewFixture : public ::testing::Test {
 protected:
  static constexpr std::chrono::seconds kStart{1'695'378'000};

  WallTime now() const { return clock_.wall_now(); }
  FrameOutcome feed(const std::string& f) {
    auto r = view_.on_frame(f, now());
    EXPECT_TRUE(r) << r.error().message() << "\n" << f;
    return r ? *r : FrameOutcome{};
  }
  // A fresh connection with both snapshots: executions (sequence exec_seq) and balances.
  FrameOutcome connect(const std::vector<std::string>& exec_items = {}, std::uint64_t exec_seq = 1,
                       const std::vector<std::string>& balance_items = {}, std::uint64_t balance_seq = 1) {
    (void)view_.subscription_requests("TOKEN", 1, 2);
    feed(frame("executions", "snapshot", exec_seq, exec_items));
    return feed(frame("balances", "snapshot", balance_seq, balance_items));
  }

  ManualClock clock_{WallTime{kStart}};
  asio::io_context io_;
  AccountView view_{io_.get_executor(), catalogue(), clock_};
};

// Runs `aw` to completion on `io` (with whatever else is queued there).
template <class T>
T run(asio::io_context& io, asio::awaitable<T> aw) {
  io.restart();
  auto done = asio::co_spawn(io, std::move(aw), asio::use_future);
  io.run();
  return done.get();
}

// Runs what was posted to `io` (subscriptions attach there).
inline void drain(asio::io_context& io) {
  io.restart();
  io.poll();
}

// Every event queued for `sub` so far.
inline std::vector<AccountEvent> events_of(AccountSubscription& sub) {
  std::vector<AccountEvent> out;
  while (auto e = sub.next()) out.push_back(std::move(*e));
  return out;
}

}  // namespace kgw::oms::test
