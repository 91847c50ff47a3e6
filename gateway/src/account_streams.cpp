#include "account_streams.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "account_convert.hpp"
#include "backend.hpp"
#include "kgw/v1/account.pb.h"
#include "kgw/v1/trading.pb.h"
#include "proto_convert.hpp"
#include "watched_stream.hpp"

namespace kgw::gateway {
namespace {

using oms::AccountEvent;
using oms::EventKind;

template <class Message>
grpc::ServerWriteReactor<Message>* refuse(const Error& e) {
  return new FinishedStream<Message>(to_grpc_status(e));
}

// The resume point of a request: both halves or neither.
template <class Request>
result<std::optional<oms::EventCursor>> resume_of(const Request& r) {
  if (r.has_resume_after_sequence() != r.has_resume_after_epoch())
    return Error(errc::invalid_argument, r.has_resume_after_sequence()
                                             ? "resume_after_epoch: required with resume_after_sequence"
                                             : "resume_after_sequence: required with resume_after_epoch");
  if (!r.has_resume_after_sequence()) return std::optional<oms::EventCursor>{};
  return std::optional<oms::EventCursor>(oms::EventCursor{r.resume_after_epoch(), r.resume_after_sequence()});
}

// One client's subscription to the account events, drained into messages of its kind. The order
// manager pushes into the subscription's bounded queue and pokes the stream, never waiting; a
// full queue has ended the subscription, and so the stream, with RESOURCE_EXHAUSTED.
template <class Message>
class AccountStream : public WatchedStream<Message> {
 public:
  // Items in one message at most (a long backlog is split).
  static constexpr std::size_t kPerMessage = 500;

  AccountStream(Backend& b, std::size_t capacity, std::string_view what)
      : WatchedStream<Message>(b.watch), b_(b), capacity_(capacity), what_(what) {}
  ~AccountStream() override {
    if (sub_) sub_->cancel();
  }

  // After make_shared: subscribes from `from` and starts writing.
  grpc::ServerWriteReactor<Message>* open(std::optional<oms::EventCursor> from) {
    std::weak_ptr<WatchedStream<Message>> weak = this->shared_from_this();
    auto sub = b_.oms->subscribe_account(from, capacity_, [weak] {
      if (auto s = weak.lock()) s->poke();
    });
    auto* reactor = this->start(Interest{});
    // The order manager may already be pushing and poking: the subscription is taken up under
    // the stream's lock, then a pass picks up what came meanwhile.
    if (!sub) {
      this->end(to_grpc_status(Error(errc::connection_failed, "the order manager is not running")));
      return reactor;
    }
    this->locked([&] { sub_ = std::move(sub); });
    this->poke();
    return reactor;
  }

 protected:
  std::optional<grpc::Status> absorb(bool) override {
    if (!sub_ || !sub_->overflowed()) return std::nullopt;
    return to_grpc_status(fail(gateway_errc::client_too_slow,
                               fmt::format("{}: the client fell more than {} events behind; resume from epoch {} sequence {}",
                                           what_, capacity_, cursor_.epoch, cursor_.sequence)));
  }

  // The next event: one held back from the last message first.
  std::optional<AccountEvent> take() {
    if (held_) return std::exchange(held_, std::nullopt);
    if (!sub_) return std::nullopt;  // not open yet
    return sub_->next();
  }

  void meta(v1::ReadMeta& out, std::int64_t received_ns) const {
    Meta m;
    m.source = v1::READ_SOURCE_WS_CACHE;
    m.simulated = b_.simulated;
    m.receive_ns = received_ns;
    m.served_ns = b_.now_ns();
    m.sequence = cursor_.sequence;
    fill(out, m);
  }

  Backend& b_;
  std::size_t capacity_;
  std::string_view what_;
  std::shared_ptr<oms::AccountSubscription> sub_;
  std::optional<AccountEvent> held_;
  oms::EventCursor cursor_;  // of the last event taken
};

class ExecutionsStream final : public AccountStream<v1::ExecutionsEvent> {
 public:
  ExecutionsStream(Backend& b, const v1::StreamExecutionsRequest& r, std::vector<std::string> symbols)
      : AccountStream(b, b.config.streams.executions_queue, "executions"),
        snap_orders_(!r.has_snap_orders() || r.snap_orders()),
        snap_trades_(r.has_snap_trades() && r.snap_trades()),
        every_status_(!r.has_order_status() || r.order_status()),
        symbols_(std::move(symbols)) {
    b_.oms->attach_trading_client();  // the dead-man keeper's notion of a trading client
  }

  void OnDone() override {
    b_.oms->detach_trading_client();
    AccountStream::OnDone();  // may destroy this
  }

 private:
  bool wanted(const std::string& symbol) const {
    return symbols_.empty() || std::find(symbols_.begin(), symbols_.end(), symbol) != symbols_.end();
  }
  bool wanted(const oms::OrderState& o) const {
    if (!wanted(o.symbol)) return false;
    if (every_status_ || !o.last_exec.value) return true;
    switch (*o.last_exec.value) {
      case kraken::ExecType::new_:
      case kraken::ExecType::filled:
      case kraken::ExecType::canceled:
      case kraken::ExecType::expired: return true;
      default: return false;
    }
  }

  // Open orders (and recent fills, if asked) as of `s`.
  void snapshot(v1::ExecutionsEvent& out, const oms::AccountSnapshot& s, bool orders, bool trades) {
    out.set_type(v1::STREAM_MESSAGE_TYPE_SNAPSHOT);
    if (orders)
      for (const auto& o : s.open_orders->list())
        if (wanted(o->symbol)) fill(*out.add_executions(), *o, b_.registry);
    if (trades && s.fills) {
      // Kraken's snapshot has the last 50 trades, oldest first.
      std::vector<const oms::Fill*> last;
      for (std::size_t i = 0; i < s.fills->size() && last.size() < 50; ++i)
        if (const auto& f = s.fills->newest(i); wanted(f->symbol)) last.push_back(f.get());
      for (auto it = last.rbegin(); it != last.rend(); ++it) fill(*out.add_executions(), **it, b_.registry);
    }
    out.set_sequence(cursor_.sequence);
    out.set_epoch(cursor_.epoch);
    meta(*out.mutable_meta(), s.freshness.last_frame.time_since_epoch().count());
  }

  bool next(v1::ExecutionsEvent& out) override {
    std::size_t items = 0;
    std::int64_t received = 0;
    // A fill from the executions stream is followed by its order's new state: Kraken sends the
    // two as one `trade` item, and so does this stream (a fill found by REST stands alone).
    v1::Execution* fill_item = nullptr;
    while (items < kPerMessage || fill_item) {
      auto e = take();
      if (!e) break;
      if (v1::Execution* item = std::exchange(fill_item, nullptr)) {
        const bool its_order = e->kind == EventKind::order && e->order->order_id == item->order_id() &&
                               e->order->last_exec.value == kraken::ExecType::trade;
        if (its_order) {
          cursor_ = e->cursor;
          fill(*item, *e->order, b_.registry);  // adds the order's fields
          continue;
        }
        if (items >= kPerMessage) {  // the next message's
          held_ = std::move(e);
          break;
        }
      }
      if (e->kind == EventKind::start || e->kind == EventKind::reset) {
        const bool fresh = e->kind == EventKind::reset || !e->resumed;
        if (!fresh) {  // resumed: the events after the client's cursor follow
          cursor_ = e->cursor;
          continue;
        }
        if (items > 0) {  // a snapshot is a message of its own
          held_ = std::move(e);
          break;
        }
        cursor_ = e->kind == EventKind::start ? e->cursor : e->snapshot->cursor;
        // The first snapshot as the client asked; after an epoch change always the orders.
        const bool orders = e->kind == EventKind::reset || snap_orders_;
        const bool trades = e->kind == EventKind::start && snap_trades_;
        if (!orders && !trades) continue;
        snapshot(out, *e->snapshot, orders, trades);
        return true;
      }
      cursor_ = e->cursor;
      if (e->kind == EventKind::order && wanted(*e->order)) {
        fill(*out.add_executions(), *e->order, b_.registry);
        received = e->order->stamp.received.time_since_epoch().count();
        ++items;
      } else if (e->kind == EventKind::fill && wanted(e->fill->symbol)) {
        fill_item = out.add_executions();
        fill(*fill_item, *e->fill, b_.registry);
        received = e->fill->stamp.received.time_since_epoch().count();
        ++items;
      }
    }
    if (items == 0) return false;
    out.set_type(v1::STREAM_MESSAGE_TYPE_UPDATE);
    out.set_sequence(cursor_.sequence);
    out.set_epoch(cursor_.epoch);
    meta(*out.mutable_meta(), received);
    return true;
  }

  bool snap_orders_, snap_trades_, every_status_;
  std::vector<std::string> symbols_;
};

class BalancesStream final : public AccountStream<v1::BalancesEvent> {
 public:
  BalancesStream(Backend& b, const v1::StreamBalancesRequest& r)
      : AccountStream(b, b.config.streams.balances_queue, "balances"), snapshot_(!r.has_snapshot() || r.snapshot()) {}

 private:
  bool next(v1::BalancesEvent& out) override {
    std::size_t items = 0;
    std::int64_t received = 0;
    while (items < kPerMessage) {
      auto e = take();
      if (!e) break;
      if (e->kind == EventKind::start || e->kind == EventKind::reset) {
        if (e->kind == EventKind::start && (e->resumed || !snapshot_)) {
          cursor_ = e->cursor;
          continue;
        }
        if (items > 0) {
          held_ = std::move(e);
          break;
        }
        const oms::AccountSnapshot& s = *e->snapshot;
        cursor_ = e->kind == EventKind::start ? e->cursor : s.cursor;
        out.set_type(v1::STREAM_MESSAGE_TYPE_SNAPSHOT);
        for (const auto& b : s.balances->all()) fill(*out.add_snapshot(), *b, b_.registry);
        out.set_sequence(cursor_.sequence);
        out.set_epoch(cursor_.epoch);
        meta(*out.mutable_meta(), s.freshness.last_frame.time_since_epoch().count());
        return true;
      }
      cursor_ = e->cursor;
      // A ledger transaction; a value a resubscription's snapshot changed comes without one
      // (an update that says only where the balance is now).
      if (e->kind == EventKind::balance) {
        fill(*out.add_updates(), *e->balance);
        received = e->balance->stamp.received.time_since_epoch().count();
        ++items;
      }
    }
    if (items == 0) return false;
    out.set_type(v1::STREAM_MESSAGE_TYPE_UPDATE);
    out.set_sequence(cursor_.sequence);
    out.set_epoch(cursor_.epoch);
    meta(*out.mutable_meta(), received);
    return true;
  }

  bool snapshot_;
};

}  // namespace

grpc::ServerWriteReactor<v1::ExecutionsEvent>* stream_executions(Backend& b, grpc::CallbackServerContext*,
                                                                 const v1::StreamExecutionsRequest& req) {
  if (auto e = b.no_order_manager()) return refuse<v1::ExecutionsEvent>(*e);
  auto from = resume_of(req);
  if (!from) return refuse<v1::ExecutionsEvent>(from.error());
  std::vector<std::string> symbols;
  for (int i = 0; i < req.pairs_size(); ++i) {
    auto in = b.pair(req.pairs(i), fmt::format("pairs[{}]", i));
    if (!in) return refuse<v1::ExecutionsEvent>(in.error());
    symbols.push_back((*in)->symbol);
  }
  auto s = std::make_shared<ExecutionsStream>(b, req, std::move(symbols));
  return s->open(*from);
}

grpc::ServerWriteReactor<v1::BalancesEvent>* stream_balances(Backend& b, grpc::CallbackServerContext*,
                                                             const v1::StreamBalancesRequest& req) {
  if (auto e = b.no_order_manager()) return refuse<v1::BalancesEvent>(*e);
  auto from = resume_of(req);
  if (!from) return refuse<v1::BalancesEvent>(from.error());
  auto s = std::make_shared<BalancesStream>(b, req);
  return s->open(*from);
}

}  // namespace kgw::gateway
