#pragma once
// SyntheticFlow: a reproducible synthetic market for the simulator. For every configured pair it
// runs liquidity providers that keep a bounded ladder of post-only limit orders around a
// random-walking mid, and takers that send market and marketable IOC limit orders, so trades
// print, candles form and the book moves. Every action goes through the public Exchange API
// under accounts it creates itself, so each order passes Kraken's validation, holds, fees and
// rate counters like any client's. Owned by whoever owns the Exchange; single-threaded: call
// step() on the exchange thread (e.g. from a 10-50 ms timer).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "kgw/sim/exchange.hpp"

namespace kgw::sim {

class SyntheticFlow {
 public:
  // Per-pair knobs. Zero or empty values are derived from the instrument and the start price
  // (see the comments), so `{.pair = "XBTUSD"}` is a complete setting.
  struct PairConfig {
    std::string pair;                  // any Kraken spelling
    std::optional<std::string> mid{};  // start price; default: default_reference_prices(), else the last trade
    int levels_per_side = 10;
    std::int64_t spread_ticks = 0;                   // best ask - best bid of the ladder; 0: ~2 bp of the mid
    std::int64_t spacing_ticks = 0;                  // between ladder levels; 0: ~1 bp of the mid
    std::string min_size{}, max_size{};              // maker order sizes (base units); default 2x / 400x ordermin
    std::string taker_min_size{}, taker_max_size{};  // default 1x / 200x ordermin
    double taker_rate_per_s = 1.0;                   // Poisson arrivals of taker orders
    double refresh_rate_per_s = 2.0;                 // Poisson arrivals of random maker refreshes (resize, replace)
    double volatility = 1e-4;                        // sigma of log(mid) per sqrt(second)
    double market_share = 0.6;                       // share of taker orders sent as market (the rest: IOC limit)
    double buy_share = 0.5;                          // share of taker orders that buy
    double sweep_probability = 0.05;                 // a taker order that takes several whole levels
  };

  struct Config {
    std::vector<PairConfig> pairs;  // empty: every pair of the exchange, default settings
    std::uint64_t seed = 1;         // same seed + same step() times -> same orders, trades and ids
    int maker_accounts = 8;         // the ladder is spread over these (rate counters are per account)
    int taker_accounts = 4;
    // Budget kept on every account's per-pair trading counter. The starter threshold is Kraken's
    // lowest, so the flow never trips "EOrder:Rate limit exceeded" whatever tier the exchange
    // runs; a higher tier only decays the counter faster. Raise it with the exchange's tier.
    double rate_budget = kraken::tier_limits(kraken::Tier::starter).trading_threshold;
    // Per account; Kraken's starter open-order limit.
    std::size_t max_open_per_pair = kraken::tier_limits(kraken::Tier::starter).max_open_per_pair;
    // A step() after a longer pause acts as if only this much time had passed: no bursts.
    std::chrono::milliseconds max_catch_up{1000};
    int max_actions_per_step = 64;        // per pair, every exchange call counted
    double reversion_half_life_s = 3600;  // pull of the mid back to its start price; 0: none
  };

  struct Stats {
    std::uint64_t steps = 0;
    std::uint64_t maker_adds = 0, maker_amends = 0, maker_cancels = 0;
    std::uint64_t taker_orders = 0, sweeps = 0;
    std::uint64_t deposits = 0;
    std::uint64_t throttled = 0;                    // an action put off to a later step for lack of rate-counter budget
    std::uint64_t skipped = 0;                      // a taker order skipped: book too thin, or the pair not tradable
    std::uint64_t dropped = 0;                      // events beyond max_actions_per_step, dropped instead of queued
    std::uint64_t post_only_cancelled = 0;          // a maker order that would have taken (cancelled by the engine)
    std::map<std::string, std::uint64_t> rejected;  // every failed exchange call, by Kraken error text
    std::uint64_t book_actions() const noexcept { return maker_adds + maker_amends + maker_cancels + taker_orders; }
  };

  // Creates and funds the flow's accounts and registers as an observer of `ex`, which must
  // outlive this object. Throws std::invalid_argument for an unknown pair, bad sizes or a pair
  // without a start price.
  SyntheticFlow(Exchange& ex, Config config);
  ~SyntheticFlow();
  SyntheticFlow(const SyntheticFlow&) = delete;
  SyntheticFlow& operator=(const SyntheticFlow&) = delete;

  // Places the full ladders at once (within the rate budget), e.g. before the first step().
  void seed_book();
  // Advances the flow to `now`: moves the mids, repairs the ladders, runs the random refreshes
  // and taker orders due since the previous call (at most max_catch_up of them, and at most
  // max_actions_per_step exchange calls per pair).
  void step(WallTime now);

  const Stats& stats() const noexcept { return stats_; }
  const std::vector<AccountId>& maker_accounts() const noexcept { return makers_; }
  const std::vector<AccountId>& taker_accounts() const noexcept { return takers_; }
  // The pairs it drives (exchange pair indexes, in config order) and their current fair mid.
  std::vector<std::size_t> pairs() const;
  std::optional<Price> mid(std::size_t pair) const;

 private:
  struct PairState;
  struct Quote;
  class Listener;

  void on_execution(AccountId acct, const Execution& e);
  void walk_mid(PairState& p, double dt_s);
  // Each returns whether it changed the book; all spend budget_ (exchange calls left this step).
  void repair(PairState& p);
  bool repair_side(PairState& p, Side side);
  void refresh(PairState& p);
  void take(PairState& p);
  bool add_quote(PairState& p, Side side, Price price);
  bool move_quote(PairState& p, Side side, Quote q, Price price);
  bool cancel_quote(PairState& p, Quote q);
  void top_up();
  void ensure_funds(AccountId acct, std::size_t asset, std::int64_t need);
  bool tradable(const PairState& p, bool taker) const;
  // Whether the account's counter on `pair` has budget left for the action's cost (Kraken's, from
  // core), so the flow spends only budget it has.
  bool room(AccountId acct, std::size_t pair, kraken::TradingAction action, std::chrono::nanoseconds rested = {}) const;
  void reject(const Error& e);
  Qty random_size(PairState& p, Qty lo, Qty hi, Price at);
  Qty min_qty_at(const PairState& p, Price at) const;
  std::int64_t quote_amount(const PairState& p, Price price, Qty qty) const;
  std::int64_t base_amount(const PairState& p, Qty qty) const;

  Exchange& ex_;
  Config cfg_;
  std::unique_ptr<Listener> listener_;
  std::vector<std::unique_ptr<PairState>> pairs_;
  std::vector<int> by_exchange_pair_;  // exchange pair index -> index into pairs_, -1 if not driven
  std::vector<AccountId> makers_, takers_;
  std::vector<bool> is_maker_;       // by AccountId
  std::vector<std::int64_t> floor_;  // per asset: top up an account whose available falls below
  std::optional<WallTime> last_step_;
  std::vector<BookLevel> levels_;  // scratch for book reads
  std::vector<int> cover_;         // scratch: quotes per ladder slot
  int budget_ = 0;                 // exchange calls the current pair may still make this step
  Stats stats_;
};

}  // namespace kgw::sim
