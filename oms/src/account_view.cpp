// The account view's WS half: subscriptions, executions and balances frames (PROTOCOL.md §6.5),
// sequence tracking, publication and subscribers.
#include <boost/asio/post.hpp>

#include <algorithm>
#include <unordered_set>

#include "account_writer.hpp"
#include "kgw/core/kraken/ws_requests.hpp"

namespace kgw::oms {

namespace {
constexpr auto kRelaxed = std::memory_order_relaxed;

std::uint64_t epoch_at(WallTime t) {
  const auto ns = t.time_since_epoch().count();
  return ns > 0 ? static_cast<std::uint64_t>(ns) : 1;
}
}  // namespace

bool FillIds::insert(const std::string& id) {
  if (!set_.insert(id).second) return false;
  order_.push_back(id);
  if (order_.size() > capacity_) {
    set_.erase(order_.front());
    order_.pop_front();
  }
  return true;
}

AccountView::Writer::Writer(const InstrumentRegistry& r, const Clock& c, const AccountViewOptions& o, AccountViewStats& s)
    : registry(r),
      clock(c),
      opt(o),
      stats(s),
      // A restart is a new epoch: the wall clock at start, so it differs from the last run's.
      hub(epoch_at(c.wall_now()), o.event_log),
      closed(o.closed_orders),
      fills(o.fills),
      fill_ids(std::max(o.fill_ids, o.fills)),
      positions(std::make_shared<Positions>()) {
  const WallTime now = c.wall_now();
  fills_mark = orders_mark = now;
  fresh.since = now;
}

void ClosedIndex::added(const Ptr& o, const Ptr& forgotten) {
  // The forgotten state leaves only if it is still the newest of its order (an order can be
  // logged closed twice, a REST merge after the stream's close).
  if (forgotten) {
    if (auto it = by_id_.find(std::string_view(forgotten->order_id)); it != by_id_.end() && it->second == forgotten)
      by_id_.erase(it);
    if (auto it = by_cl_.find(std::string_view(forgotten->cl_ord_id)); it != by_cl_.end() && it->second == forgotten)
      by_cl_.erase(it);
  }
  if (!o->order_id.empty()) by_id_.insert_or_assign(o->order_id, o);
  if (!o->cl_ord_id.empty()) by_cl_.insert_or_assign(o->cl_ord_id, o);
}

std::shared_ptr<const OrderState> AccountView::Writer::find_order(std::string_view order_id) const {
  if (auto o = open.find(order_id)) return o;
  return closed_index.by_order_id(order_id);
}

std::shared_ptr<const OrderState> AccountView::Writer::find_order_by_cl_ord_id(std::string_view cl_ord_id) const {
  if (cl_ord_id.empty()) return nullptr;
  if (auto o = open.find_by_cl_ord_id(cl_ord_id)) return o;
  return closed_index.by_cl_ord_id(cl_ord_id);
}

void AccountView::Writer::put_order(const std::shared_ptr<const OrderState>& next) {
  open_dirty = true;
  if (!next->is_closed()) return open.put(next);
  open.erase(next->order_id);
  closed_index.added(next, closed.append(next));
  closed_dirty = true;
}

void AccountView::Writer::emit(AccountEvent e) {
  const AccountEvent& kept = hub.record(std::move(e));
  if (hooks.on_event) hooks.on_event(kept);  // the write half first, then subscribers
  hub.broadcast(kept);
}

void AccountView::Writer::emit_order(std::shared_ptr<const OrderState> o) {
  AccountEvent e;
  e.kind = EventKind::order;
  e.order = std::move(o);
  emit(std::move(e));
}

bool AccountView::Writer::add_fill(std::shared_ptr<const Fill> f) {
  if (!fill_ids.insert(f->exec_id)) {
    stats.duplicate_fills.fetch_add(1, kRelaxed);
    return false;
  }
  stats.fills.fetch_add(1, kRelaxed);
  if (!last_fill || f->stamp.exchange > *last_fill) last_fill = f->stamp.exchange;
  if (f->margin.value_or(false)) positions_due = true;
  fills.append(f);
  fills_dirty = true;
  AccountEvent e;
  e.kind = EventKind::fill;
  e.fill = std::move(f);
  emit(std::move(e));
  return true;
}

void AccountView::Writer::emit_balance(std::shared_ptr<const Balance> b) {
  balances[b->code] = b;
  balances_dirty = true;
  AccountEvent e;
  e.kind = EventKind::balance;
  e.balance = std::move(b);
  emit(std::move(e));
}

void AccountView::Writer::lose_continuity(WallTime now) {
  ++reconcile_token;  // a reconcile in flight no longer describes the stream
  fresh.reconciled = false;
  if (continuity_lost) return;  // keep the older marks: what was missed since then still is
  continuity_lost = true;
  fills_mark = last_fill.value_or(fills_mark);
  orders_mark = now;
}

void AccountView::Writer::stop_stream(WallTime now) {
  if (stopped) return;
  stopped = true;
  lose_continuity(now);
  fresh.executions_snapshot = fresh.balances_snapshot = false;
  fresh.since = now;
}

void AccountView::Writer::warn(std::string_view what) {
  std::uint64_t suppressed = 0;
  if (!log_limit.allow(clock.mono_now().time_since_epoch().count(), suppressed)) return;
  if (suppressed) spdlog::warn("oms account: {} ({} similar suppressed)", what, suppressed);
  else spdlog::warn("oms account: {}", what);
}

AccountView::AccountView(boost::asio::any_io_executor oms, const InstrumentRegistry& registry, const Clock& clock,
                         AccountViewOptions options)
    : ex_(std::move(oms)),
      w_(std::make_unique<Writer>(registry, clock, options, stats_)),
      cell_(std::make_shared<const AccountSnapshot>()) {
  publish();
}

AccountView::~AccountView() = default;

void AccountView::set_hooks(AccountHooks hooks) { w_->hooks = std::move(hooks); }

std::shared_ptr<const AccountSnapshot> AccountView::publish() {
  Writer& w = *w_;
  if (w.open_dirty) w.open_view = w.open.view();
  if (w.closed_dirty) w.closed_view = w.closed.view();
  if (w.fills_dirty) w.fills_view = w.fills.view();
  if (w.balances_dirty) {
    std::vector<Balances::Ptr> list;
    list.reserve(w.balances.size());
    for (const auto& [code, b] : w.balances) list.push_back(b);
    w.balances_view = std::make_shared<const Balances>(std::move(list));
  }
  w.open_dirty = w.closed_dirty = w.fills_dirty = w.balances_dirty = false;
  auto s = std::make_shared<AccountSnapshot>();
  s->cursor = w.hub.cursor();
  s->freshness = w.fresh;
  s->open_orders = w.open_view;
  s->closed_orders = w.closed_view;
  s->fills = w.fills_view;
  s->balances = w.balances_view;
  s->positions = w.positions;
  w.latest = s;
  if (!cell_.store(s)) stats_.unpublished.fetch_add(1, kRelaxed);
  return w.latest;
}

void AccountView::on_tick() {
  if (cell_.pending()) (void)cell_.flush();
}

std::shared_ptr<const OrderState> AccountView::find_order(std::string_view order_id) const { return w_->find_order(order_id); }

std::shared_ptr<const OrderState> AccountView::find_order_by_cl_ord_id(std::string_view cl_ord_id) const {
  return w_->find_order_by_cl_ord_id(cl_ord_id);
}

AccountView::SubscribeFrames AccountView::subscription_requests(std::string_view token, std::int64_t executions_req_id,
                                                                std::int64_t balances_req_id) {
  Writer& w = *w_;
  const WallTime now = w.clock.wall_now();
  w.fresh.connected = true;
  w.fresh.executions_snapshot = w.fresh.balances_snapshot = w.fresh.reconciled = false;
  w.fresh.since = now;
  w.exec_seq.reset();
  w.balance_seq.reset();
  w.stopped = false;
  w.vanished.clear();
  publish();

  kraken::SubscribeRequest exec;
  exec.channel = "executions";
  exec.snap_orders = true;
  exec.snap_trades = true;  // the schema's default is false (PROTOCOL.md §6.5): say it
  exec.order_status = true;
  exec.token = std::string(token);
  kraken::SubscribeRequest bal;
  bal.channel = "balances";
  bal.snapshot = true;
  bal.token = std::string(token);
  return SubscribeFrames{kraken::ws_subscribe(exec, executions_req_id), kraken::ws_subscribe(bal, balances_req_id)};
}

void AccountView::on_disconnected() {
  Writer& w = *w_;
  const WallTime now = w.clock.wall_now();
  w.lose_continuity(now);
  w.fresh.connected = w.fresh.executions_snapshot = w.fresh.balances_snapshot = false;
  w.fresh.since = now;
  w.exec_seq.reset();
  w.balance_seq.reset();
  w.stopped = false;
  publish();
  w.hub.wake();
}

result<FrameOutcome> AccountView::on_frame(std::string_view frame, WallTime received) {
  std::string& buf = w_->copy;
  const std::size_t need = frame.size() + simdjson::SIMDJSON_PADDING;
  if (buf.size() < need) buf.resize(need);
  std::copy(frame.begin(), frame.end(), buf.begin());
  std::fill_n(buf.begin() + static_cast<std::ptrdiff_t>(frame.size()), simdjson::SIMDJSON_PADDING, ' ');
  return on_frame(simdjson::padded_string_view(buf.data(), frame.size(), buf.size()), received);
}

result<FrameOutcome> AccountView::on_frame(simdjson::padded_string_view text, WallTime received) {
  Writer& w = *w_;
  FrameOutcome out;
  stats_.frames.fetch_add(1, kRelaxed);
  auto parsed = w.parser.parse(text);
  if (!parsed) {
    stats_.parse_errors.fetch_add(1, kRelaxed);
    w.warn("unreadable private frame: " + parsed.error().detail);
    if (w.fresh.connected) {
      w.stop_stream(received);
      publish();
      w.hub.wake();
    }
    return parsed.error();
  }
  const kraken::PrivateFrame& f = **parsed;
  const bool exec = f.kind == kraken::PrivateFrameKind::executions;
  if (!exec && f.kind != kraken::PrivateFrameKind::balances) return out;
  if (f.unknown_words) {
    stats_.unknown_words.fetch_add(f.unknown_words, kRelaxed);
    w.warn("a word Kraken sent is not in core's vocabulary, kept raw: " + f.first_unknown);
  }
  if (w.stopped || !w.fresh.connected) return out;  // until the connection is replaced
  bool& have_snapshot = exec ? w.fresh.executions_snapshot : w.fresh.balances_snapshot;
  std::optional<std::uint64_t>& seq = exec ? w.exec_seq : w.balance_seq;
  if (!f.snapshot && !have_snapshot) return out;  // before the snapshot: the snapshot includes it
  if (!f.snapshot && f.sequence && seq && *f.sequence != *seq + 1) {
    stats_.sequence_gaps.fetch_add(1, kRelaxed);
    w.warn(fmt::format("{} sequence gap: {} after {}", exec ? "executions" : "balances", *f.sequence, *seq));
    w.stop_stream(received);
    out.resync = true;
    publish();
    w.hub.wake();
    return out;
  }
  if (f.sequence) seq = f.sequence;
  w.fresh.last_frame = received;
  if (f.snapshot) {
    const bool had_both = w.fresh.executions_snapshot && w.fresh.balances_snapshot;
    if (exec) w.apply_executions_snapshot(f, received);
    else w.apply_balances_snapshot(f, received);
    have_snapshot = true;
    w.fresh.since = received;
    out.reconcile = !had_both && w.fresh.executions_snapshot && w.fresh.balances_snapshot;
  } else if (exec) {
    for (const auto& x : f.executions) w.apply_execution(x, received);
  } else {
    for (const auto& b : f.balances) w.apply_ledger(b, received);
  }
  out.refresh_positions = std::exchange(w.positions_due, false);
  publish();
  w.hub.wake();
  return out;
}

void AccountView::Writer::apply_execution(const kraken::ExecutionItem& x, WallTime received) {
  Writer& w = *this;
  stats.executions.fetch_add(1, kRelaxed);
  const auto prev = w.find_order(x.order_id);
  const Stamp stamp{x.timestamp.value_or(WallTime{}), received, Source::ws_update};
  auto next = std::make_shared<const OrderState>(merge_execution(prev.get(), x, stamp, w.registry));
  w.put_order(next);
  if (w.hooks.on_execution) w.hooks.on_execution(x, *next, false);
  if (x.is_trade()) w.add_fill(std::make_shared<const Fill>(fill_of_execution(x, next.get(), stamp, w.registry)));
  w.emit_order(std::move(next));
}

void AccountView::Writer::apply_executions_snapshot(const kraken::PrivateFrame& f, WallTime received) {
  Writer& w = *this;
  std::unordered_set<std::string_view> listed;
  std::vector<const kraken::ExecutionItem*> trades;
  for (const auto& x : f.executions) {
    stats.executions.fetch_add(1, kRelaxed);
    if (x.is_trade()) {
      trades.push_back(&x);
      continue;
    }
    // An open order as it is now: replaces what we knew (events may have been missed).
    listed.insert(x.order_id);
    auto current = w.find_order(x.order_id);
    const Stamp stamp{x.timestamp.value_or(WallTime{}), received, Source::ws_snapshot};
    auto next = std::make_shared<const OrderState>(merge_execution(current.get(), x, stamp, w.registry));
    const bool changed = !current || !same_state(*current, *next);
    if (changed) {
      w.put_order(next);
      current = std::move(next);
    }
    if (w.hooks.on_execution) w.hooks.on_execution(x, *current, true);
    if (changed) w.emit_order(current);
  }
  // The last trades (newest first from Kraken), as fills oldest first; each exec_id once. A
  // snapshot trade's order fields describe the order now, not at that trade: not merged.
  std::sort(trades.begin(), trades.end(), [](const auto* a, const auto* b) {
    return std::pair(a->timestamp.value_or(WallTime{}), a->trade_id.value_or(0)) <
           std::pair(b->timestamp.value_or(WallTime{}), b->trade_id.value_or(0));
  });
  for (const auto* t : trades) {
    const Stamp stamp{t->timestamp.value_or(WallTime{}), received, Source::ws_snapshot};
    const auto order = w.find_order(t->order_id);
    const OrderState known = order ? *order : merge_execution(nullptr, *t, stamp, w.registry);
    w.add_fill(std::make_shared<const Fill>(fill_of_execution(*t, &known, stamp, w.registry)));
    if (w.hooks.on_execution) w.hooks.on_execution(*t, known, true);
  }
  // Open orders the snapshot does not list closed while we were not looking: REST tells how.
  w.vanished.clear();
  for (const auto& [id, o] : w.open.all())
    if (!listed.count(id)) w.vanished.push_back(id);
}

const Balance* AccountView::Writer::balance_of(const std::string& code) const {
  auto it = balances.find(code);
  return it != balances.end() ? it->second.get() : nullptr;
}

std::string AccountView::Writer::code_of(std::string_view asset) const {
  const auto a = registry.find_asset(asset);
  return a ? a->code : std::string(asset);
}

void AccountView::Writer::apply_ledger(const kraken::BalanceItem& b, WallTime received) {
  stats.balance_updates.fetch_add(1, kRelaxed);
  const Balance* prev = balance_of(code_of(b.asset));
  emit_balance(std::make_shared<const Balance>(balance_after_ledger(b, prev, received, registry)));
}

void AccountView::Writer::apply_balances_snapshot(const kraken::PrivateFrame& f, WallTime received) {
  Writer& w = *this;
  std::unordered_set<std::string> listed;
  for (const auto& b : f.balances) {
    const std::string code = code_of(b.asset);
    listed.insert(code);
    const Balance* prev = balance_of(code);
    Balance next = balance_of_snapshot(b, prev, received, w.registry);
    if (prev) {
      Balance same = *prev;
      same.stamp = next.stamp;
      same.transaction.reset();  // a snapshot says where it is, not how it got there
      if (same == next) continue;
    }
    w.emit_balance(std::make_shared<const Balance>(std::move(next)));
  }
  // Kraken lists only assets held: one missing now went to zero.
  std::vector<std::shared_ptr<const Balance>> gone;
  for (const auto& [code, b] : w.balances)
    if (!listed.count(code) && !b->total.is_zero()) gone.push_back(b);
  for (const auto& b : gone) {
    Balance zero = *b;
    zero.total = Decimal{};
    zero.wallets.clear();
    zero.transaction.reset();
    zero.stamp = Stamp{WallTime{}, received, Source::ws_snapshot};
    w.emit_balance(std::make_shared<const Balance>(std::move(zero)));
  }
}

std::shared_ptr<AccountSubscription> AccountView::subscribe(std::optional<EventCursor> from, std::size_t capacity,
                                                            std::function<void()> wake) {
  auto sub = std::make_shared<AccountSubscription>(capacity, std::move(wake));
  // On the oms thread, between two changes, so `latest` is exactly the state at the hub's cursor.
  boost::asio::post(ex_, [this, sub, from] {
    w_->hub.attach(sub, from, w_->latest);
    w_->hub.wake();
  });
  return sub;
}

}  // namespace kgw::oms
