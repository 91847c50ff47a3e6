#pragma once
// Kraken WS v2 private channel frames (PROTOCOL.md §6.5): `executions` and `balances`, snapshot
// and update, with their top-level `sequence`. Every documented field is read into a typed item:
// decimals from the JSON number text (never through double), times from RFC 3339, Kraken's words
// as Word<E> so an unknown exec_type or order_status is kept raw and counted. Kraken sends only
// the fields relevant to each event (a `new` event has no symbol or side), so nearly every field
// is optional: an empty string or an absent optional is a field Kraken did not send. Shapes only:
// what the fields mean for an order's state is the order manager's business. The simulator's
// private frames are read by the same parser in its tests.

#include <simdjson.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/decimal.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/kraken/vocabulary.hpp"

namespace kgw::kraken {

// One entry of a trade event's `fees` (currently in the quote currency, per the docs).
struct ExecutionFee {
  std::string asset;  // v2 asset code (USD)
  Decimal qty;
  friend bool operator==(const ExecutionFee&, const ExecutionFee&) = default;
};

// `triggers` of a stop / take-profit / trailing order.
struct ExecutionTriggers {
  Word<TriggerReference> reference;
  std::optional<Decimal> price;
  Word<PriceType> price_type;
  std::optional<Decimal> actual_price, peak_price, last_price;
  std::string status;  // triggered | untriggered
  std::optional<WallTime> timestamp;
  friend bool operator==(const ExecutionTriggers&, const ExecutionTriggers&) = default;
};

// `contingent`: the conditional close order (OTO) of an order.
struct ExecutionContingent {
  Word<OrderType> order_type;
  std::optional<Decimal> trigger_price, limit_price;
  Word<PriceType> trigger_price_type, limit_price_type;
  friend bool operator==(const ExecutionContingent&, const ExecutionContingent&) = default;
};

// One item of an `executions` frame: an order event, or a trade (exec_type `trade`, with the
// trade fields). order_id and exec_type are always there; the rest depends on the event.
struct ExecutionItem {
  Word<ExecType> exec_type;
  std::string order_id;
  std::string cl_ord_id;
  std::optional<std::int64_t> order_userref;
  std::string symbol;  // v2 symbol (BTC/USD)
  Word<Side> side;
  Word<OrderType> order_type;
  Word<WsOrderStatus> order_status;
  std::optional<Decimal> order_qty, cash_order_qty, display_qty, display_qty_remain, limit_price;
  Word<PriceType> limit_price_type;
  Word<TimeInForce> time_in_force;
  std::optional<bool> post_only, reduce_only, margin, margin_borrow, amended, liquidated;
  std::optional<WallTime> effective_time, expire_time, timestamp;
  std::optional<Decimal> cum_qty, cum_cost, avg_price, fee_usd_equiv;
  Word<FeePreference> fee_ccy_pref;  // fcib | fciq
  std::string position_status, reason, sender_sub_id, ord_ref_id;
  std::optional<ExecutionTriggers> triggers;
  std::optional<ExecutionContingent> contingent;
  // Trade events.
  std::string exec_id;  // the trade's id (TradesHistory's key in REST)
  std::optional<std::int64_t> trade_id;
  std::optional<Decimal> last_qty, last_price, cost;
  std::string liquidity_ind;  // m (maker) | t (taker)
  std::vector<ExecutionFee> fees;
  // Deprecated by Kraken, still sent (the docs' pending_new example has stop_price).
  std::optional<Decimal> stop_price, triggered_price;
  std::string trigger, cancel_reason;

  bool is_trade() const noexcept { return !exec_id.empty(); }
  friend bool operator==(const ExecutionItem&, const ExecutionItem&) = default;
};

struct BalanceWallet {
  std::string type;  // spot | earn
  std::string id;    // main | flex | bonded | ...
  Decimal balance;
  friend bool operator==(const BalanceWallet&, const BalanceWallet&) = default;
};

// One item of a `balances` frame. A snapshot item is an asset's total and its wallets; an update
// item is one ledger transaction (a trade gives one per asset, sharing ref_id), whose `balance`
// is the asset's total after it. The frame's type says which fields to expect.
struct BalanceItem {
  std::string asset;        // v2 asset code (BTC, USD)
  std::string asset_class;  // currency
  Decimal balance;
  std::vector<BalanceWallet> wallets;  // snapshot
  // Update (ledger transaction).
  std::string ledger_id, ref_id, type, subtype, category, wallet_type, wallet_id;
  std::optional<WallTime> timestamp;
  std::optional<Decimal> amount, fee;
  friend bool operator==(const BalanceItem&, const BalanceItem&) = default;
};

enum class PrivateFrameKind : unsigned char {
  executions,
  balances,
  heartbeat,
  status,
  method,  // a method reply (ack, order answer): not read here, see WsReplyParser
  other,   // another channel
};

// A parsed frame. Spans and views point into the parser and are valid until its next parse().
struct PrivateFrame {
  PrivateFrameKind kind = PrivateFrameKind::other;
  bool snapshot = false;                  // `type`
  std::optional<std::uint64_t> sequence;  // per channel and connection; the snapshot is 1
  std::span<const ExecutionItem> executions;
  std::span<const BalanceItem> balances;
  // Words not in core's vocabulary (a new exec_type, say): kept raw in the items, counted here,
  // the first one named ("exec_type 'foo'") so the caller can report it.
  std::uint32_t unknown_words = 0;
  std::string first_unknown;
};

// PrivateChannelParser: reads executions and balances frames with one reused simdjson ondemand
// parser, into items it reuses (after warm-up a parse allocates nothing). Owned by the thread
// that reads the private connection; not thread-safe. A malformed frame is errc::parse_error
// naming the field, never a crash. Bounded: at most kMaxItems items a frame, kMaxFees fees an
// item, kMaxWallets wallets an asset, frames up to kMaxFrameBytes.
class PrivateChannelParser {
 public:
  static constexpr std::size_t kMaxItems = 10'000;
  static constexpr std::size_t kMaxFees = 16;
  static constexpr std::size_t kMaxWallets = 64;
  static constexpr std::size_t kMaxFrameBytes = 16u << 20;

  PrivateChannelParser();
  ~PrivateChannelParser();
  PrivateChannelParser(const PrivateChannelParser&) = delete;
  PrivateChannelParser& operator=(const PrivateChannelParser&) = delete;

  // `frame` followed by at least simdjson::SIMDJSON_PADDING readable bytes (a WS read buffer);
  // otherwise use parse_copy().
  result<const PrivateFrame*> parse(simdjson::padded_string_view frame);
  result<const PrivateFrame*> parse_copy(std::string_view frame);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kgw::kraken
