#include "kgw/core/instrument.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace kgw {

struct InstrumentRegistry::Snapshot {
  std::vector<std::shared_ptr<const Asset>> assets;
  std::vector<std::shared_ptr<const Instrument>> instruments;
  std::unordered_map<std::string, std::size_t> pair_names;   // upper-cased spelling -> index
  std::unordered_map<std::string, std::size_t> asset_names;  // upper-cased spelling -> index
};

namespace {

constexpr std::pair<std::string_view, PairStatus> kStatuses[] = {
    {"online", PairStatus::online},
    {"cancel_only", PairStatus::cancel_only},
    {"post_only", PairStatus::post_only},
    {"limit_only", PairStatus::limit_only},
    {"reduce_only", PairStatus::reduce_only},
    {"maintenance", PairStatus::maintenance},
    {"delisted", PairStatus::delisted},
    {"work_in_progress", PairStatus::work_in_progress},
};

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Legacy asset ids are 4 letters with an X (crypto) or Z (fiat) prefix: XXBT, ZUSD, XETH.
std::string strip_legacy_prefix(std::string_view id) {
  if (id.size() == 4 && (id[0] == 'X' || id[0] == 'Z')) return std::string(id.substr(1));
  return std::string(id);
}

result<std::int64_t> to_grid(const std::optional<Decimal>& d, int precision, std::string_view what,
                             std::string_view symbol) {
  auto r = d->to_fixed(precision);
  if (!r) return Error(r.error().code, fmt::format("{} {} = {} does not fit precision {}", symbol, what, d->to_string(), precision));
  return *r;
}

// `value` at precision `from` expressed at precision `to`; `floor` if it cannot be represented.
std::int64_t rescale(std::int64_t value, int from, int to, std::int64_t floor) {
  if (to == from) return value;
  if (to > from) return value * kPow10[to - from];
  const std::int64_t div = kPow10[from - to];
  return value % div == 0 && value / div > 0 ? value / div : floor;
}

}  // namespace

PairStatus parse_pair_status(std::string_view s) noexcept {
  for (const auto& [name, st] : kStatuses)
    if (name == s) return st;
  return PairStatus::unknown;
}

std::string_view to_string(PairStatus s) noexcept {
  for (const auto& [name, st] : kStatuses)
    if (st == s) return name;
  return "unknown";
}

std::string asset_code_from_altname(std::string_view altname) {
  if (altname == "XBT") return "BTC";
  if (altname == "XDG") return "DOGE";
  return std::string(altname);
}

InstrumentRegistry::InstrumentRegistry() : current_(std::make_shared<const Snapshot>()) {}

std::shared_ptr<const InstrumentRegistry::Snapshot> InstrumentRegistry::snapshot() const {
  std::lock_guard lock(read_mu_);
  return current_;
}

void InstrumentRegistry::publish(std::shared_ptr<const Snapshot> next) {
  {
    std::lock_guard lock(read_mu_);
    current_.swap(next);
  }
  version_.fetch_add(1, std::memory_order_acq_rel);
  // `next` (the old snapshot) is released here, outside the read lock.
}

result<std::shared_ptr<InstrumentRegistry::Snapshot>> InstrumentRegistry::build(std::vector<Asset> assets,
                                                                                 std::vector<Instrument> instruments) {
  auto snap = std::make_shared<Snapshot>();
  for (auto& a : assets) {
    if (a.altname.empty()) a.altname = strip_legacy_prefix(a.id);
    if (a.code.empty()) a.code = asset_code_from_altname(a.altname);
    const std::size_t idx = snap->assets.size();
    for (const auto* name : {&a.id, &a.altname, &a.code}) snap->asset_names.emplace(upper(*name), idx);
    snap->assets.push_back(std::make_shared<const Asset>(std::move(a)));
  }
  auto code_of = [&](const std::string& id) -> std::string {
    if (auto it = snap->asset_names.find(upper(id)); it != snap->asset_names.end()) return snap->assets[it->second]->code;
    return asset_code_from_altname(strip_legacy_prefix(id));
  };
  // Primary spellings first so that a derived one (BTCUSD) never shadows another pair's name.
  std::vector<std::vector<std::string>> spellings;
  for (auto& in : instruments) {
    if (in.base.empty()) in.base = code_of(in.base_asset);
    if (in.quote.empty()) in.quote = code_of(in.quote_asset);
    if (in.symbol.empty()) in.symbol = in.base + "/" + in.quote;
    if (in.altname.empty()) in.altname = in.rest_key;
    if (in.price_precision < 0 || in.price_precision > kMaxScale || in.qty_precision < 0 ||
        in.qty_precision > kMaxScale)
      return Error(errc::invalid_argument, fmt::format("{}: precision outside 0..{}", in.rest_key, kMaxScale));
    if (in.price_increment <= 0) in.price_increment = 1;
    if (in.qty_increment <= 0) in.qty_increment = 1;
    std::string no_slash = in.symbol;
    no_slash.erase(std::remove(no_slash.begin(), no_slash.end(), '/'), no_slash.end());
    spellings.push_back({in.rest_key, in.altname, in.wsname, in.symbol, no_slash});
  }
  for (std::size_t pass = 0; pass < 5; ++pass)
    for (std::size_t i = 0; i < instruments.size(); ++i) {
      const auto& s = spellings[i][pass];
      if (!s.empty()) snap->pair_names.emplace(upper(s), i);
    }
  for (auto& in : instruments) snap->instruments.push_back(std::make_shared<const Instrument>(std::move(in)));
  return snap;
}

result<void> InstrumentRegistry::load(std::vector<Asset> assets, std::vector<Instrument> instruments) {
  std::lock_guard lock(write_mu_);
  auto snap = build(std::move(assets), std::move(instruments));
  if (!snap) return snap.error();
  publish(std::move(*snap));
  return {};
}

InstrumentRegistry::InstrumentPtr InstrumentRegistry::find(std::string_view name) const {
  auto snap = snapshot();
  auto it = snap->pair_names.find(upper(name));
  if (it == snap->pair_names.end()) return nullptr;
  // Entries are shared so a reader keeps its instrument alive across a registry update.
  return snap->instruments[it->second];
}

result<InstrumentRegistry::InstrumentPtr> InstrumentRegistry::resolve(std::string_view name, std::string_view field) const {
  if (name.empty()) return Error(errc::invalid_argument, fmt::format("{}: must not be empty", field));
  if (auto p = find(name)) return p;
  return Error(errc::not_found, fmt::format("{}: unknown asset pair '{}'", field, name.substr(0, 64)));
}

InstrumentRegistry::AssetPtr InstrumentRegistry::find_asset(std::string_view name) const {
  auto snap = snapshot();
  auto it = snap->asset_names.find(upper(name));
  return it == snap->asset_names.end() ? nullptr : snap->assets[it->second];
}

result<void> InstrumentRegistry::apply(const InstrumentUpdate& update) { return apply(std::vector<InstrumentUpdate>{update}); }

result<void> InstrumentRegistry::apply(const std::vector<InstrumentUpdate>& updates) {
  std::lock_guard lock(write_mu_);
  auto snap = snapshot();
  std::vector<Asset> assets;
  for (const auto& a : snap->assets) assets.push_back(*a);
  std::vector<Instrument> instruments;
  for (const auto& i : snap->instruments) instruments.push_back(*i);
  std::unordered_map<std::string, std::size_t> names = snap->pair_names;
  for (const auto& u : updates)
    if (auto r = apply_one(u, instruments, names); !r) return r;
  auto rebuilt = build(std::move(assets), std::move(instruments));
  if (!rebuilt) return rebuilt.error();
  publish(std::move(*rebuilt));
  return {};
}

result<void> InstrumentRegistry::apply_one(const InstrumentUpdate& u, std::vector<Instrument>& instruments,
                                           std::unordered_map<std::string, std::size_t>& names) {
  Instrument* target = nullptr;
  if (auto it = names.find(upper(u.symbol)); it != names.end()) target = &instruments[it->second];
  if (!target) {
    Instrument fresh;
    fresh.symbol = u.symbol;
    fresh.wsname = u.symbol;
    fresh.base = u.base;
    fresh.quote = u.quote;
    std::string key = u.base + u.quote;
    fresh.rest_key = key;
    fresh.altname = key;
    fresh.base_asset = u.base;
    fresh.quote_asset = u.quote;
    names.emplace(upper(u.symbol), instruments.size());
    instruments.push_back(std::move(fresh));
    target = &instruments.back();
  }
  Instrument next = *target;
  if (u.status) next.status = *u.status;
  if (u.price_precision) next.price_precision = *u.price_precision;
  if (u.qty_precision) next.qty_precision = *u.qty_precision;
  if (u.cost_precision) next.cost_precision = *u.cost_precision;
  if (next.price_precision < 0 || next.price_precision > kMaxScale || next.qty_precision < 0 ||
      next.qty_precision > kMaxScale)
    return Error(errc::invalid_argument, fmt::format("{}: precision outside 0..{}", u.symbol, kMaxScale));
  // A precision change without new grid values keeps the grid's real value, in the new units.
  next.price_increment = rescale(next.price_increment, target->price_precision, next.price_precision, 1);
  next.qty_increment = rescale(next.qty_increment, target->qty_precision, next.qty_precision, 1);
  next.qty_min = rescale(next.qty_min, target->qty_precision, next.qty_precision, 0);
  if (u.price_increment) {
    auto r = to_grid(u.price_increment, next.price_precision, "price_increment", u.symbol);
    if (!r) return r.error();
    next.price_increment = *r > 0 ? *r : 1;
  }
  if (u.qty_increment) {
    auto r = to_grid(u.qty_increment, next.qty_precision, "qty_increment", u.symbol);
    if (!r) return r.error();
    next.qty_increment = *r > 0 ? *r : 1;
  }
  if (u.qty_min) {
    auto r = to_grid(u.qty_min, next.qty_precision, "qty_min", u.symbol);
    if (!r) return r.error();
    next.qty_min = *r;
  }
  if (u.cost_min) next.cost_min = *u.cost_min;
  if (u.margin_initial) next.margin_initial = *u.margin_initial;
  if (u.has_index) next.has_index = *u.has_index;
  if (u.position_limit_long) next.long_position_limit = *u.position_limit_long;
  if (u.position_limit_short) next.short_position_limit = *u.position_limit_short;
  *target = std::move(next);

  return {};
}

std::vector<InstrumentRegistry::InstrumentPtr> InstrumentRegistry::instruments() const {
  auto snap = snapshot();
  return {snap->instruments.begin(), snap->instruments.end()};
}

std::vector<InstrumentRegistry::AssetPtr> InstrumentRegistry::assets() const {
  auto snap = snapshot();
  return {snap->assets.begin(), snap->assets.end()};
}

std::size_t InstrumentRegistry::size() const { return snapshot()->instruments.size(); }

}  // namespace kgw
