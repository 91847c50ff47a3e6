#include "kgw/oms/order_entry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace kgw::oms {

namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;
using kraken::KrakenRestClient;

namespace {

constexpr auto kUseTuple = asio::as_tuple(asio::use_awaitable);

Error unknown_outcome(std::string detail, std::vector<std::string> cl_ord_ids) {
  Error e(errc::unknown_outcome, std::move(detail));
  e.cl_ord_ids = std::move(cl_ord_ids);
  return e;
}

// An attempt that failed without reaching Kraken's engine may be sent again; one that may have
// reached it may not.
bool may_have_executed(const Error& e) {
  if (e.is(errc::unknown_outcome)) return true;
  return e.kraken && e.kraken->classification == ErrorClass::unknown_outcome;
}

void log_failure(std::exception_ptr e) {
  if (!e) return;
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    spdlog::error("oms: an order lookup ended with an exception: {}", ex.what());
  }
}

// REST's answer to CancelOrder, CancelOrderBatch and CancelAll.
EntryAck cancel_ack(const kraken::CancelResponse& r) {
  EntryAck ack;
  ack.count = r.count;
  ack.pending = r.pending;
  return ack;
}

// Seconds since the epoch as REST's `start` filter takes them.
std::string unix_seconds(WallTime t) {
  return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

}  // namespace

struct OrderEntry::Waiter {
  explicit Waiter(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  std::optional<OwnedReply> reply;
  bool lost = false;
  MonoTime sent{};
};

OrderEntry::OrderEntry(asio::any_io_executor ex, OrderEntryOptions options, kraken::KrakenRestService& rest,
                       const InstrumentRegistry& registry, const Clock& clock, Hooks hooks)
    : ex_(ex),
      opt_(std::move(options)),
      rest_(rest),
      registry_(registry),
      clock_(clock),
      hooks_(std::move(hooks)),
      stop_signal_(ex, asio::steady_timer::time_point::max()) {}

OrderEntry::~OrderEntry() {
  *alive_ = false;
  on_session_lost();
}

// ---------------------------------------------------------------------------------------------
// Plumbing

void OrderEntry::on_reply(const kraken::MethodReply& r, MonoTime received) {
  if (!r.req_id) return;
  auto it = waiting_.find(*r.req_id);
  if (it == waiting_.end()) return;  // late (timed out already) or not ours
  OwnedReply owned;
  owned.method = std::string(r.method);
  owned.success = r.success;
  owned.error = std::string(r.error);
  owned.result = std::string(r.result);
  owned.time_in = r.time_in;
  owned.time_out = r.time_out;
  for (auto w : r.warnings) owned.warnings.emplace_back(w);
  owned.round_trip = received - it->second->sent;
  it->second->reply = std::move(owned);
  it->second->timer.cancel();
}

void OrderEntry::stop() {
  stopping_ = true;
  stop_signal_.expires_at(asio::steady_timer::time_point::min());
  on_session_lost();
}

asio::awaitable<void> OrderEntry::pause(std::chrono::nanoseconds d) {
  if (stopping_) co_return;
  asio::steady_timer t(ex_, d);
  co_await (t.async_wait(kUseTuple) || stop_signal_.async_wait(kUseTuple));
}

void OrderEntry::on_session_lost() {
  for (auto& [id, w] : waiting_) {
    w->lost = true;
    w->timer.cancel();
  }
}

void OrderEntry::on_order_seen(std::string_view cl_ord_id, std::string_view order_id, bool closed) {
  const LedgerEntry* e = !cl_ord_id.empty() ? ledger_.find(cl_ord_id) : ledger_.find_by_order_id(order_id);
  if (!e) return;
  const std::string id = e->cl_ord_id;
  if (e->state == EntryState::ambiguous) {
    ++stats_.resolved_placed;
    spdlog::info("oms: order {} ({}) was placed; its outcome is known now", id, order_id);
  }
  ledger_.accepted(id, std::string(order_id));
  if (closed) ledger_.closed(id);
}

void OrderEntry::on_order_amended(std::string_view order_id) { ledger_.amended_by_order_id(order_id, clock_.mono_now()); }

asio::awaitable<result<OrderEntry::OwnedReply>> OrderEntry::ws_request(std::string frame, std::int64_t req_id) {
  if (stopping_) co_return Error(errc::queue_full, "the order manager is stopping");  // not sent
  auto w = std::make_shared<Waiter>(ex_);
  w->timer.expires_after(opt_.reply_timeout);
  waiting_[req_id] = w;
  w->sent = clock_.mono_now();
  if (!hooks_.ws_send(frame)) {
    waiting_.erase(req_id);
    co_return Error(errc::queue_full, "the private WebSocket did not take the request");  // not sent
  }
  ++stats_.ws_sent;
  co_await w->timer.async_wait(kUseTuple);
  waiting_.erase(req_id);
  if (w->reply && !w->reply->success && kraken_token_refused(w->reply->error) && hooks_.ws_token_refused) hooks_.ws_token_refused();
  if (w->reply) co_return std::move(*w->reply);
  if (w->lost) co_return Error(errc::connection_closed, "the private WebSocket closed before Kraken answered");
  co_return Error(errc::timeout, fmt::format("no answer from Kraken in {} ms", opt_.reply_timeout.count()));
}

bool OrderEntry::falls_back(const result<OwnedReply>& reply, Route route) {
  if (route != Route::automatic) return false;
  return reply ? !reply->success && kraken_token_refused(reply->error) : reply.error().is(errc::queue_full);
}

result<EntryPath> OrderEntry::choose(Route route, const result<std::string>& ws_frame) {
  const bool ws_up = hooks_.ws_ready();
  switch (route) {
    case Route::rest_only: return EntryPath::rest;
    case Route::ws_only:
      if (!ws_frame) return ws_frame.error();
      if (!ws_up) return Error(errc::connection_failed, "route ws: the private WebSocket is not connected");
      return EntryPath::ws;
    case Route::automatic:
      if (ws_up && ws_frame) return EntryPath::ws;
      if (ws_up) ++stats_.fallbacks;  // WS v2 cannot say it (a leverage level, a '#' offset)
      return EntryPath::rest;
  }
  return EntryPath::rest;
}

result<const Instrument*> OrderEntry::instrument(std::string_view pair, std::string_view field) const {
  auto in = registry_.resolve(pair, field);
  if (!in) return Error(errc::invalid_argument, in.error().detail);
  return in->get();
}

PreTradeContext OrderEntry::context(const Instrument* in) const {
  PreTradeContext c;
  c.instrument = in;
  c.system = hooks_.system_status ? hooks_.system_status() : kraken::SystemStatus::unknown;
  c.open_orders = hooks_.open_orders ? hooks_.open_orders() : 0;
  if (in && hooks_.reference_price) c.reference_price = hooks_.reference_price(*in);
  return c;
}

asio::awaitable<result<void>> OrderEntry::charge(const std::string& pair_key, kraken::TradingAction action,
                                                 std::chrono::nanoseconds age, std::size_t count) {
  auto permit = rest_.governor().acquire_trading(pair_key, action, age, count, opt_.max_rate_wait);
  if (!permit) co_return permit.error();
  if (permit->wait.count() > 0) co_await pause(permit->wait);
  if (stopping_) co_return Error(errc::cancelled, "the order manager is stopping");
  co_return result<void>{};
}

std::chrono::nanoseconds OrderEntry::age_of(std::string_view id) const {
  std::optional<MonoTime> since;
  if (const LedgerEntry* e = ledger_.find(id)) since = e->changed_at;
  else if (const LedgerEntry* e2 = ledger_.find_by_order_id(id)) since = e2->changed_at;
  else if (hooks_.find_by_order_id)
    if (auto k = hooks_.find_by_order_id(id)) since = k->changed_at;
  // Unknown: charge as the youngest order (Kraken's highest penalty), never less.
  if (!since || *since == MonoTime{}) return std::chrono::nanoseconds(0);
  return clock_.mono_now() - *since;
}

Error OrderEntry::from_reply(const OwnedReply& r, std::string_view what) const {
  Error e(errc::exchange_error, std::string(what));
  e.kraken = KrakenError::from_strings({r.error});
  return e;
}

result<PlacedOrder> OrderEntry::answer_existing(const LedgerEntry& e) const {
  switch (e.state) {
    case EntryState::ambiguous:
    case EntryState::sending:
      return unknown_outcome(fmt::format("cl_ord_id {}: an earlier request with it is {}; its outcome is being looked up",
                                         e.cl_ord_id, to_string(e.state)),
                             {e.cl_ord_id});
    default: {
      PlacedOrder p;
      p.cl_ord_id = e.cl_ord_id;
      if (!e.order_id.empty()) p.order_ids.push_back(e.order_id);
      p.path = e.path;
      p.existing = true;
      return p;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// place

asio::awaitable<result<PlacedOrder>> OrderEntry::place(kraken::OrderRequest o, Route route) {
  auto in = instrument(o.pair, "pair");
  if (!in) co_return in.error();
  // A retry with a cl_ord_id the gateway or Kraken already knows gets that order, nothing sent.
  if (o.cl_ord_id) {
    if (const LedgerEntry* e = ledger_.find(*o.cl_ord_id); e && !may_resend(e->state)) co_return answer_existing(*e);
    if (hooks_.find_by_cl_ord_id)
      if (auto k = hooks_.find_by_cl_ord_id(*o.cl_ord_id)) {
        PlacedOrder p;
        p.cl_ord_id = *o.cl_ord_id;
        p.order_ids.push_back(k->order_id);
        p.existing = true;
        co_return p;
      }
  }
  if (hooks_.kill_switch_engaged && hooks_.kill_switch_engaged())
    co_return Error(errc::blocked, "kill switch: engaged; new orders are refused until it is disengaged");
  if (auto ok = check_new_order(o, context(*in), opt_.limits); !ok) {
    ++stats_.refused_locally;
    co_return ok.error();
  }
  const WallTime now = clock_.wall_now();
  if (!o.cl_ord_id && !o.userref) o.cl_ord_id = make_cl_ord_id();
  // A deadline bounds an unknown outcome: after it Kraken refuses the order.
  if (!o.deadline && !o.validate) o.deadline = format_rfc3339(now + opt_.default_deadline, 3);
  // Orders tagged only with a userref are tracked under a key of the ledger's own.
  const std::string key = o.cl_ord_id ? *o.cl_ord_id : fmt::format("userref:{}@{}", *o.userref, now.time_since_epoch().count());

  kraken::OrderRequest ws_order = o;
  ws_order.pair = (*in)->symbol;
  const std::int64_t req_id = hooks_.next_req_id();
  const result<std::string> frame = hooks_.ws_ready() ? kraken::ws_add_order(ws_order, hooks_.ws_token(), req_id, now)
                                                      : result<std::string>(Error(errc::connection_failed, "not connected"));
  auto path = choose(route, frame);
  if (!path) co_return path.error();

  PlacedOrder out;
  out.cl_ord_id = o.cl_ord_id.value_or("");
  out.validated = o.validate;
  if (!o.validate) {
    auto began = ledger_.begin(key, o, *path, now, clock_.mono_now());
    if (!began) co_return began.error();
  }

  if (*path == EntryPath::ws) {
    if (!o.validate)
      if (auto ok = co_await charge((*in)->rest_key, kraken::TradingAction::add, {}, 1); !ok) {
        ledger_.rejected(key, ok.error());
        co_return ok.error();
      }
    auto reply = co_await ws_request(*frame, req_id);
    if (falls_back(reply, route)) {
      ++stats_.fallbacks;  // Kraken never acted on it: REST may take it
      path = EntryPath::rest;
    } else if (!reply) {
      if (o.validate) co_return reply.error();
      ++stats_.ambiguous;
      ledger_.ambiguous(key, reply.error());
      // The executions stream may have shown the order while the answer was missing: then it is
      // placed, and this is the answer.
      if (const LedgerEntry* e = ledger_.find(key); e && e->state != EntryState::ambiguous) {
        auto known = answer_existing(*e);
        if (known) known->existing = false;
        co_return known;
      }
      asio::co_spawn(ex_, resolve(key), log_failure);
      co_return unknown_outcome(fmt::format("cl_ord_id {}: {}; the order is being looked up", key, reply.error().message()), {key});
    } else if (!reply->success) {
      Error e = from_reply(*reply, "add_order");
      if (o.validate) co_return e;
      if (e.kraken->classification == ErrorClass::unknown_outcome) {
        ++stats_.ambiguous;
        ledger_.ambiguous(key, e);
        asio::co_spawn(ex_, resolve(key), log_failure);
        e.code = make_error_code(errc::unknown_outcome);
        e.cl_ord_ids = {key};
        co_return e;
      }
      ledger_.rejected(key, e);
      co_return e;
    } else {
      out.path = EntryPath::ws;
      out.upstream = reply->round_trip;
      out.time_in = reply->time_in;
      out.time_out = reply->time_out;
      out.warnings = reply->warnings;
      if (!o.validate) {
        auto ack = kraken::parse_ws_order_ack(reply->result);
        if (!ack) {
          // Accepted, but the answer is not understood: the order exists; find it by cl_ord_id.
          ++stats_.ambiguous;
          ledger_.ambiguous(key, ack.error());
          asio::co_spawn(ex_, resolve(key), log_failure);
          co_return unknown_outcome(fmt::format("cl_ord_id {}: accepted, answer not understood ({})", key, ack.error().message()),
                                    {key});
        }
        out.order_ids.push_back(ack->order_id);
        out.warnings.insert(out.warnings.end(), ack->warnings.begin(), ack->warnings.end());
        ledger_.accepted(key, ack->order_id);
      }
      co_return out;
    }
  }

  // REST: the client charges the trading counter for adds itself.
  kraken::OrderRequest rest_order = o;
  rest_order.pair = (*in)->rest_key;
  ++stats_.rest_sent;
  // Every callable is named before the co_await: GCC 12 destroys a temporary that lives across
  // a suspension twice (seen here as a double free of the captured order).
  kraken::KrakenRestService::Call<kraken::AddOrderResponse> add = [rest_order](KrakenRestClient& c) {
    return c.add_order(rest_order);
  };
  const MonoTime rest_sent = clock_.mono_now();
  auto r = co_await rest_.async_call<kraken::AddOrderResponse>(std::move(add));
  out.upstream = clock_.mono_now() - rest_sent;
  out.path = EntryPath::rest;
  if (!r) {
    if (o.validate) co_return r.error();
    if (may_have_executed(r.error())) {
      ++stats_.ambiguous;
      ledger_.ambiguous(key, r.error());
      asio::co_spawn(ex_, resolve(key), log_failure);
      Error e = r.error();
      e.code = make_error_code(errc::unknown_outcome);
      e.cl_ord_ids = {key};
      co_return e;
    }
    ledger_.rejected(key, r.error());
    co_return r.error();
  }
  out.order_ids = r->txid;
  out.descr_order = r->descr_order;
  out.descr_close = r->descr_close;
  if (!o.validate && !r->txid.empty()) ledger_.accepted(key, r->txid.front());
  co_return out;
}

// The order may or may not exist. The streams may say so at any moment (on_order_seen); else,
// once Kraken's deadline for it has passed, OpenOrders and ClosedOrders say for certain.
asio::awaitable<void> OrderEntry::resolve(std::string key) {
  if (resolving_.count(key)) co_return;
  resolving_[key] = true;
  auto alive = alive_;
  auto still_ambiguous = [this, &key, alive] {
    if (!*alive || stopping_) return false;
    const LedgerEntry* e = ledger_.find(key);
    return e && e->state == EntryState::ambiguous;
  };
  const LedgerEntry* e = ledger_.find(key);
  if (!e) co_return;
  const WallTime sent = e->sent_at;
  const WallTime settle = e->deadline.value_or(sent + opt_.default_deadline) + opt_.lookup_grace;
  const std::optional<std::int32_t> userref = e->request.userref;
  const bool by_cl_ord_id = e->request.cl_ord_id.has_value();
  std::chrono::milliseconds backoff{500};
  while (still_ambiguous()) {
    if (clock_.wall_now() < settle) {
      // Wake regularly: the executions stream may answer first.
      co_await pause(std::min<std::chrono::nanoseconds>(settle - clock_.wall_now(), std::chrono::milliseconds(250)));
      continue;
    }
    kraken::Params filter{by_cl_ord_id ? kraken::Params{{"cl_ord_id", key}} : kraken::Params{{"userref", std::to_string(*userref)}}};
    kraken::KrakenRestService::Call<kraken::OrdersPage> list_open = [filter](KrakenRestClient& c) { return c.open_orders(filter); };
    auto open = co_await rest_.async_call<kraken::OrdersPage>(std::move(list_open));
    if (!still_ambiguous()) break;
    kraken::HistoryQuery q;
    q.extra = filter;
    q.start = unix_seconds(sent - std::chrono::seconds(5));
    kraken::KrakenRestService::Call<kraken::OrdersPage> list_closed = [q](KrakenRestClient& c) { return c.closed_orders(q); };
    result<kraken::OrdersPage> closed = open.error();
    if (open) closed = co_await rest_.async_call<kraken::OrdersPage>(std::move(list_closed));
    if (!still_ambiguous()) break;
    if (!open || !closed) {
      const Error& err = !open ? open.error() : closed.error();
      spdlog::warn("oms: looking up order {} failed ({}); trying again in {} ms", key, err.message(), backoff.count());
      co_await pause(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(30'000));
      continue;
    }
    // A userref is not unique: only an order opened since this attempt left can be it.
    auto match = [&](const kraken::OrderInfo& oi) {
      if (by_cl_ord_id) return oi.cl_ord_id && *oi.cl_ord_id == key;
      return oi.opentm >= Decimal::from_fixed(std::chrono::duration_cast<std::chrono::seconds>(sent.time_since_epoch()).count() - 1, 0);
    };
    const kraken::OrderInfo* found = nullptr;
    bool is_closed = false;
    for (const auto& oi : open->orders)
      if (match(oi)) found = &oi;
    if (!found)
      for (const auto& oi : closed->orders)
        if (match(oi)) {
          found = &oi;
          is_closed = true;
        }
    if (found) {
      ++stats_.resolved_placed;
      spdlog::info("oms: order {} was placed as {} ({})", key, found->txid, found->status);
      ledger_.accepted(key, found->txid);
      if (is_closed) ledger_.closed(key);
    } else {
      ++stats_.resolved_absent;
      spdlog::info("oms: order {} was never placed; it may be sent again", key);
      ledger_.absent(key);
    }
  }
  if (*alive) resolving_.erase(key);
}

// ---------------------------------------------------------------------------------------------
// amend, edit, cancel, cancel all, dead-man

// A change to orders (amend, edit, cancel, dead-man), on its path: over WS, its reply read by
// `from_ws`; over REST (chosen, or WS never took the frame), `rest` read by `from_rest`. The
// callables are named by the callers before any co_await (GCC 12, see rest_service.hpp).
template <class T>
asio::awaitable<result<EntryAck>> OrderEntry::send_change(EntryPath path, Route route, std::string frame,
                                                          std::int64_t req_id, std::string what,
                                                          std::function<result<EntryAck>(const OwnedReply&)> from_ws,
                                                          kraken::KrakenRestService::Call<T> rest,
                                                          std::function<EntryAck(const T&)> from_rest) {
  if (path == EntryPath::ws) {
    auto reply = co_await ws_request(frame, req_id);
    if (!falls_back(reply, route)) {
      if (!reply) co_return unknown_outcome(fmt::format("{}: {}", what, reply.error().message()), {});
      if (!reply->success) co_return from_reply(*reply, what);
      auto ack = from_ws(*reply);
      if (!ack) co_return ack;
      ack->path = EntryPath::ws;
      ack->time_in = reply->time_in;
      ack->time_out = reply->time_out;
      co_return ack;
    }
    ++stats_.fallbacks;  // Kraken never acted on it: REST may take it
  }
  ++stats_.rest_sent;
  auto r = co_await rest_.async_call<T>(std::move(rest));
  if (!r) co_return r.error();
  EntryAck ack = from_rest(*r);
  ack.path = EntryPath::rest;
  co_return ack;
}

asio::awaitable<result<EntryAck>> OrderEntry::amend(kraken::AmendRequest a, Route route) {
  if (hooks_.kill_switch_engaged && hooks_.kill_switch_engaged())
    co_return Error(errc::blocked, "kill switch: engaged; amends are refused until it is disengaged");
  if (auto ok = kraken::check(a); !ok) co_return ok.error();
  const std::string id = a.txid ? *a.txid : *a.cl_ord_id;
  std::optional<KnownOrder> known = a.txid ? (hooks_.find_by_order_id ? hooks_.find_by_order_id(id) : std::nullopt)
                                           : (hooks_.find_by_cl_ord_id ? hooks_.find_by_cl_ord_id(id) : std::nullopt);
  const Instrument* in = nullptr;
  if (a.pair) {
    auto r = instrument(*a.pair, "pair");
    if (!r) co_return r.error();
    in = *r;
  } else if (known) {
    if (auto p = registry_.find(known->pair)) in = p.get();
  }
  if (auto ok = check_change(a.order_qty, a.limit_price, context(in)); !ok) {
    ++stats_.refused_locally;
    co_return ok.error();
  }
  const std::int64_t req_id = hooks_.next_req_id();
  const auto frame = hooks_.ws_ready() ? kraken::ws_amend_order(a, hooks_.ws_token(), req_id)
                                       : result<std::string>(Error(errc::connection_failed, "not connected"));
  auto path = choose(route, frame);
  if (!path) co_return path.error();
  const std::string counter = in ? in->rest_key : known ? known->pair : std::string("?");
  if (auto ok = co_await charge(counter, kraken::TradingAction::amend, age_of(known ? known->order_id : id), 1); !ok)
    co_return ok.error();
  std::function<result<EntryAck>(const OwnedReply&)> from_ws = [&id](const OwnedReply& reply) -> result<EntryAck> {
    auto r = kraken::parse_ws_amend_ack(reply.result);
    if (!r) return unknown_outcome(fmt::format("amend_order of {}: accepted, answer not understood", id), {});
    EntryAck ack;
    ack.amend_id = r->amend_id;
    return ack;
  };
  kraken::KrakenRestService::Call<std::string> rest = [a](KrakenRestClient& c) { return c.amend_order(a); };
  std::function<EntryAck(const std::string&)> from_rest = [](const std::string& amend_id) {
    EntryAck ack;
    ack.amend_id = amend_id;
    return ack;
  };
  // Named before the co_await (GCC 12, see rest_service.hpp).
  std::string text = frame ? *frame : std::string();
  std::string what = "amend_order";
  auto ack = co_await send_change<std::string>(*path, route, std::move(text), req_id, std::move(what),
                                      std::move(from_ws), std::move(rest), std::move(from_rest));
  if (ack && known) on_order_amended(known->order_id);
  co_return ack;
}

asio::awaitable<result<EntryAck>> OrderEntry::edit(kraken::EditRequest e, Route route) {
  if (hooks_.kill_switch_engaged && hooks_.kill_switch_engaged())
    co_return Error(errc::blocked, "kill switch: engaged; edits are refused until it is disengaged");
  if (auto ok = kraken::check(e); !ok) co_return ok.error();
  auto in = instrument(e.pair, "pair");
  if (!in) co_return in.error();
  if (auto ok = check_change(e.volume, e.price, context(*in)); !ok) {
    ++stats_.refused_locally;
    co_return ok.error();
  }
  kraken::EditRequest ws_edit = e;
  ws_edit.pair = (*in)->symbol;
  const std::int64_t req_id = hooks_.next_req_id();
  const auto frame = hooks_.ws_ready() ? kraken::ws_edit_order(ws_edit, hooks_.ws_token(), req_id)
                                       : result<std::string>(Error(errc::connection_failed, "not connected"));
  auto path = choose(route, frame);
  if (!path) co_return path.error();
  if (auto ok = co_await charge((*in)->rest_key, kraken::TradingAction::edit, age_of(e.txid), 1); !ok) co_return ok.error();
  std::function<result<EntryAck>(const OwnedReply&)> from_ws = [&e](const OwnedReply& reply) -> result<EntryAck> {
    auto r = kraken::parse_ws_edit_ack(reply.result);
    if (!r) return unknown_outcome(fmt::format("edit_order of {}: accepted, answer not understood", e.txid), {});
    EntryAck ack;
    ack.order_id = r->order_id;
    ack.original_order_id = r->original_order_id.empty() ? e.txid : r->original_order_id;
    return ack;
  };
  kraken::EditRequest rest_edit = e;
  rest_edit.pair = (*in)->rest_key;
  kraken::KrakenRestService::Call<kraken::EditOrderResponse> rest = [rest_edit](KrakenRestClient& c) {
    return c.edit_order(rest_edit);
  };
  std::function<EntryAck(const kraken::EditOrderResponse&)> from_rest = [&e](const kraken::EditOrderResponse& r) {
    EntryAck ack;
    ack.order_id = r.txid;
    ack.original_order_id = r.originaltxid.value_or(e.txid);
    return ack;
  };
  // Named before the co_await (GCC 12, see rest_service.hpp).
  std::string text = frame ? *frame : std::string();
  std::string what = "edit_order";
  co_return co_await send_change<kraken::EditOrderResponse>(*path, route, std::move(text), req_id, std::move(what),
                                      std::move(from_ws), std::move(rest), std::move(from_rest));
}

asio::awaitable<result<EntryAck>> OrderEntry::cancel(kraken::CancelRequest c, Route route) {
  if (auto ok = check_cancel(hooks_.system_status ? hooks_.system_status() : kraken::SystemStatus::unknown); !ok) co_return ok.error();
  if (c.size() == 0) co_return Error(errc::invalid_argument, "order_id: nothing to cancel");
  if (c.size() > 50) co_return Error(errc::invalid_argument, "order_id: at most 50 per request");
  const bool single = c.size() == 1;
  // Each cancel is charged on its pair's counter with its age penalty (PROTOCOL.md §5.2).
  for (const auto& id : c.txids) {
    auto k = hooks_.find_by_order_id ? hooks_.find_by_order_id(id) : std::nullopt;
    if (k)
      if (auto ok = co_await charge(k->pair, kraken::TradingAction::cancel, age_of(id), 1); !ok) co_return ok.error();
  }
  for (const auto& id : c.cl_ord_ids) {
    auto k = hooks_.find_by_cl_ord_id ? hooks_.find_by_cl_ord_id(id) : std::nullopt;
    if (k)
      if (auto ok = co_await charge(k->pair, kraken::TradingAction::cancel, age_of(k->order_id), 1); !ok) co_return ok.error();
  }
  const std::int64_t req_id = hooks_.next_req_id();
  const auto frame = !hooks_.ws_ready()
                         ? result<std::string>(Error(errc::connection_failed, "not connected"))
                     : single ? kraken::ws_cancel_order(c, hooks_.ws_token(), req_id)
                              : kraken::ws_batch_cancel(c, hooks_.ws_token(), req_id);
  auto path = choose(route, frame);
  if (!path) co_return path.error();
  std::function<result<EntryAck>(const OwnedReply&)> from_ws = [&c, single](const OwnedReply& reply) -> result<EntryAck> {
    EntryAck ack;
    auto n = single ? result<std::int64_t>(1) : kraken::parse_ws_count_ack(reply.result);
    ack.count = n ? *n : static_cast<std::int64_t>(c.size());
    return ack;
  };
  kraken::KrakenRestService::Call<kraken::CancelResponse> rest = [c, single](KrakenRestClient& cl) {
    return single ? cl.cancel_order(c) : cl.cancel_order_batch(c);
  };
  std::function<EntryAck(const kraken::CancelResponse&)> from_rest = cancel_ack;
  // Named before the co_await (GCC 12, see rest_service.hpp).
  std::string text = frame ? *frame : std::string();
  std::string what = single ? "cancel_order" : "batch_cancel";
  co_return co_await send_change<kraken::CancelResponse>(*path, route, std::move(text), req_id, std::move(what),
                                      std::move(from_ws), std::move(rest), std::move(from_rest));
}

asio::awaitable<result<EntryAck>> OrderEntry::cancel_all(Route route) {
  if (auto ok = check_cancel(hooks_.system_status ? hooks_.system_status() : kraken::SystemStatus::unknown); !ok) co_return ok.error();
  const std::int64_t req_id = hooks_.next_req_id();
  const auto frame = hooks_.ws_ready() ? result<std::string>(kraken::ws_cancel_all(hooks_.ws_token(), req_id))
                                       : result<std::string>(Error(errc::connection_failed, "not connected"));
  auto path = choose(route, frame);
  if (!path) co_return path.error();
  std::function<result<EntryAck>(const OwnedReply&)> from_ws = [](const OwnedReply& reply) -> result<EntryAck> {
    EntryAck ack;
    auto n = kraken::parse_ws_count_ack(reply.result);
    ack.count = n ? *n : 0;
    return ack;
  };
  kraken::KrakenRestService::Call<kraken::CancelResponse> rest = [](KrakenRestClient& c) { return c.cancel_all(); };
  std::function<EntryAck(const kraken::CancelResponse&)> from_rest = cancel_ack;
  // Named before the co_await (GCC 12, see rest_service.hpp).
  std::string text = frame ? *frame : std::string();
  std::string what = "cancel_all";
  co_return co_await send_change<kraken::CancelResponse>(*path, route, std::move(text), req_id, std::move(what),
                                      std::move(from_ws), std::move(rest), std::move(from_rest));
}

asio::awaitable<result<EntryAck>> OrderEntry::cancel_all_after(int timeout_s, Route route) {
  if (timeout_s < 0 || timeout_s >= 86400) co_return Error(errc::invalid_argument, "timeout: 0 (disable) to 86399 seconds");
  const std::int64_t req_id = hooks_.next_req_id();
  const auto frame = hooks_.ws_ready() ? kraken::ws_cancel_all_orders_after(timeout_s, hooks_.ws_token(), req_id)
                                       : result<std::string>(Error(errc::connection_failed, "not connected"));
  auto path = choose(route, frame);
  if (!path) co_return path.error();
  std::function<result<EntryAck>(const OwnedReply&)> from_ws = [](const OwnedReply& reply) -> result<EntryAck> {
    EntryAck ack;
    if (auto d = kraken::parse_ws_dead_man_ack(reply.result)) {
      ack.current_time = d->current_time;
      ack.trigger_time = d->trigger_time;
    }
    return ack;
  };
  kraken::KrakenRestService::Call<kraken::DeadManResponse> rest = [timeout_s](KrakenRestClient& c) {
    return c.cancel_all_orders_after(timeout_s);
  };
  std::function<EntryAck(const kraken::DeadManResponse&)> from_rest = [](const kraken::DeadManResponse& r) {
    EntryAck ack;
    ack.current_time = r.current_time;
    ack.trigger_time = r.trigger_time;
    return ack;
  };
  // Named before the co_await (GCC 12, see rest_service.hpp).
  std::string text = frame ? *frame : std::string();
  std::string what = "cancel_all_orders_after";
  co_return co_await send_change<kraken::DeadManResponse>(*path, route, std::move(text), req_id, std::move(what),
                                      std::move(from_ws), std::move(rest), std::move(from_rest));
}

// ---------------------------------------------------------------------------------------------
// batch_add

asio::awaitable<result<BatchResult>> OrderEntry::batch_add(std::string pair, std::vector<kraken::OrderRequest> orders,
                                                            bool validate, std::optional<std::string> deadline, Route route) {
  auto in = instrument(pair, "pair");
  if (!in) co_return in.error();
  if (hooks_.kill_switch_engaged && hooks_.kill_switch_engaged())
    co_return Error(errc::blocked, "kill switch: engaged; new orders are refused until it is disengaged");
  // Entries may name the pair in any spelling; a batch is one pair.
  for (std::size_t i = 0; i < orders.size(); ++i) {
    if (orders[i].pair.empty()) continue;
    auto other = registry_.find(orders[i].pair);
    if (!other || other->rest_key != (*in)->rest_key)
      co_return Error(errc::invalid_argument, fmt::format("orders[{}].pair: a batch is one pair", i));
    orders[i].pair.clear();
  }
  if (auto ok = kraken::check_batch(pair, orders); !ok) co_return ok.error();
  const PreTradeContext ctx = context(*in);
  PreTradeLimits limits = opt_.limits;
  for (std::size_t i = 0; i < orders.size(); ++i) {
    auto& o = orders[i];
    o.pair = pair;
    if (auto ok = check_new_order(o, ctx, limits); !ok) {
      ++stats_.refused_locally;
      co_return Error(errc::invalid_argument, fmt::format("orders[{}].{}", i, ok.error().detail));
    }
    if (o.cl_ord_id) {
      if (const LedgerEntry* e = ledger_.find(*o.cl_ord_id); e && !may_resend(e->state))
        co_return Error(errc::invalid_argument, fmt::format("orders[{}].cl_ord_id: '{}' is already {}", i, *o.cl_ord_id, to_string(e->state)));
      if (hooks_.find_by_cl_ord_id && hooks_.find_by_cl_ord_id(*o.cl_ord_id))
        co_return Error(errc::invalid_argument, fmt::format("orders[{}].cl_ord_id: '{}' is already an order", i, *o.cl_ord_id));
    } else if (!o.userref) {
      o.cl_ord_id = make_cl_ord_id();
    }
    o.pair.clear();
  }
  if (limits.max_open_orders && ctx.open_orders + orders.size() > *limits.max_open_orders)
    co_return Error(errc::invalid_argument, fmt::format("max_open_orders: {} open and {} more would pass the limit of {}",
                                                        ctx.open_orders, orders.size(), *limits.max_open_orders));
  const WallTime now = clock_.wall_now();
  if (!deadline && !validate) deadline = format_rfc3339(now + opt_.default_deadline, 3);
  const std::int64_t req_id = hooks_.next_req_id();
  const auto frame = hooks_.ws_ready()
                         ? kraken::ws_batch_add((*in)->symbol, orders, validate, deadline, hooks_.ws_token(), req_id, now)
                         : result<std::string>(Error(errc::connection_failed, "not connected"));
  auto path = choose(route, frame);
  if (!path) co_return path.error();

  std::vector<std::string> keys;
  for (const auto& o : orders) {
    const std::string key = o.cl_ord_id ? *o.cl_ord_id : fmt::format("userref:{}@{}", *o.userref, now.time_since_epoch().count());
    keys.push_back(key);
    if (!validate) {
      kraken::OrderRequest entry = o;
      entry.pair = (*in)->rest_key;
      entry.deadline = deadline;
      if (auto b = ledger_.begin(key, entry, *path, now, clock_.mono_now()); !b) co_return b.error();
    }
  }
  auto all_ambiguous = [&](const Error& why) {
    stats_.ambiguous += keys.size();
    for (const auto& k : keys) {
      ledger_.ambiguous(k, why);
      asio::co_spawn(ex_, resolve(k), log_failure);
    }
    Error e = why;
    e.code = make_error_code(errc::unknown_outcome);
    e.cl_ord_ids = keys;
    return e;
  };
  auto all_rejected = [&](const Error& why) {
    for (const auto& k : keys) ledger_.rejected(k, why);
    return why;
  };

  BatchResult out;
  if (*path == EntryPath::ws) {
    if (!validate)
      if (auto ok = co_await charge((*in)->rest_key, kraken::TradingAction::batch_add, {}, orders.size()); !ok)
        co_return all_rejected(ok.error());
    auto reply = co_await ws_request(*frame, req_id);
    if (!falls_back(reply, route)) {
      if (!reply) co_return validate ? reply.error() : all_ambiguous(reply.error());
      if (!reply->success) {
        Error e = from_reply(*reply, "batch_add");
        if (validate) co_return e;
        if (e.kraken->classification == ErrorClass::unknown_outcome) co_return all_ambiguous(e);
        co_return all_rejected(e);
      }
      out.time_in = reply->time_in;
      out.time_out = reply->time_out;
      auto acks = kraken::parse_ws_batch_add_ack(reply->result);
      if (!acks || (!validate && acks->size() != orders.size())) {
        if (validate) co_return out;
        co_return all_ambiguous(Error(errc::parse_error, "batch_add accepted, answer not understood"));
      }
      for (std::size_t i = 0; i < orders.size(); ++i) {
        BatchEntry b;
        b.cl_ord_id = orders[i].cl_ord_id.value_or("");
        if (i < acks->size()) b.order_id = (*acks)[i].order_id;
        if (!validate) ledger_.accepted(keys[i], b.order_id);
        out.orders.push_back(std::move(b));
      }
      co_return out;
    }
    ++stats_.fallbacks;
  }
  ++stats_.rest_sent;
  const std::string rest_pair = (*in)->rest_key;
  kraken::KrakenRestService::Call<std::vector<kraken::BatchOrderResult>> call =
      [rest_pair, orders, validate, deadline](KrakenRestClient& c) { return c.add_order_batch(rest_pair, orders, validate, deadline); };
  auto r = co_await rest_.async_call<std::vector<kraken::BatchOrderResult>>(std::move(call));
  out.path = EntryPath::rest;
  if (!r) {
    if (validate) co_return r.error();
    if (may_have_executed(r.error())) co_return all_ambiguous(r.error());
    co_return all_rejected(r.error());
  }
  for (std::size_t i = 0; i < orders.size(); ++i) {
    BatchEntry b;
    b.cl_ord_id = orders[i].cl_ord_id.value_or("");
    if (i < r->size()) {
      const auto& one = (*r)[i];
      if (one.txid) b.order_id = *one.txid;
      b.error = one.error;
    }
    if (!validate) {
      if (!b.order_id.empty()) ledger_.accepted(keys[i], b.order_id);
      else ledger_.rejected(keys[i], Error(errc::exchange_error, b.error.value_or("no txid")));
    }
    out.orders.push_back(std::move(b));
  }
  co_return out;
}

}  // namespace kgw::oms
