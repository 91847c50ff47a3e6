// The account view's REST half: reconciliation after a (re)connect and the positions cache
// (PROTOCOL.md §3.2–3.4). Everything is fetched first; then, with no suspension point left,
// merged in one step, so readers and subscribers see the catch-up as one change.
#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "account_writer.hpp"
#include "kgw/core/kraken/rest_service.hpp"

namespace kgw::oms {

namespace asio = boost::asio;

namespace {

constexpr std::size_t kQueryOrdersMax = 50;  // QueryOrders takes at most 50 ids

// Kraken's `start`: unix seconds, exclusive.
std::string unix_start(WallTime t) {
  const auto s = std::chrono::floor<std::chrono::seconds>(t).time_since_epoch().count();
  return std::to_string(s > 0 ? s : 0);
}

WallTime order_time(const kraken::OrderInfo& o) { return from_unix(o.closetm.is_zero() ? o.opentm : o.closetm); }

}  // namespace

asio::awaitable<result<void>> AccountView::reconcile(kraken::KrakenRestService& rest) {
  ServiceAccountRest source(rest, w_->opt.max_history_pages);
  co_return co_await reconcile(source);
}

asio::awaitable<result<void>> AccountView::refresh_positions(kraken::KrakenRestService& rest) {
  ServiceAccountRest source(rest, w_->opt.max_history_pages);
  co_return co_await refresh_positions(source);
}

asio::awaitable<result<void>> AccountView::reconcile(AccountRest& rest) {
  Writer& w = *w_;
  const std::uint64_t token = ++w.reconcile_token;
  if (!w.fresh.fresh()) co_return Error(errc::cancelled, "reconcile: the private stream's snapshots are not in");
  const std::string fills_start = unix_start(w.fills_mark - w.opt.history_slack);
  const std::string orders_start = unix_start(w.orders_mark - w.opt.history_slack);
  const std::vector<std::string> vanished = w.vanished;

  // A failure: continuity cannot be promised, so a new epoch; the marks stay for the next try.
  auto failed = [this, &w](const Error& e, std::string_view call) -> Error {
    stats_.reconcile_failures.fetch_add(1, std::memory_order_relaxed);
    w.warn(fmt::format("reconciliation failed at {}: {}; new epoch", call, e.message()));
    w.hub.begin_epoch(w.clock.wall_now().time_since_epoch().count());
    stats_.epoch_changes.fetch_add(1, std::memory_order_relaxed);
    w.hub.announce_reset(publish());
    w.hub.wake();
    Error out = e;
    out.detail = fmt::format("reconcile: {}: {}", call, e.detail);
    return out;
  };
  auto overtaken = [&w, token] { return w.reconcile_token != token; };
  const Error kOvertaken(errc::cancelled, "reconcile: overtaken by a disconnect or a newer reconcile");

  // More history since a mark than a reconciliation reads (max_history_pages) cannot be
  // recovered by trying again from the same point: the next attempt starts from this one, and
  // what lies between is given up with the epoch. The snapshot's last trades are the newest
  // fills; orders the snapshot no longer lists are still asked for by id.
  const WallTime attempted = w.clock.wall_now();
  auto trades = co_await rest.trades_since(fills_start);
  if (overtaken()) co_return kOvertaken;
  if (!trades) {
    if (trades.error().is(errc::overflow)) w.fills_mark = attempted;
    co_return failed(trades.error(), "TradesHistory");
  }
  auto open = co_await rest.open_orders();
  if (overtaken()) co_return kOvertaken;
  if (!open) co_return failed(open.error(), "OpenOrders");
  auto closed = co_await rest.closed_since(orders_start);
  if (overtaken()) co_return kOvertaken;
  if (!closed) {
    if (closed.error().is(errc::overflow)) w.orders_mark = attempted;
    co_return failed(closed.error(), "ClosedOrders");
  }

  // Orders the snapshot no longer listed, which neither list explains: asked by id.
  std::unordered_set<std::string_view> answered;
  for (const auto* list : {&*open, &*closed})
    for (const auto& o : *list) answered.insert(o.txid);
  std::vector<std::string> unexplained;
  for (const auto& id : vanished)
    if (!answered.count(id)) unexplained.push_back(id);
  std::vector<kraken::OrderInfo> queried;
  for (std::size_t i = 0; i < unexplained.size(); i += kQueryOrdersMax) {
    std::vector<std::string> chunk(unexplained.begin() + static_cast<std::ptrdiff_t>(i),
                                   unexplained.begin() + static_cast<std::ptrdiff_t>(std::min(unexplained.size(), i + kQueryOrdersMax)));
    auto q = co_await rest.query_orders(std::move(chunk));
    if (overtaken()) co_return kOvertaken;
    if (!q) co_return failed(q.error(), "QueryOrders");
    for (auto& o : *q) queried.push_back(std::move(o));
  }
  auto positions = co_await rest.open_positions();
  if (overtaken()) co_return kOvertaken;

  // Merge, all at once. Fills first, oldest first, each exec_id once (the snapshot may have
  // brought some); then every order, forward only, in the order they last changed.
  const WallTime now = w.clock.wall_now();
  std::unordered_map<std::string_view, const kraken::OrderInfo*> rest_orders;
  std::vector<const kraken::OrderInfo*> orders;
  for (const auto* list : {&*open, &*closed, &queried})
    for (const auto& o : *list) {
      rest_orders.emplace(o.txid, &o);
      orders.push_back(&o);
    }
  std::sort(trades->begin(), trades->end(), [](const auto& a, const auto& b) { return a.time < b.time; });
  for (const auto& t : *trades) {
    auto order = w.find_order(t.ordertxid);
    std::optional<OrderState> from_rest;
    if (!order)
      if (auto it = rest_orders.find(t.ordertxid); it != rest_orders.end())
        from_rest = merge_rest_order(nullptr, *it->second, now, w.registry);
    w.add_fill(std::make_shared<const Fill>(fill_of_trade(t, order ? order.get() : from_rest ? &*from_rest : nullptr, now, w.registry)));
  }
  std::stable_sort(orders.begin(), orders.end(), [](const auto* a, const auto* b) { return order_time(*a) < order_time(*b); });
  for (const auto* o : orders) {
    const auto prev = w.find_order(o->txid);
    if (auto next = merge_rest_order(prev.get(), *o, now, w.registry)) {
      auto ptr = std::make_shared<const OrderState>(std::move(*next));
      w.put_order(ptr);
      w.emit_order(std::move(ptr));
    }
  }
  if (positions) w.set_positions(std::move(*positions), now);
  else w.warn("OpenPositions failed during reconciliation: " + positions.error().message());
  w.vanished.clear();
  w.continuity_lost = false;
  w.fresh.reconciled = true;
  stats_.reconciles.fetch_add(1, std::memory_order_relaxed);
  publish();
  w.hub.wake();
  co_return result<void>{};
}

asio::awaitable<result<void>> AccountView::refresh_positions(AccountRest& rest) {
  Writer& w = *w_;
  const std::uint64_t token = ++w.positions_token;
  auto r = co_await rest.open_positions();
  if (w.positions_token != token) co_return Error(errc::cancelled, "refresh_positions: overtaken by a newer refresh");
  if (!r) co_return r.error();
  w.set_positions(std::move(*r), w.clock.wall_now());
  publish();
  co_return result<void>{};
}

void AccountView::Writer::set_positions(std::vector<kraken::PositionInfo> list, WallTime received) {
  auto p = std::make_shared<Positions>();
  p->loaded = true;
  WallTime newest{};
  for (auto& info : list) {
    newest = std::max(newest, from_unix(info.time));
    Position pos;
    pos.symbol = symbol_of(registry, info.pair);
    pos.info = std::move(info);
    p->list.push_back(std::move(pos));
  }
  // OpenPositions has no as-of time: the newest position's opening time is the best Kraken gives.
  p->stamp = Stamp{newest, received, Source::rest};
  positions = std::move(p);
  ++positions_token;  // a refresh already in flight would bring older news
}

}  // namespace kgw::oms
