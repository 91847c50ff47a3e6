// The order manager through a storm of kraken-sim faults: a fixed-seed schedule of more than 200
// (connection drops, stalls, dropped WS and REST answers, 502s, EService:Busy, token
// invalidations, server restarts) while traders on several threads place, amend, cancel and
// retry orders, some of them crossing a market maker's resting orders and some crossed by a
// taker, so fills happen on both sides of the book. Timing varies from run to run; what is
// asserted is the state once it all quiesced: no cl_ord_id with two orders at the simulator,
// every fill at the simulator emitted exactly once, every unknown outcome resolved, and the
// caches equal to the simulator's REST answers.

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "oms_sim_support.hpp"

namespace kgw::oms {
namespace {

using namespace std::chrono_literals;
using kgw::test::wait_until;
using kraken::OrderRequest;
using kraken::Side;
using test::expect_caches_equal_rest;

constexpr std::uint32_t kSeed = 20261203;
constexpr int kFaults = 220;
constexpr int kTraders = 3;

// The book each pair is given, so that no order of the demo account ever meets another of its
// own (self-trade prevention would cancel it instead of filling it):
//  XBTUSD: the traders' bids rest at 50000.0-54999.9; the maker's asks from 60000.0; traders buy
//          through them with IOC orders at 61000.0; the taker sells into the traders' bids.
//  ETHUSD: the traders' asks rest at 3500.00-3799.99; the maker's bids from 3000.00; traders sell
//          through them at 2900.00; the taker buys from the traders' asks.
struct Book {
  const char* pair;
  Side resting_side;       // the traders' resting orders
  std::int64_t low, high;  // their price band, in ticks
  int price_dp;
  const char* cross_price;  // the traders' IOC through the maker
  const char* taker_price;  // the taker's IOC into the traders' orders
  int qty_dp;
  std::int64_t qty_low, qty_high;  // in units of the last qty decimal
};
constexpr Book kBooks[] = {
    {"XBTUSD", Side::buy, 500'000, 549'999, 1, "61000.0", "50000.0", 4, 10, 50},
    {"ETHUSD", Side::sell, 350'000, 379'999, 2, "2900.00", "3800.00", 3, 20, 100},
};

std::string fixed(std::int64_t units, int dp) {
  std::int64_t p = 1;
  for (int i = 0; i < dp; ++i) p *= 10;
  return fmt::format("{}.{:0{}}", units / p, units % p, dp);
}

int roll(std::mt19937& rng, int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
std::int64_t between(std::mt19937& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

// Counts of what happened, by name (printed at the end; the assertions are on the final state).
class Tally {
 public:
  void add(const std::string& what) {
    std::lock_guard lock(mu_);
    ++counts_[what];
  }
  int total() {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& [what, count] : counts_) n += count;
    return n;
  }
  void print(const char* title) {
    std::lock_guard lock(mu_);
    std::printf("%s:", title);
    for (const auto& [what, count] : counts_) std::printf(" %s %d,", what.c_str(), count);
    std::printf("\n");
  }

 private:
  std::mutex mu_;
  std::map<std::string, int> counts_;
};

class OrderManagerRandomFaults : public test::OmsFaultSimTest {
 protected:
  // Each trader: a random walk of orders on its own cl_ord_ids until the faults are over.
  void trade(int k) {
    std::mt19937 rng(kSeed + 1 + static_cast<std::uint32_t>(k));
    const std::string prefix = fmt::format("t{}-", k);
    std::vector<OrderRequest> sent;
    for (int n = 0; !storm_over_.load(); ++n) {
      // A client's pace (Kraken's trading counter would not take much more), so that a
      // reconciliation's window holds far fewer than its 1000 trades and closed orders.
      std::this_thread::sleep_for(std::chrono::milliseconds(between(rng, 10, 30)));
      const int dice = roll(rng, 100);
      const Book& book = kBooks[roll(rng, 2)];
      if (dice < 58 || (dice < 88 && !own_open(prefix, rng))) {
        OrderRequest o = dice < 40 ? resting(book, rng) : crossing(book, rng);
        o.cl_ord_id = fmt::format("{}{}", prefix, n);
        sent.push_back(o);
        place_and_note(o, route(rng), dice < 40 ? "rest" : "cross");
      } else if (dice < 72) {
        const auto mine = own_open(prefix, rng);
        const Book& its = mine->symbol == "BTC/USD" ? kBooks[0] : kBooks[1];
        kraken::AmendRequest a;
        if (roll(rng, 2)) a.cl_ord_id = mine->cl_ord_id;
        else a.txid = mine->order_id;
        a.order_qty = fixed(between(rng, its.qty_low, its.qty_high), its.qty_dp);
        a.limit_price = fixed(between(rng, its.low, its.high), its.price_dp);
        const Route r = route(rng);
        note("amend", om_->wait<EntryAck>([&](auto done) { om_->amend(a, r, std::move(done)); }));
      } else if (dice < 88) {
        const auto mine = own_open(prefix, rng);
        kraken::CancelRequest c;
        if (roll(rng, 2)) c.cl_ord_ids = {mine->cl_ord_id};
        else c.txids = {mine->order_id};
        note("cancel", cancel(c, route(rng)));
      } else if (!sent.empty()) {
        // A client retrying an order it already sent: never a second order.
        place_and_note(sent[static_cast<std::size_t>(roll(rng, static_cast<int>(sent.size())))], Route::automatic, "retry");
      }
    }
  }

  static OrderRequest resting(const Book& b, std::mt19937& rng) {
    const auto px = fixed(between(rng, b.low, b.high), b.price_dp);
    const auto qty = fixed(between(rng, b.qty_low, b.qty_high), b.qty_dp);
    return limit(b.resting_side == Side::buy ? "buy" : "sell", qty.c_str(), px.c_str(), b.pair);
  }
  static OrderRequest crossing(const Book& b, std::mt19937& rng) {
    const auto qty = fixed(between(rng, b.qty_low, b.qty_high), b.qty_dp);
    OrderRequest o = limit(b.resting_side == Side::buy ? "buy" : "sell", qty.c_str(), b.cross_price, b.pair);
    o.time_in_force = kraken::TimeInForce::ioc;
    return o;
  }
  static Route route(std::mt19937& rng) {
    const int r = roll(rng, 20);
    return r < 14 ? Route::automatic : r < 17 ? Route::ws_only : Route::rest_only;
  }
  // One of this trader's open orders as the caches know it (null if none).
  std::shared_ptr<const OrderState> own_open(const std::string& prefix, std::mt19937& rng) {
    std::vector<std::shared_ptr<const OrderState>> mine;
    for (const auto& o : om_->account()->open_orders->list())
      if (o->cl_ord_id.rfind(prefix, 0) == 0) mine.push_back(o);
    if (mine.empty()) return nullptr;
    return mine[static_cast<std::size_t>(roll(rng, static_cast<int>(mine.size())))];
  }

  void place_and_note(const OrderRequest& o, Route r, const char* what) {
    auto placed = place(o, r);
    if (!placed && placed.error().is(errc::unknown_outcome)) {
      std::lock_guard lock(mu_);
      unknown_.push_back(o);
    }
    note(what, placed);
  }
  template <class T>
  void note(const char* what, const result<T>& r) {
    if (r) return answers_.add(fmt::format("{} ok", what));
    const Error& e = r.error();
    if (e.is(errc::internal)) ADD_FAILURE() << what << ": " << e.message();
    if (e.kraken && e.kraken->joined().find("cl_ord_id already in use") != std::string::npos)
      ADD_FAILURE() << what << ": sent again while the first order was open: " << e.message();
    answers_.add(fmt::format("{} {}", what, e.kraken ? e.kraken->errors.at(0) : e.code.message()));
  }

  // The market between faults: the maker keeps four orders on each pair; now and then the taker
  // crosses the traders' resting orders.
  void market_step(std::mt19937& rng) {
    const bool take = roll(rng, 3) == 0;
    const int taken = roll(rng, 2);
    sim_->call([&](sim::Exchange& ex) {
      const auto* mm = ex.account_by_key("MMKEY");
      const auto* taker = ex.account_by_key("TAKERKEY");
      for (int b = 0; b < 2; ++b) {
        const Book& book = kBooks[b];
        std::size_t resting = 0;
        for (const auto* r : ex.open_orders(mm->id)) resting += ex.instruments()[r->pair]->altname == book.pair;
        for (std::size_t i = resting; i < 4; ++i) {
          sim::AddOrderRequest r;
          r.pair = book.pair;
          r.side = book.resting_side == Side::buy ? Side::sell : Side::buy;
          r.volume = b == 0 ? "0.01" : "0.2";
          r.price = b == 0 ? fixed(600'000 + static_cast<std::int64_t>(i), 1) : fixed(300'000 - static_cast<std::int64_t>(i), 2);
          if (auto ok = ex.add_order(mm->id, r); !ok) ADD_FAILURE() << "maker: " << ok.error().message();
        }
      }
      if (!take) return;
      const Book& book = kBooks[taken];
      sim::AddOrderRequest r;
      r.pair = book.pair;
      r.side = book.resting_side == Side::buy ? Side::sell : Side::buy;
      r.volume = taken == 0 ? "0.002" : "0.03";
      r.price = book.taker_price;
      r.tif = kraken::TimeInForce::ioc;
      (void)ex.add_order(taker->id, r);  // nothing to take is fine
    });
  }

  // The fault schedule: `kFaults` faults, one every 10-40 ms, drawn from the seed.
  void storm() {
    std::mt19937 rng(kSeed);
    int injected = 0;
    auto fault = [&](const std::string& target, const char* name) {
      EXPECT_EQ(admin(target), 200u) << target;
      faults_.add(name);
      ++injected;
    };
    while (injected < kFaults) {
      std::this_thread::sleep_for(std::chrono::milliseconds(between(rng, 10, 40)));
      market_step(rng);
      const int dice = roll(rng, 100);
      if (dice < 14) {
        fault("/ws/drop", "ws drop");
      } else if (dice < 26) {
        fault("/ws/stall?on=true", "ws stall");
        std::this_thread::sleep_for(std::chrono::milliseconds(between(rng, 50, 400)));
        if (roll(rng, 2)) fault("/ws/drop", "ws drop while stalled");
        EXPECT_EQ(admin("/ws/stall?on=false"), 200u);
      } else if (dice < 42) {
        fault("/ws/drop_response?count=1", "ws answer dropped");
      } else if (dice < 54) {
        fault("/rest/drop_response?count=1", "rest answer dropped");
      } else if (dice < 68) {
        fault("/rest/http_status?code=502&count=1", "rest 502");
      } else if (dice < 82) {
        fault("/rest/error?error=EService:Busy&count=1", "rest EService:Busy");
      } else if (dice < 92) {
        fault("/tokens/invalidate", "tokens invalidated");
        if (roll(rng, 2)) fault("/ws/drop", "ws drop after tokens");
      } else {
        fault("/restart", "restart");
      }
    }
  }

  std::atomic<bool> storm_over_{false};
  Tally answers_, faults_;
  std::mutex mu_;
  std::vector<OrderRequest> unknown_;  // placements answered with an unknown outcome
};

TEST_F(OrderManagerRandomFaults, AStormOfFaultsLeavesNoDuplicateNoLostFillAndCachesEqualToTheSimulator) {
  const auto started = std::chrono::steady_clock::now();
  sim_->call([this](sim::Exchange& ex) {
    const auto demo = ex.account_by_key(ep_.api_key)->id;
    for (const auto& [asset, amount] : {std::pair{"ZUSD", "1000000"}, {"XETH", "1000"}})
      if (auto ok = ex.deposit(demo, asset, amount); !ok) ADD_FAILURE() << ok.error().message();
    const auto taker = ex.add_account("taker", "TAKERKEY", Secret("c2VjcmV0"));
    for (const auto& [asset, amount] : {std::pair{"XXBT", "100"}, {"ZUSD", "10000000"}})
      if (auto ok = ex.deposit(taker, asset, amount); !ok) ADD_FAILURE() << ok.error().message();
  });
  (void)counterparty();  // the maker
  auto o = options();
  o.entry.reply_timeout = 500ms;
  o.entry.lookup_grace = 500ms;
  start(o);
  ASSERT_TRUE(wait_until([&] { return settled(); }));

  // Every fill event, by exec_id, from before the first order to the end.
  auto events = om_->subscribe_account(std::nullopt, 1 << 16);
  std::atomic<bool> done{false};
  std::map<std::string, int> fill_events;
  std::thread consumer([&] {
    for (bool last = false; !last;) {
      last = done.load();
      while (auto e = events->next())
        if (e->kind == EventKind::fill) ++fill_events[e->fill->exec_id];
      std::this_thread::sleep_for(2ms);
    }
  });

  std::vector<std::thread> traders;
  for (int k = 0; k < kTraders; ++k) traders.emplace_back([this, k] { trade(k); });
  storm();
  storm_over_ = true;
  for (auto& t : traders) t.join();
  for (const char* off : {"/ws/stall?on=false", "/ws/drop_response?count=0", "/rest/drop_response?count=0",
                          "/rest/http_status?count=0", "/rest/error?count=0"})
    EXPECT_EQ(admin(off), 200u) << off;

  // Every unknown outcome resolves: a retry then gets the order, or sends it once it is known absent.
  for (const auto& order : unknown_) {
    EXPECT_TRUE(wait_until([&] {
      auto r = place(order);
      return r || !r.error().is(errc::unknown_outcome);
    }, 60s)) << *order.cl_ord_id << " is still unknown";
  }

  // Quiet: the caches caught up with the simulator.
  const sim::AccountId demo_id = demo();
  auto truth = [&] {
    return sim_->call([&](sim::Exchange& ex) {
      std::set<std::string> open, trades;
      for (const auto* r : ex.open_orders(demo_id)) open.insert(r->txid);
      for (const auto* t : ex.trades(demo_id)) trades.insert(t->txid);
      return std::pair{open, trades};
    });
  };
  auto caught_up = [&] {
    if (!settled()) return false;
    const auto s = om_->account();
    const auto [open, trades] = truth();
    if (s->open_orders->size() != open.size() || s->fills->size() != trades.size()) return false;
    for (const auto& id : open)
      if (!s->open_orders->find(id)) return false;
    return true;
  };
  const bool quiet = wait_until(caught_up, 60s);
  done = true;
  consumer.join();
  ASSERT_TRUE(quiet) << "the caches did not catch up with the simulator";

  // No cl_ord_id has two orders at the simulator.
  const auto per_id = sim_->call([&](sim::Exchange& ex) {
    std::map<std::string, int> n;
    for (const auto* r : ex.open_orders(demo_id)) ++n[r->cl_ord_id.value_or("")];
    for (const auto* r : ex.closed_orders(demo_id)) ++n[r->cl_ord_id.value_or("")];
    return n;
  });
  int orders = 0;
  for (const auto& [id, n] : per_id) {
    EXPECT_FALSE(id.empty()) << n << " orders without a cl_ord_id";
    EXPECT_EQ(n, 1) << id;
    orders += n;
  }
  // Every fill at the simulator was emitted exactly once, and nothing else was.
  const auto [open, trades] = truth();
  for (const auto& id : trades) EXPECT_EQ(fill_events.count(id) ? fill_events.at(id) : 0, 1) << id;
  for (const auto& [id, n] : fill_events) EXPECT_TRUE(trades.count(id)) << id << " was emitted but is no fill";
  EXPECT_FALSE(events->overflowed());
  expect_caches_equal_rest(*om_->account(), *rest_);

  EXPECT_GE(faults_.total(), kFaults);
  for (const char* kind : {"ws_drop", "ws_stall", "restart", "token_invalidate"}) EXPECT_GT(fired(kind), 0u) << kind;
  faults_.print("faults");
  answers_.print("answers");
  std::printf("%d orders, %zu fills, %zu unknown outcomes resolved, %llu connects, %llu reconciliations (%llu failed) in %.1f s\n",
              orders, trades.size(), unknown_.size(), static_cast<unsigned long long>(om_->connection_stats().connects.load()),
              static_cast<unsigned long long>(om_->account_stats()->reconciles.load()),
              static_cast<unsigned long long>(om_->account_stats()->reconcile_failures.load()),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
}

}  // namespace
}  // namespace kgw::oms
