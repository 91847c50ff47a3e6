// Kraken's rate rules as PROTOCOL.md §5 writes them, checked against both of their users: what the
// gateway's RateGovernor books, and what the simulator's counters read after the real request.
// The tables here are copied from the document by hand, not from core, so a rule that drifts
// from the document fails here whichever side it drifted on. Everything runs on a ManualClock:
// an order's age is set by advancing it, and counters are read with no time passing.

#include <gtest/gtest.h>

#include <array>
#include <optional>

#include "kgw/core/kraken/rate_governor.hpp"
#include "kgw/core/kraken/signing.hpp"
#include "kgw/sim/default_market.hpp"
#include "kgw/sim/kraken_rest_api.hpp"

namespace kgw::sim {
namespace {

using namespace std::chrono_literals;
using kraken::Tier;
using kraken::TradingAction;

// ---------------------------------------------------------------- PROTOCOL.md §5, by hand

// §5.2, first table. The columns are "the order rested less than"; "–" is 0. Batch add's "+(n/2)"
// is half an add per order, batch cancel's "+8n" a cancel per order: every cost is
// count × (fixed + the column's decaying cost).
constexpr std::array<std::chrono::seconds, 6> kRestedLessThan{5s, 10s, 15s, 45s, 90s, 300s};

struct Section52Row {
  const char* name;
  TradingAction action;
  double fixed;
  std::array<double, 6> decaying;
};

constexpr Section52Row kSection52[] = {
    {"add", TradingAction::add, 1, {0, 0, 0, 0, 0, 0}},
    {"amend", TradingAction::amend, 1, {3, 2, 1, 0, 0, 0}},
    {"edit", TradingAction::edit, 1, {6, 5, 4, 2, 1, 0}},
    {"cancel", TradingAction::cancel, 0, {8, 6, 5, 4, 2, 1}},
    {"batch_add", TradingAction::batch_add, 0.5, {0, 0, 0, 0, 0, 0}},
    {"batch_cancel", TradingAction::batch_cancel, 0, {8, 6, 5, 4, 2, 1}},
};

// §5.1: every private call +1, ledger and trade history +2 (the docs.kraken.com figure this
// project budgets by), order entry nothing (it is on the trading engine's counter).
struct Section51Row {
  const char* method;
  double cost;
};

constexpr Section51Row kSection51[] = {
    {"Balance", 1},          {"BalanceEx", 1},         {"TradeBalance", 1},     {"OpenPositions", 1},
    {"OpenOrders", 1},       {"QueryOrders", 1},       {"GetWebSocketsToken", 1}, {"Ledgers", 2},
    {"QueryLedgers", 2},     {"TradesHistory", 2},     {"QueryTrades", 2},      {"ClosedOrders", 2},
    {"AddOrder", 0},         {"AddOrderBatch", 0},     {"AmendOrder", 0},       {"EditOrder", 0},
    {"CancelOrder", 0},      {"CancelOrderBatch", 0},  {"CancelAll", 0},        {"CancelAllOrdersAfter", 0},
};

// §5.1's counter table and §5.2's second table, one row per tier.
struct TierRow {
  Tier tier;
  double rest_max, rest_decay_per_s;
  double trading_threshold, trading_decay_per_s;
  std::size_t max_open_per_pair;
  bool given = false;  // the venue is set up with these limits instead of the tier's
};

constexpr TierRow kTiers[] = {
    {Tier::starter, 15, 0.33, 60, 1, 60},
    {Tier::intermediate, 20, 0.5, 125, 2.34, 80},
    {Tier::pro, 20, 1, 180, 3.75, 225},
};
// A venue with limits of its own (kraken-sim's SimulatorOptions::limits) keeps them the same way.
constexpr TierRow kGivenLimits[] = {{Tier::starter, 30, 2, 90, 5, 12, true}};

std::optional<kraken::TierLimits> given_limits(const TierRow& row) {
  if (!row.given) return std::nullopt;
  return kraken::TierLimits{row.rest_max, row.rest_decay_per_s, row.trading_threshold, row.trading_decay_per_s,
                            row.max_open_per_pair};
}

// gtest prints a failing case's parameter with these, instead of its bytes.
void PrintTo(const Section51Row& row, std::ostream* os) { *os << row.method; }
void PrintTo(const TierRow& row, std::ostream* os) { *os << kraken::to_string(row.tier); }

// ---------------------------------------------------------------- the venue

// A simulated exchange (with its REST API and one funded account) and the governor a gateway
// would run against it, both on one frozen clock. The governor keeps no headroom, so it books
// and refuses exactly at Kraken's limits.
class Venue {
 public:
  static constexpr const char* kPair = "XBTUSD";

  explicit Venue(Tier tier, std::optional<kraken::TierLimits> limits = std::nullopt)
      : ex_({default_assets(), default_instruments(), 52, tier, limits}, clock_),
        governor_({.tier = tier, .limits = limits, .cancel_reserve = 0, .add_reserve = 0, .rest_reserve = 0}, clock_) {
    rest_.set_limits(limits.value_or(kraken::tier_limits(tier)));
    account_ = ex_.add_account("rates", "RATES", Secret(kSecret));
    EXPECT_TRUE(ex_.deposit(account_, "ZUSD", "1000000"));
    pair_ = *ex_.pair_index(kPair);
  }

  ManualClock& clock() { return clock_; }
  Exchange& exchange() { return ex_; }
  kraken::RateGovernor& governor() { return governor_; }
  AccountId account() const { return account_; }
  double trading_counter() const { return ex_.rate_counter(account_, pair_); }
  double rest_counter() const { return rest_.call_counter(account_); }

  // A buy that rests (the book is empty: no flow runs), or one that cannot rest (IOC).
  static AddOrderRequest buy(std::int64_t userref = 0, TimeInForce tif = TimeInForce::gtc) {
    AddOrderRequest r;
    r.pair = kPair;
    r.volume = "0.001";
    r.price = "50000.0";
    r.tif = tif;
    if (userref) r.userref = userref;
    return r;
  }
  std::string place(std::int64_t userref = 0) {
    auto r = ex_.add_order(account_, buy(userref));
    EXPECT_TRUE(r) << r.error().message();
    return r ? r->txid : std::string{};
  }

  // One signed private REST call with just a nonce, as a client sends it.
  RestReply call(const std::string& method) {
    const std::string path = "/0/private/" + method;
    const std::string nonce = std::to_string(++nonce_);
    const std::string body = "nonce=" + nonce;
    const std::string sign = kraken::api_sign(Secret(kSecret), path, nonce, body).value();
    auto header = [&](std::string_view name) -> std::string_view {
      if (name == "API-Key") return "RATES";
      if (name == "API-Sign") return sign;
      return {};
    };
    return rest_.handle("POST", path, header, body);
  }

 private:
  static constexpr const char* kSecret = "cmF0ZSBydWxlcyBzZWNyZXQgb2YgdGhlIHRhYmxlIHRlc3Q=";

  ManualClock clock_;
  Exchange ex_;
  MarketData md_{ex_};
  TokenStore tokens_{52};
  Faults faults_;
  KrakenRestApi rest_{ex_, md_, tokens_, faults_};
  kraken::RateGovernor governor_;
  AccountId account_ = 0;
  std::size_t pair_ = 0;
  std::uint64_t nonce_ = 0;
};

// A difference of two counter readings carries the rounding of the larger one; costs and decays
// are multiples of 0.01, so this cannot hide a wrong value.
constexpr double kRounding = 1e-9;

std::string kraken_text(const Error& e) { return e.kraken ? e.kraken->joined() : e.message(); }

// ---------------------------------------------------------------- §5.2 costs

struct Section52Case {
  std::string label;
  TradingAction action;
  std::chrono::nanoseconds rested;
  std::size_t count;
  double expected;
};

void PrintTo(const Section52Case& c, std::ostream* os) { *os << c.label << " costs " << c.expected; }

std::string label_of(const char* row, std::chrono::nanoseconds rested, std::size_t count) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(rested).count();
  std::string s = std::string(row) + "_rested_" + (ms % 1000 ? std::to_string(ms) + "ms" : std::to_string(ms / 1000) + "s");
  return count > 1 ? s + "_of_" + std::to_string(count) : s;
}

// Every row at both edges of every column (and at 300 s and an hour, past the last column); an
// add and a batch add have no resting order, so they are priced once (a batch at Kraken's 2 and 15).
std::vector<Section52Case> section52_cases() {
  std::vector<Section52Case> out;
  for (const auto& row : kSection52) {
    const bool by_age = row.action != TradingAction::add && row.action != TradingAction::batch_add;
    std::vector<std::size_t> counts{1};
    if (row.action == TradingAction::batch_add) counts = {2, 15};
    if (row.action == TradingAction::batch_cancel) counts = {3};
    std::vector<std::pair<std::chrono::nanoseconds, double>> ages;  // rested, decaying cost
    if (!by_age) ages.emplace_back(0s, 0);
    for (std::size_t col = 0; by_age && col < kRestedLessThan.size(); ++col) {
      ages.emplace_back(col == 0 ? 0s : kRestedLessThan[col - 1], row.decaying[col]);
      ages.emplace_back(kRestedLessThan[col] - 1ms, row.decaying[col]);
    }
    if (by_age) {
      ages.emplace_back(300s, 0);
      ages.emplace_back(3600s, 0);
    }
    for (auto n : counts)
      for (auto [rested, decaying] : ages)
        out.push_back({label_of(row.name, rested, n), row.action, rested, n, static_cast<double>(n) * (row.fixed + decaying)});
  }
  return out;
}

// The simulator's charge for the case's request: the counter's rise across the real request,
// with the order(s) it acts on placed `rested` earlier.
double simulator_charge(Venue& v, const Section52Case& c) {
  Exchange& ex = v.exchange();
  const AccountId a = v.account();
  constexpr std::int64_t kUserref = 52;
  std::string txid;
  if (c.action == TradingAction::batch_cancel)
    for (std::size_t i = 0; i < c.count; ++i) v.place(kUserref);
  else if (c.action != TradingAction::add && c.action != TradingAction::batch_add)
    txid = v.place();
  v.clock().advance(c.rested);

  const double before = v.trading_counter();
  switch (c.action) {
    case TradingAction::add: EXPECT_TRUE(ex.add_order(a, Venue::buy())); break;
    case TradingAction::batch_add: {
      std::vector<AddOrderRequest> batch(c.count, Venue::buy());
      auto r = ex.add_order_batch(a, batch, false);
      EXPECT_TRUE(r && r->size() == c.count);
      break;
    }
    case TradingAction::amend: {
      AmendOrderRequest req;
      req.which.txid = txid;
      req.limit_price = "49000.0";
      auto r = ex.amend_order(a, req);
      EXPECT_TRUE(r) << kraken_text(r.error());
      break;
    }
    case TradingAction::edit: {
      EditOrderRequest req;
      req.which.txid = txid;
      req.pair = Venue::kPair;
      req.price = "49000.0";
      auto r = ex.edit_order(a, req);
      EXPECT_TRUE(r) << kraken_text(r.error());
      break;
    }
    case TradingAction::cancel: EXPECT_EQ(ex.cancel_order(a, {.txid = txid}).value(), 1); break;
    case TradingAction::batch_cancel:
      EXPECT_EQ(ex.cancel_order(a, {.userref = kUserref}).value(), static_cast<int>(c.count));
      break;
  }
  return v.trading_counter() - before;
}

double governor_charge(Venue& v, const Section52Case& c) {
  auto permit = v.governor().acquire_trading("XBT/USD", c.action, c.rested, c.count, 0s);
  EXPECT_TRUE(permit);
  return v.governor().trading_counter("XBT/USD");
}

class KrakenRateRules : public ::testing::TestWithParam<Section52Case> {};

TEST_P(KrakenRateRules, EveryRowOfProtocolSection52ChargesTheSameInTheGovernorAndTheSimulator) {
  const Section52Case& c = GetParam();
  Venue v(Tier::pro);
  EXPECT_DOUBLE_EQ(governor_charge(v, c), c.expected);
  EXPECT_NEAR(simulator_charge(v, c), c.expected, kRounding);
}

INSTANTIATE_TEST_SUITE_P(ProtocolSection52, KrakenRateRules, ::testing::ValuesIn(section52_cases()),
                         [](const auto& test) { return test.param.label; });

// ---------------------------------------------------------------- §5.1 costs

class KrakenRestCallCosts : public ::testing::TestWithParam<Section51Row> {};

TEST_P(KrakenRestCallCosts, EveryPrivateEndpointOfProtocolSection51CostsTheSameInTheGovernorAndTheSimulator) {
  const Section51Row& row = GetParam();
  Venue v(Tier::pro);
  auto permit = v.governor().acquire_rest(row.method, kraken::Priority::cancel, 0s);
  EXPECT_TRUE(permit);
  EXPECT_DOUBLE_EQ(v.governor().rest_counter(), row.cost);

  const RestReply reply = v.call(row.method);
  EXPECT_EQ(reply.status, 200u) << reply.body;  // a known method; its arguments may be refused
  EXPECT_DOUBLE_EQ(v.rest_counter(), row.cost);
}

INSTANTIATE_TEST_SUITE_P(ProtocolSection51, KrakenRestCallCosts, ::testing::ValuesIn(kSection51),
                         [](const auto& test) { return std::string(test.param.method); });

// ---------------------------------------------------------------- tier limits

class KrakenTierLimits : public ::testing::TestWithParam<TierRow> {};

TEST_P(KrakenTierLimits, TheTradingThresholdRefusesTheSameAddInTheGovernorAndTheSimulator) {
  const TierRow& row = GetParam();
  Venue v(row.tier, given_limits(row));
  const auto threshold = static_cast<int>(row.trading_threshold);
  for (int i = 0; i < threshold; ++i)
    ASSERT_TRUE(v.governor().acquire_trading("XBT/USD", TradingAction::add, 0s, 1, 0s)) << i;
  EXPECT_FALSE(v.governor().acquire_trading("XBT/USD", TradingAction::add, 0s, 1, 0s));
  EXPECT_DOUBLE_EQ(v.governor().trading_threshold(), row.trading_threshold);

  // IOC orders on an empty book do not rest, so the open-order limit stays out of the way.
  for (int i = 0; i < threshold; ++i) {
    auto r = v.exchange().add_order(v.account(), Venue::buy(0, TimeInForce::ioc));
    ASSERT_TRUE(r) << i << ": " << kraken_text(r.error());
  }
  auto refused = v.exchange().add_order(v.account(), Venue::buy(0, TimeInForce::ioc));
  ASSERT_FALSE(refused);
  EXPECT_EQ(kraken_text(refused.error()), "EOrder:Rate limit exceeded");
}

TEST_P(KrakenTierLimits, TheTradingCounterDecaysAtTheSameRateInTheGovernorAndTheSimulator) {
  const TierRow& row = GetParam();
  Venue v(row.tier, given_limits(row));
  // Ten cancels of orders younger than 5 s: 80 on both counters, whatever the tier.
  ASSERT_TRUE(v.governor().acquire_trading("XBT/USD", TradingAction::batch_cancel, 0s, 10, 0s));
  for (int i = 0; i < 10; ++i) v.place(7);
  ASSERT_EQ(v.exchange().cancel_order(v.account(), {.userref = 7}).value(), 10);
  const double governor_before = v.governor().trading_counter("XBT/USD");
  const double simulator_before = v.trading_counter();
  ASSERT_DOUBLE_EQ(governor_before, 80);
  ASSERT_DOUBLE_EQ(simulator_before, 90);  // and the ten adds

  v.clock().advance(1s);
  EXPECT_NEAR(governor_before - v.governor().trading_counter("XBT/USD"), row.trading_decay_per_s, kRounding);
  EXPECT_NEAR(simulator_before - v.trading_counter(), row.trading_decay_per_s, kRounding);
}

TEST_P(KrakenTierLimits, TheSimulatorRefusesTheAddPastTheOpenOrderLimit) {
  const TierRow& row = GetParam();
  Venue v(row.tier, given_limits(row));
  // A second apart, so the trading counter (decaying at least 1/s) never nears its threshold.
  for (std::size_t i = 0; i < row.max_open_per_pair; ++i) {
    ASSERT_FALSE(v.place().empty()) << i;
    v.clock().advance(1s);
  }
  auto refused = v.exchange().add_order(v.account(), Venue::buy());
  ASSERT_FALSE(refused);
  EXPECT_EQ(kraken_text(refused.error()), "EOrder:Orders limit exceeded");
}

TEST_P(KrakenTierLimits, TheRestCounterRefusesTheSameCallInTheGovernorAndTheSimulator) {
  const TierRow& row = GetParam();
  Venue v(row.tier, given_limits(row));
  const auto max = static_cast<int>(row.rest_max);
  for (int i = 0; i < max; ++i) ASSERT_TRUE(v.governor().acquire_rest("Balance", kraken::Priority::cancel, 0s)) << i;
  EXPECT_FALSE(v.governor().acquire_rest("Balance", kraken::Priority::cancel, 0s));
  EXPECT_DOUBLE_EQ(v.governor().rest_limit(), row.rest_max);

  for (int i = 0; i < max; ++i) ASSERT_EQ(v.call("Balance").body.find("EAPI:Rate limit exceeded"), std::string::npos) << i;
  EXPECT_EQ(v.call("Balance").body, R"({"error":["EAPI:Rate limit exceeded"]})");
}

TEST_P(KrakenTierLimits, TheRestCounterDecaysAtTheSameRateInTheGovernorAndTheSimulator) {
  const TierRow& row = GetParam();
  Venue v(row.tier, given_limits(row));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(v.governor().acquire_rest("Ledgers", kraken::Priority::cancel, 0s));
    ASSERT_EQ(v.call("Ledgers").status, 200u);
  }
  ASSERT_DOUBLE_EQ(v.governor().rest_counter(), 10);
  ASSERT_DOUBLE_EQ(v.rest_counter(), 10);

  v.clock().advance(1s);
  EXPECT_NEAR(10 - v.governor().rest_counter(), row.rest_decay_per_s, kRounding);
  EXPECT_NEAR(10 - v.rest_counter(), row.rest_decay_per_s, kRounding);
}

INSTANTIATE_TEST_SUITE_P(ProtocolSection5, KrakenTierLimits, ::testing::ValuesIn(kTiers),
                         [](const auto& test) { return std::string(kraken::to_string(test.param.tier)); });
INSTANTIATE_TEST_SUITE_P(GivenLimits, KrakenTierLimits, ::testing::ValuesIn(kGivenLimits),
                         [](const auto&) { return std::string("given"); });

}  // namespace
}  // namespace kgw::sim
