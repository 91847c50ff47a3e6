#pragma once
// Instruments and assets, and the registry that resolves every Kraken spelling of a pair
// (REST key `XXBTZUSD`, altname `XBTUSD`, wsname `XBT/USD`, WS v2 symbol `BTC/USD`, and `BTCUSD`)
// and of an asset (`XXBT`, `XBT`, `BTC`) to one entry. The registry is loaded from REST
// AssetPairs + Assets and updated by the WS v2 `instrument` channel. Readers on any thread get
// immutable entries (shared_ptr, valid across later updates); updates copy-on-write. Taking the
// current snapshot is a short mutex-guarded pointer copy: lookups happen per request, not per
// market-data message (the feed keeps its own per-symbol pointers), and libstdc++ 12's
// atomic<shared_ptr> is invisible to TSan.

#include "kgw/core/decimal.hpp"
#include "kgw/core/error.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace kgw {

// Pair status from AssetPairs (`online, cancel_only, post_only, limit_only, reduce_only`) and
// the v2 instrument channel (adds `maintenance, delisted, work_in_progress`).
enum class PairStatus : unsigned char {
  online,
  cancel_only,
  post_only,
  limit_only,
  reduce_only,
  maintenance,
  delisted,
  work_in_progress,
  unknown,
};
PairStatus parse_pair_status(std::string_view s) noexcept;
std::string_view to_string(PairStatus s) noexcept;

struct Asset {
  std::string id;       // REST asset id: XXBT, ZUSD, SOL
  std::string altname;  // XBT, USD, SOL
  std::string code;     // WS v2 / common code: BTC, USD, SOL
  std::string aclass = "currency";
  int decimals = 8;
  int display_decimals = 5;
  Decimal collateral_value;
  Decimal margin_rate;  // WS v2 instrument channel `margin_rate` (borrowing), 0 if unknown
  std::string status = "enabled";
};

// A volume tier of a fee schedule: from `volume` (in fee_volume_currency) the fee is `percent`.
struct FeeTier {
  Decimal volume;
  Decimal percent;
};

struct Instrument {
  std::string rest_key;  // XXBTZUSD (AssetPairs key; REST result keys)
  std::string altname;   // XBTUSD (REST `pair` input, OpenOrders descr.pair)
  std::string wsname;    // XBT/USD (WS v1)
  std::string symbol;    // BTC/USD (WS v2)
  std::string base_asset, quote_asset;  // REST asset ids: XXBT, ZUSD
  std::string base, quote;              // v2 codes: BTC, USD
  std::string aclass_base = "currency", aclass_quote = "currency";
  int price_precision = 0;  // pair_decimals / price_precision
  int qty_precision = 8;    // lot_decimals / qty_precision
  int cost_precision = 0;   // cost_decimals / cost_precision
  int lot_multiplier = 1;
  std::int64_t price_increment = 1;  // tick_size, in units of 10^-price_precision
  std::int64_t qty_increment = 1;    // in units of 10^-qty_precision
  std::int64_t qty_min = 0;          // ordermin, in units of 10^-qty_precision
  Decimal cost_min;                  // costmin, in quote currency
  std::vector<int> leverage_buy, leverage_sell;
  std::vector<FeeTier> fees_taker, fees_maker;
  std::string fee_volume_currency;
  int margin_call = 0, margin_stop = 0;
  std::int64_t long_position_limit = 0, short_position_limit = 0;
  PairStatus status = PairStatus::online;
  bool has_index = false;
  Decimal margin_initial;
  std::string execution_venue;

  bool marginable() const noexcept { return !leverage_buy.empty() || !leverage_sell.empty(); }
  // Exact grid checks (DESIGN.md §4).
  bool price_on_grid(Price p) const noexcept { return on_grid(p.value, price_increment); }
  bool qty_on_grid(Qty q) const noexcept { return on_grid(q.value, qty_increment); }
};

// What the v2 `instrument` channel says about one pair; absent fields leave the registry as is.
struct InstrumentUpdate {
  std::string symbol;  // BTC/USD
  std::string base, quote;
  std::optional<PairStatus> status;
  std::optional<int> price_precision, qty_precision, cost_precision;
  std::optional<Decimal> price_increment, qty_increment, qty_min, cost_min, margin_initial;
  std::optional<bool> has_index;
  std::optional<bool> marginable;
  std::optional<std::int64_t> position_limit_long, position_limit_short;
};

// v2 code for a Kraken asset altname: XBT -> BTC, XDG -> DOGE, others unchanged.
std::string asset_code_from_altname(std::string_view altname);

class InstrumentRegistry {
 public:
  using InstrumentPtr = std::shared_ptr<const Instrument>;
  using AssetPtr = std::shared_ptr<const Asset>;

  InstrumentRegistry();

  // Replaces the whole content. Fills derived fields (v2 codes and symbol) from the assets;
  // an asset missing from `assets` falls back to stripping the legacy X/Z prefix of its id.
  result<void> load(std::vector<Asset> assets, std::vector<Instrument> instruments);

  // Any spelling, case-insensitive: XXBTZUSD, XBTUSD, XBT/USD, BTC/USD, BTCUSD, btc/usd.
  InstrumentPtr find(std::string_view name) const;
  // As find(), but an unknown name is errc::not_found whose detail names `field`.
  result<InstrumentPtr> resolve(std::string_view name, std::string_view field = "pair") const;
  // XXBT, XBT, BTC, xbt.
  AssetPtr find_asset(std::string_view name) const;

  // Applies an instrument-channel update (precisions, increments, minimums, status); a pair not
  // known yet is added with its v2 names. The update's decimals must fit the new precisions.
  result<void> apply(const InstrumentUpdate& update);
  // Applies every update of one instrument message as one new snapshot; all or nothing.
  result<void> apply(const std::vector<InstrumentUpdate>& updates);

  std::vector<InstrumentPtr> instruments() const;
  std::vector<AssetPtr> assets() const;
  std::size_t size() const;
  // Incremented by every load()/apply(); lets caches notice a change cheaply.
  std::uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }

 private:
  struct Snapshot;
  std::shared_ptr<const Snapshot> snapshot() const;
  static result<std::shared_ptr<Snapshot>> build(std::vector<Asset> assets, std::vector<Instrument> instruments);
  static result<void> apply_one(const InstrumentUpdate& u, std::vector<Instrument>& instruments,
                                std::unordered_map<std::string, std::size_t>& names);
  void publish(std::shared_ptr<const Snapshot> next);

  mutable std::mutex read_mu_;  // guards current_ (the pointer copy only)
  std::shared_ptr<const Snapshot> current_;
  std::mutex write_mu_;  // serialises writers
  std::atomic<std::uint64_t> version_{0};
};

}  // namespace kgw
