// WS v2 `executions` and `balances` frames (PROTOCOL.md §6.5), read with one reused simdjson
// ondemand parser into reused items.
#include "kgw/core/kraken/private_channels.hpp"

#include <fmt/format.h>

#include <cstring>

#include "kgw/core/kraken/json.hpp"

namespace kgw::kraken {
namespace {

namespace od = simdjson::ondemand;

Error bad(std::string_view where, std::string_view field, std::string_view why) {
  return Error(errc::parse_error, fmt::format("{} `{}`: {}", where, field, why));
}

template <class E>
void clear(Word<E>& w) noexcept {
  w.value.reset();
  w.raw.clear();
}

// Resets a reused item, keeping its strings' capacity. Every member is listed; the parser test
// compares a reused item with a fresh one, so a member forgotten here fails it.
void reset(ExecutionItem& x) noexcept {
  clear(x.exec_type);
  x.order_id.clear();
  x.cl_ord_id.clear();
  x.order_userref.reset();
  x.symbol.clear();
  clear(x.side);
  clear(x.order_type);
  clear(x.order_status);
  x.order_qty.reset();
  x.cash_order_qty.reset();
  x.display_qty.reset();
  x.display_qty_remain.reset();
  x.limit_price.reset();
  clear(x.limit_price_type);
  clear(x.time_in_force);
  x.post_only.reset();
  x.reduce_only.reset();
  x.margin.reset();
  x.margin_borrow.reset();
  x.amended.reset();
  x.liquidated.reset();
  x.effective_time.reset();
  x.expire_time.reset();
  x.timestamp.reset();
  x.cum_qty.reset();
  x.cum_cost.reset();
  x.avg_price.reset();
  x.fee_usd_equiv.reset();
  clear(x.fee_ccy_pref);
  x.position_status.clear();
  x.reason.clear();
  x.sender_sub_id.clear();
  x.ord_ref_id.clear();
  x.triggers.reset();
  x.contingent.reset();
  x.exec_id.clear();
  x.trade_id.reset();
  x.last_qty.reset();
  x.last_price.reset();
  x.cost.reset();
  x.liquidity_ind.clear();
  x.fees.clear();
  x.stop_price.reset();
  x.triggered_price.reset();
  x.trigger.clear();
  x.cancel_reason.clear();
}

void reset(BalanceItem& x) noexcept {
  x.asset.clear();
  x.asset_class.clear();
  x.balance = Decimal{};
  x.wallets.clear();
  x.ledger_id.clear();
  x.ref_id.clear();
  x.type.clear();
  x.subtype.clear();
  x.category.clear();
  x.wallet_type.clear();
  x.wallet_id.clear();
  x.timestamp.reset();
  x.amount.reset();
  x.fee.reset();
}

// Field readers: each names the item kind (`where`) and the field in its error.
struct Reader {
  std::string_view where;
  PrivateFrame& frame;

  result<void> text(od::value v, std::string& out, std::string_view field) const {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return bad(where, field, simdjson::error_message(e));
    out.assign(s);
    return {};
  }
  result<void> decimal(od::value v, std::optional<Decimal>& out, std::string_view field) const {
    Decimal d;
    if (auto r = decimal(v, d, field); !r) return r;
    out = d;
    return {};
  }
  result<void> decimal(od::value v, Decimal& out, std::string_view field) const {
    auto d = read_decimal(v, field);  // its error starts with the field's name
    if (!d) return Error(errc::parse_error, fmt::format("{}: {}", where, d.error().detail));
    out = *d;
    return {};
  }
  result<void> integer(od::value v, std::optional<std::int64_t>& out, std::string_view field) const {
    std::int64_t n = 0;
    if (auto e = v.get_int64().get(n)) return bad(where, field, simdjson::error_message(e));
    out = n;
    return {};
  }
  result<void> boolean(od::value v, std::optional<bool>& out, std::string_view field) const {
    bool b = false;
    if (auto e = v.get_bool().get(b)) return bad(where, field, simdjson::error_message(e));
    out = b;
    return {};
  }
  result<void> time(od::value v, std::optional<WallTime>& out, std::string_view field) const {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return bad(where, field, simdjson::error_message(e));
    auto t = parse_rfc3339(s);
    if (!t) return bad(where, field, fmt::format("'{}' is not an RFC 3339 time", s.substr(0, 40)));
    out = *t;
    return {};
  }
  template <class E>
  result<void> word(od::value v, Word<E>& out, std::string_view field) const {
    std::string_view s;
    if (auto e = v.get_string().get(s)) return bad(where, field, simdjson::error_message(e));
    out.raw.assign(s);
    out.value = parse_word<E>(s);
    if (!out.value) {
      if (frame.unknown_words++ == 0) frame.first_unknown = fmt::format("{} '{}'", field, s.substr(0, 40));
    }
    return {};
  }
};

// Calls fn(key, value) for each member of the object `v`.
template <class Fn>
result<void> each_member(od::value v, std::string_view where, Fn&& fn) {
  od::object o;
  if (auto e = v.get_object().get(o)) return bad(where, "item", simdjson::error_message(e));
  for (auto f : o) {
    od::field field;
    if (auto e = std::move(f).get(field)) return bad(where, "item", simdjson::error_message(e));
    std::string_view key;
    if (auto e = field.unescaped_key().get(key)) return bad(where, "key", simdjson::error_message(e));
    if (auto r = fn(key, field.value()); !r) return r;
  }
  return {};
}

// Calls fn(value) for each element of the array `v`, at most `max` of them.
template <class Fn>
result<void> each_element(od::value v, std::string_view where, std::string_view field, std::size_t max, Fn&& fn) {
  od::array arr;
  if (auto e = v.get_array().get(arr)) return bad(where, field, simdjson::error_message(e));
  std::size_t n = 0;
  for (auto element : arr) {
    od::value x;
    if (auto e = element.get(x)) return bad(where, field, simdjson::error_message(e));
    if (++n > max) return bad(where, field, fmt::format("more than {} entries", max));
    if (auto r = fn(x); !r) return r;
  }
  return {};
}

result<void> read_triggers(const Reader& r, od::value v, ExecutionTriggers& t) {
  return each_member(v, "executions triggers", [&](std::string_view k, od::value x) -> result<void> {
    if (k == "reference") return r.word(x, t.reference, "triggers.reference");
    if (k == "price") return r.decimal(x, t.price, "triggers.price");
    if (k == "price_type") return r.word(x, t.price_type, "triggers.price_type");
    if (k == "actual_price") return r.decimal(x, t.actual_price, "triggers.actual_price");
    if (k == "peak_price") return r.decimal(x, t.peak_price, "triggers.peak_price");
    if (k == "last_price") return r.decimal(x, t.last_price, "triggers.last_price");
    if (k == "status") return r.text(x, t.status, "triggers.status");
    if (k == "timestamp") return r.time(x, t.timestamp, "triggers.timestamp");
    return {};
  });
}

result<void> read_contingent(const Reader& r, od::value v, ExecutionContingent& c) {
  return each_member(v, "executions contingent", [&](std::string_view k, od::value x) -> result<void> {
    if (k == "order_type") return r.word(x, c.order_type, "contingent.order_type");
    if (k == "trigger_price") return r.decimal(x, c.trigger_price, "contingent.trigger_price");
    if (k == "trigger_price_type") return r.word(x, c.trigger_price_type, "contingent.trigger_price_type");
    if (k == "limit_price") return r.decimal(x, c.limit_price, "contingent.limit_price");
    if (k == "limit_price_type") return r.word(x, c.limit_price_type, "contingent.limit_price_type");
    return {};
  });
}

// One field of an executions item. Unknown fields are skipped: Kraken adds fields over time.
result<void> execution_field(const Reader& r, ExecutionItem& x, std::string_view k, od::value v) {
  switch (k.empty() ? '\0' : k.front()) {
    case 'a':
      if (k == "avg_price") return r.decimal(v, x.avg_price, k);
      if (k == "amended") return r.boolean(v, x.amended, k);
      break;
    case 'c':
      if (k == "cl_ord_id") return r.text(v, x.cl_ord_id, k);
      if (k == "cum_qty") return r.decimal(v, x.cum_qty, k);
      if (k == "cum_cost") return r.decimal(v, x.cum_cost, k);
      if (k == "cost") return r.decimal(v, x.cost, k);
      if (k == "cash_order_qty") return r.decimal(v, x.cash_order_qty, k);
      if (k == "cancel_reason") return r.text(v, x.cancel_reason, k);
      if (k == "contingent") return read_contingent(r, v, x.contingent.emplace());
      break;
    case 'd':
      if (k == "display_qty") return r.decimal(v, x.display_qty, k);
      if (k == "display_qty_remain") return r.decimal(v, x.display_qty_remain, k);
      break;
    case 'e':
      if (k == "exec_type") return r.word(v, x.exec_type, k);
      if (k == "exec_id") return r.text(v, x.exec_id, k);
      if (k == "effective_time") return r.time(v, x.effective_time, k);
      if (k == "expire_time") return r.time(v, x.expire_time, k);
      break;
    case 'f':
      if (k == "fee_usd_equiv") return r.decimal(v, x.fee_usd_equiv, k);
      if (k == "fee_ccy_pref") return r.word(v, x.fee_ccy_pref, k);
      if (k == "fees")
        return each_element(v, r.where, k, PrivateChannelParser::kMaxFees, [&](od::value f) -> result<void> {
          ExecutionFee& fee = x.fees.emplace_back();
          bool has_asset = false, has_qty = false;
          auto ok = each_member(f, "executions fees", [&](std::string_view fk, od::value fv) -> result<void> {
            if (fk == "asset") {
              has_asset = true;
              return r.text(fv, fee.asset, "fees.asset");
            }
            if (fk == "qty") {
              has_qty = true;
              return r.decimal(fv, fee.qty, "fees.qty");
            }
            return {};
          });
          if (!ok) return ok;
          if (!has_asset || !has_qty) return bad(r.where, "fees", "an entry without asset or qty");
          return {};
        });
      break;
    case 'l':
      if (k == "limit_price") return r.decimal(v, x.limit_price, k);
      if (k == "limit_price_type") return r.word(v, x.limit_price_type, k);
      if (k == "last_qty") return r.decimal(v, x.last_qty, k);
      if (k == "last_price") return r.decimal(v, x.last_price, k);
      if (k == "liquidity_ind") return r.text(v, x.liquidity_ind, k);
      if (k == "liquidated") return r.boolean(v, x.liquidated, k);
      break;
    case 'm':
      if (k == "margin") return r.boolean(v, x.margin, k);
      if (k == "margin_borrow") return r.boolean(v, x.margin_borrow, k);
      break;
    case 'o':
      if (k == "order_id") return r.text(v, x.order_id, k);
      if (k == "order_status") return r.word(v, x.order_status, k);
      if (k == "order_type") return r.word(v, x.order_type, k);
      if (k == "order_qty") return r.decimal(v, x.order_qty, k);
      if (k == "order_userref") return r.integer(v, x.order_userref, k);
      if (k == "ord_ref_id") return r.text(v, x.ord_ref_id, k);
      break;
    case 'p':
      if (k == "post_only") return r.boolean(v, x.post_only, k);
      if (k == "position_status") return r.text(v, x.position_status, k);
      break;
    case 'r':
      if (k == "reduce_only") return r.boolean(v, x.reduce_only, k);
      if (k == "reason") return r.text(v, x.reason, k);
      break;
    case 's':
      if (k == "symbol") return r.text(v, x.symbol, k);
      if (k == "side") return r.word(v, x.side, k);
      if (k == "stop_price") return r.decimal(v, x.stop_price, k);
      if (k == "sender_sub_id") return r.text(v, x.sender_sub_id, k);
      break;
    case 't':
      if (k == "timestamp") return r.time(v, x.timestamp, k);
      if (k == "time_in_force") return r.word(v, x.time_in_force, k);
      if (k == "trade_id") return r.integer(v, x.trade_id, k);
      if (k == "triggers") return read_triggers(r, v, x.triggers.emplace());
      if (k == "trigger") return r.text(v, x.trigger, k);
      if (k == "triggered_price") return r.decimal(v, x.triggered_price, k);
      break;
    default:
      break;
  }
  return {};
}

result<void> balance_field(const Reader& r, BalanceItem& x, std::string_view k, od::value v, bool& has_balance) {
  if (k == "asset") return r.text(v, x.asset, k);
  if (k == "asset_class") return r.text(v, x.asset_class, k);
  if (k == "balance") {
    has_balance = true;
    return r.decimal(v, x.balance, k);
  }
  if (k == "wallets")
    return each_element(v, r.where, k, PrivateChannelParser::kMaxWallets, [&](od::value w) -> result<void> {
      BalanceWallet& wallet = x.wallets.emplace_back();
      bool has_wallet_balance = false;
      auto ok = each_member(w, "balances wallets", [&](std::string_view wk, od::value wv) -> result<void> {
        if (wk == "type") return r.text(wv, wallet.type, "wallets.type");
        if (wk == "id") return r.text(wv, wallet.id, "wallets.id");
        if (wk == "balance") {
          has_wallet_balance = true;
          return r.decimal(wv, wallet.balance, "wallets.balance");
        }
        return {};
      });
      if (!ok) return ok;
      if (!has_wallet_balance) return bad(r.where, "wallets", "an entry without balance");
      return {};
    });
  if (k == "ledger_id") return r.text(v, x.ledger_id, k);
  if (k == "ref_id") return r.text(v, x.ref_id, k);
  if (k == "timestamp") return r.time(v, x.timestamp, k);
  if (k == "type") return r.text(v, x.type, k);
  if (k == "subtype") return r.text(v, x.subtype, k);
  if (k == "category") return r.text(v, x.category, k);
  if (k == "wallet_type") return r.text(v, x.wallet_type, k);
  if (k == "wallet_id") return r.text(v, x.wallet_id, k);
  if (k == "amount") return r.decimal(v, x.amount, k);
  if (k == "fee") return r.decimal(v, x.fee, k);
  return {};
}

}  // namespace

struct PrivateChannelParser::Impl {
  od::parser parser{kMaxFrameBytes};
  std::string copy;
  PrivateFrame frame;
  // Items are reused across frames; the first n of each are this frame's.
  std::vector<ExecutionItem> executions;
  std::vector<BalanceItem> balances;
  std::size_t n_executions = 0, n_balances = 0;

  Impl() {
    executions.resize(64);
    balances.resize(64);
  }

  template <class T>
  T& next(std::vector<T>& pool, std::size_t& n) {
    if (n == pool.size()) pool.resize(pool.size() * 2);
    T& x = pool[n++];
    reset(x);
    return x;
  }

  result<void> read_data(std::string_view channel, od::value v) {
    const bool exec = channel == "executions";
    const std::string_view where = exec ? "executions" : "balances";
    std::size_t count = 0;
    return each_element(v, where, "data", kMaxItems, [&](od::value item) -> result<void> {
      ++count;
      const Reader r{where, frame};
      if (exec) {
        ExecutionItem& x = next(executions, n_executions);
        auto ok = each_member(item, where, [&](std::string_view k, od::value fv) { return execution_field(r, x, k, fv); });
        if (!ok) return ok;
        if (x.order_id.empty()) return bad(where, "order_id", fmt::format("missing in item {}", count - 1));
        if (x.exec_type.raw.empty()) return bad(where, "exec_type", fmt::format("missing in item {}", count - 1));
        return {};
      }
      BalanceItem& x = next(balances, n_balances);
      bool has_balance = false;
      auto ok = each_member(item, where, [&](std::string_view k, od::value fv) { return balance_field(r, x, k, fv, has_balance); });
      if (!ok) return ok;
      if (x.asset.empty()) return bad(where, "asset", fmt::format("missing in item {}", count - 1));
      if (!has_balance) return bad(where, "balance", fmt::format("missing in item {}", count - 1));
      return {};
    });
  }

  result<const PrivateFrame*> parse(simdjson::padded_string_view text) {
    frame.kind = PrivateFrameKind::other;
    frame.snapshot = false;
    frame.sequence.reset();
    frame.unknown_words = 0;
    frame.first_unknown.clear();
    n_executions = n_balances = 0;
    od::document doc;
    if (auto e = parser.iterate(text).get(doc)) return json_error(e, "frame");
    od::object root;
    if (auto e = doc.get_object().get(root)) return json_error(e, "frame is not a JSON object");
    std::string_view channel, type;
    bool has_data = false;
    for (auto f : root) {
      od::field field;
      if (auto e = std::move(f).get(field)) return json_error(e, "frame");
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return json_error(e, "frame key");
      if (key == "channel") {
        if (auto e = field.value().get_string().get(channel)) return json_error(e, "`channel`");
      } else if (key == "type") {
        if (auto e = field.value().get_string().get(type)) return json_error(e, "`type`");
      } else if (key == "sequence") {
        std::uint64_t s = 0;
        if (auto e = field.value().get_uint64().get(s)) return json_error(e, "`sequence`");
        frame.sequence = s;
      } else if (key == "data") {
        // Kraken writes `channel` first; `type` may come after `data` (the balances snapshot
        // example does), which is why one item shape serves snapshot and update.
        if (channel.empty()) return Error(errc::parse_error, "frame: `data` before `channel`");
        if (channel == "executions" || channel == "balances") {
          if (auto r = read_data(channel, field.value()); !r) return r.error();
          has_data = true;
        }
      } else if (key == "method" || key == "Error") {
        frame.kind = PrivateFrameKind::method;
        return &frame;
      }
    }
    // simdjson 3.0's document has no at_end(); OUT_OF_BOUNDS is exactly "read to the end", so
    // `{...} junk` is refused rather than read lazily.
    if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS)
      return Error(errc::parse_error, "frame: content after the JSON object");
    if (channel.empty()) return Error(errc::parse_error, "frame has neither `channel` nor `method`");
    if (channel == "heartbeat") frame.kind = PrivateFrameKind::heartbeat;
    if (channel == "status") frame.kind = PrivateFrameKind::status;
    if (channel != "executions" && channel != "balances") return &frame;
    const std::string_view where = channel;
    if (!has_data) return bad(where, "data", "missing");
    if (type != "snapshot" && type != "update") return bad(where, "type", "must be snapshot or update");
    frame.kind = channel == "executions" ? PrivateFrameKind::executions : PrivateFrameKind::balances;
    frame.snapshot = type == "snapshot";
    if (frame.kind == PrivateFrameKind::balances && !frame.snapshot)
      for (std::size_t i = 0; i < n_balances; ++i)
        if (!balances[i].amount) return bad(where, "amount", fmt::format("missing in update item {}", i));
    frame.executions = std::span<const ExecutionItem>(executions.data(), n_executions);
    frame.balances = std::span<const BalanceItem>(balances.data(), n_balances);
    return &frame;
  }
};

PrivateChannelParser::PrivateChannelParser() : impl_(std::make_unique<Impl>()) {}
PrivateChannelParser::~PrivateChannelParser() = default;

result<const PrivateFrame*> PrivateChannelParser::parse(simdjson::padded_string_view frame) {
  auto r = impl_->parse(frame);
  if (!r) {
    impl_->frame.executions = {};
    impl_->frame.balances = {};
  }
  return r;
}

result<const PrivateFrame*> PrivateChannelParser::parse_copy(std::string_view frame) {
  std::string& buf = impl_->copy;
  const std::size_t need = frame.size() + simdjson::SIMDJSON_PADDING;
  if (buf.size() < need) buf.resize(need);
  std::memcpy(buf.data(), frame.data(), frame.size());
  std::memset(buf.data() + frame.size(), ' ', simdjson::SIMDJSON_PADDING);
  return parse(simdjson::padded_string_view(buf.data(), frame.size(), buf.size()));
}

}  // namespace kgw::kraken
