// kgw.v1.Gateway: the gateway's own state, answered from memory with no Kraken call — build and
// configuration, upstream connections (UpstreamMonitor), cache freshness (the feed's and the
// account's caches), the REST rate budget (the REST service's governor), the dead-man switch and
// the kill switch (the order manager; engaging it cancels all orders, which does call Kraken).
// Without an API key the dead-man and kill-switch calls are FAILED_PRECONDITION.

#include <grpcpp/grpcpp.h>

#include <spdlog/spdlog.h>

#include <algorithm>

#include "backend.hpp"
#include "grpc_status.hpp"
#include "kgw/v1/gateway.grpc.pb.h"
#include "proto_convert.hpp"
#include "services.hpp"
#include "watched_stream.hpp"

#ifndef KGW_VERSION
#define KGW_VERSION "0.0.0"
#endif
#ifndef KGW_BUILD_TYPE
#define KGW_BUILD_TYPE ""
#endif

namespace kgw::gateway {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

v1::UpstreamKind to_proto(UpstreamKind k) {
  switch (k) {
    case UpstreamKind::public_ws: return v1::UPSTREAM_KIND_PUBLIC_WS;
    case UpstreamKind::private_ws: return v1::UPSTREAM_KIND_PRIVATE_WS;
    case UpstreamKind::rest: return v1::UPSTREAM_KIND_REST;
  }
  return v1::UPSTREAM_KIND_UNSPECIFIED;
}

v1::ConnectionState to_proto(ConnectionState s) {
  switch (s) {
    case ConnectionState::disabled: return v1::CONNECTION_STATE_DISABLED;
    case ConnectionState::connecting: return v1::CONNECTION_STATE_CONNECTING;
    case ConnectionState::connected: return v1::CONNECTION_STATE_CONNECTED;
    case ConnectionState::ready: return v1::CONNECTION_STATE_READY;
    case ConnectionState::backoff: return v1::CONNECTION_STATE_BACKOFF;
    case ConnectionState::closed: return v1::CONNECTION_STATE_CLOSED;
  }
  return v1::CONNECTION_STATE_UNSPECIFIED;
}

void fill(google::protobuf::RepeatedPtrField<v1::UpstreamConnection>& out, const UpstreamSnapshot& s) {
  for (const auto& c : s.connections) {
    v1::UpstreamConnection* x = out.Add();
    x->set_kind(to_proto(c.kind));
    x->set_endpoint(c.endpoint);
    x->set_state(to_proto(c.state));
    x->set_state_since_time_ns(c.state_since_ns);
    x->set_ready_since_time_ns(c.ready_since_ns);
    x->set_last_receive_time_ns(c.last_receive_ns);
    x->set_reconnect_count(c.reconnects);
    x->set_consecutive_failures(c.consecutive_failures);
    x->set_last_error(c.last_error);
    x->set_last_error_time_ns(c.last_error_ns);
    x->set_subscription_count(c.subscriptions);
    x->set_kraken_connection_id(c.kraken_connection_id);
    x->set_api_version(c.api_version);
    x->set_round_trip_ns(c.round_trip_ns);
    x->set_messages_received(c.messages);
  }
}

v1::UpstreamMode mode(const Backend& b) { return b.simulated ? v1::UPSTREAM_MODE_SIMULATOR : v1::UPSTREAM_MODE_LIVE; }

// Counter values decay fractionally: two decimals are what the contract's examples show.
std::string counter_text(double v) { return fmt::format("{:.2f}", v); }

class UpstreamStream final : public WatchedStream<v1::UpstreamStatusEvent> {
 public:
  explicit UpstreamStream(Backend& b) : WatchedStream(b.watch), b_(b) {}

 private:
  bool next(v1::UpstreamStatusEvent& out) override {
    const UpstreamSnapshot s = b_.upstream.snapshot();
    if (sent_ && s.generation == generation_) return false;
    fill(*out.mutable_connections(), s);
    out.set_exchange_status(gateway::to_proto(s.exchange_status));
    out.set_changed(sent_ && s.changed ? to_proto(*s.changed) : v1::UPSTREAM_KIND_UNSPECIFIED);
    out.set_served_time_ns(b_.now_ns());
    generation_ = s.generation;
    sent_ = true;
    return true;
  }

  Backend& b_;
  bool sent_ = false;
  std::uint64_t generation_ = 0;
};

class GatewayService final : public v1::Gateway::CallbackService {
 public:
  explicit GatewayService(Backend& b) : b_(b) {}

  ServerUnaryReactor* GetInfo(CallbackServerContext* ctx, const v1::GetInfoRequest*, v1::GetInfoResponse* resp) override {
    const std::int64_t now = b_.now_ns();
    resp->set_version(KGW_VERSION);
    resp->set_build_type(KGW_BUILD_TYPE);
    resp->set_api_package("kgw.v1");
    resp->set_start_time_ns(b_.start_ns);
    resp->set_uptime_ns(now - b_.start_ns);
    resp->set_mode(mode(b_));
    const auto s = b_.upstream.snapshot();
    resp->set_public_ws_url(s.connections[0].endpoint);
    resp->set_private_ws_url(s.connections[1].endpoint);
    resp->set_rest_url(s.connections[2].endpoint);
    resp->set_api_key_configured(b_.api_key);
    resp->set_account_tier(std::string(kraken::to_string(b_.governor.tier)));
    resp->set_config_name(b_.config.name);
    resp->set_served_time_ns(now);
    return ok(ctx);
  }

  ServerUnaryReactor* GetUpstreamStatus(CallbackServerContext* ctx, const v1::GetUpstreamStatusRequest*,
                                        v1::GetUpstreamStatusResponse* resp) override {
    const UpstreamSnapshot s = b_.upstream.snapshot();
    fill(*resp->mutable_connections(), s);
    resp->set_exchange_status(gateway::to_proto(s.exchange_status));
    resp->set_mode(mode(b_));
    resp->set_served_time_ns(b_.now_ns());
    return ok(ctx);
  }

  grpc::ServerWriteReactor<v1::UpstreamStatusEvent>* StreamUpstreamStatus(CallbackServerContext*,
                                                                          const v1::StreamUpstreamStatusRequest*) override {
    auto s = std::make_shared<UpstreamStream>(b_);
    Interest i;
    i.upstream = true;
    i.system_status = true;
    return s->start(std::move(i));
  }

  ServerUnaryReactor* GetCacheFreshness(CallbackServerContext* ctx, const v1::GetCacheFreshnessRequest* req,
                                        v1::GetCacheFreshnessResponse* resp) override {
    std::vector<std::string> symbols;
    for (int i = 0; i < req->pairs_size(); ++i) {
      auto in = b_.pair(req->pairs(i), fmt::format("pairs[{}]", i));
      if (!in) return fail_with(ctx, in.error());
      symbols.push_back((*in)->symbol);
    }
    std::vector<v1::CacheKind> kinds;
    for (int i = 0; i < req->kinds_size(); ++i) {
      if (!v1::CacheKind_IsValid(req->kinds(i)))
        return fail_with(ctx, Error(errc::invalid_argument, fmt::format("kinds[{}]: {} is not a CacheKind", i, req->kinds(i))));
      if (req->kinds(i) != v1::CACHE_KIND_UNSPECIFIED) kinds.push_back(static_cast<v1::CacheKind>(req->kinds(i)));
    }
    auto wanted = [&](v1::CacheKind k) { return kinds.empty() || std::find(kinds.begin(), kinds.end(), k) != kinds.end(); };
    const std::int64_t now = b_.now_ns();
    const auto& fc = b_.config.feed;
    for (const auto& symbol : b_.streamed) {
      if (!symbols.empty() && std::find(symbols.begin(), symbols.end(), symbol) == symbols.end()) continue;
      const feed::SymbolCache* c = b_.cache.find(symbol);
      const auto in = b_.registry.find(symbol);
      if (!c || !in) continue;
      const bool live = !c->stale(now) && c->live_ns() > 0;
      auto entry = [&](v1::CacheKind kind, const feed::Stamp* stamp) {
        v1::CacheEntry* e = resp->add_entries();
        e->set_kind(kind);
        e->set_pair(in->rest_key);
        e->set_symbol(symbol);
        e->set_live(live && stamp);
        if (stamp) {
          e->set_exchange_time_ns(stamp->exchange_ns);
          e->set_receive_time_ns(stamp->receive_ns);
          e->set_age_ns(std::max<std::int64_t>(0, now - stamp->receive_ns));
          e->set_sequence(stamp->seq);
          e->set_update_count(stamp->seq);
        }
        return e;
      };
      if (wanted(v1::CACHE_KIND_TICKER)) {
        auto t = c->ticker();
        entry(v1::CACHE_KIND_TICKER, t ? &t->stamp : nullptr);
      }
      if (wanted(v1::CACHE_KIND_BOOK) && fc.book_depth > 0) {
        auto b = c->book();
        v1::CacheEntry* e = entry(v1::CACHE_KIND_BOOK, b ? &b->stamp : nullptr);
        e->set_depth(static_cast<std::uint32_t>(fc.book_depth));
        e->set_live(e->live() && c->book_state(now) == feed::BookState::synced);
        e->set_checksum_failures(c->checksum_mismatches());
        e->set_resubscribe_count(c->resyncs());
      }
      if (wanted(v1::CACHE_KIND_TRADES)) {
        feed::TradeValue newest;
        const bool any = c->trade(c->trades_published(), newest);
        entry(v1::CACHE_KIND_TRADES, any ? &newest.stamp : nullptr);
      }
      if (wanted(v1::CACHE_KIND_OHLC))
        for (int interval : fc.ohlc_intervals) {
          auto k = c->candle(interval);
          entry(v1::CACHE_KIND_OHLC, k ? &k->stamp : nullptr)->set_interval_minutes(interval);
        }
    }
    if (symbols.empty() && wanted(v1::CACHE_KIND_SYSTEM_STATUS)) {
      v1::CacheEntry* e = resp->add_entries();
      e->set_kind(v1::CACHE_KIND_SYSTEM_STATUS);
      if (auto s = b_.cache.status()) {
        e->set_exchange_time_ns(s->stamp.exchange_ns);
        e->set_receive_time_ns(s->stamp.receive_ns);
        e->set_age_ns(std::max<std::int64_t>(0, now - s->stamp.receive_ns));
        e->set_sequence(s->stamp.seq);
        e->set_update_count(s->stamp.seq);
        e->set_live(b_.upstream.public_feed_up());
      }
    }
    if (symbols.empty() && b_.oms)
      if (auto snap = b_.oms->account()) {
        // The account caches: one entry per kind, live while the private session's snapshots are in.
        const std::int64_t rx = snap->freshness.last_frame.time_since_epoch().count();
        for (v1::CacheKind kind : {v1::CACHE_KIND_BALANCES, v1::CACHE_KIND_OPEN_ORDERS, v1::CACHE_KIND_EXECUTIONS}) {
          if (!wanted(kind)) continue;
          v1::CacheEntry* e = resp->add_entries();
          e->set_kind(kind);
          e->set_live(snap->fresh());
          e->set_receive_time_ns(rx);
          e->set_age_ns(rx > 0 ? std::max<std::int64_t>(0, now - rx) : 0);
          e->set_sequence(snap->cursor.sequence);
          e->set_update_count(snap->cursor.sequence);
          e->set_subscribed_since_time_ns(snap->freshness.since.time_since_epoch().count());
        }
      }
    if (symbols.empty() && wanted(v1::CACHE_KIND_INSTRUMENTS)) {
      v1::CacheEntry* e = resp->add_entries();
      e->set_kind(v1::CACHE_KIND_INSTRUMENTS);
      e->set_update_count(b_.registry.version());
      e->set_sequence(b_.registry.version());
      e->set_live(b_.upstream.public_feed_up());
    }
    resp->set_served_time_ns(now);
    return ok(ctx);
  }

  ServerUnaryReactor* GetRateBudget(CallbackServerContext* ctx, const v1::GetRateBudgetRequest* req,
                                    v1::GetRateBudgetResponse* resp) override {
    std::vector<InstrumentRegistry::InstrumentPtr> pairs;
    for (int i = 0; i < req->pairs_size(); ++i) {
      auto in = b_.pair(req->pairs(i), fmt::format("pairs[{}]", i));
      if (!in) return fail_with(ctx, in.error());
      pairs.push_back(*in);
    }
    const RestBudget budget = b_.rest_budget();
    v1::RestRateBudget* rest = resp->mutable_rest();
    rest->set_tier(std::string(kraken::to_string(b_.governor.tier)));
    rest->set_counter(counter_text(budget.counter));
    rest->set_max_counter(counter_text(budget.limit));
    rest->set_decay_per_second(counter_text(budget.decay_per_s));
    rest->set_headroom(counter_text(budget.headroom));
    rest->set_calls_sent(b_.rest.stats().calls.load(std::memory_order_relaxed));
    rest->set_rate_limit_errors(b_.rest.stats().rate_limited.load(std::memory_order_relaxed));
    // Per pair: the governor's own estimate (no order traffic yet: the order manager sends it).
    const auto limits = kraken::tier_limits(b_.governor.tier);
    for (const auto& in : pairs) {
      const double counter = b_.rest.governor().trading_counter(in->rest_key);
      v1::PairRateBudget* p = resp->add_pairs();
      p->set_pair(in->rest_key);
      p->set_symbol(in->symbol);
      p->set_counter(counter_text(counter));
      p->set_threshold(counter_text(limits.trading_threshold));
      p->set_decay_per_second(counter_text(limits.trading_decay_per_s));
      p->set_headroom(counter_text(std::max(0.0, limits.trading_threshold - counter - b_.governor.cancel_reserve)));
      p->set_max_open_orders(static_cast<std::uint32_t>(limits.max_open_per_pair));
    }
    resp->set_served_time_ns(b_.now_ns());
    return ok(ctx);
  }

  ServerUnaryReactor* GetDeadManSwitch(CallbackServerContext* ctx, const v1::GetDeadManSwitchRequest*,
                                       v1::GetDeadManSwitchResponse* resp) override {
    if (auto e = b_.no_order_manager()) return fail_with(ctx, *e);
    const oms::DeadManState d = b_.oms->dead_man();
    const std::int64_t now = b_.now_ns();
    if (d.enabled) {  // the gateway's keeper owns it
      resp->set_armed(d.armed);
      resp->set_owner(d.armed ? v1::DEAD_MAN_OWNER_GATEWAY : v1::DEAD_MAN_OWNER_UNSPECIFIED);
      resp->set_timeout_seconds(d.armed ? static_cast<std::uint32_t>(b_.config.trading.dead_man_timeout_s) : 0);
      if (auto t = parse_rfc3339(d.trigger_time); t && d.armed) resp->set_trigger_time_ns(t->time_since_epoch().count());
      resp->set_keeper_interval_ns(std::chrono::nanoseconds(b_.config.trading.dead_man_refresh).count());
      if (!d.last_error.empty()) {
        v1::ErrorDetail* e = resp->mutable_last_error();
        e->set_message(d.last_error);
        e->set_classification(v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED);
      }
    } else {  // as the last client call left it
      const TradingRecord& t = *b_.trading;
      std::lock_guard lock(t.mu);
      const bool armed = t.client_timeout_s > 0 && t.client_trigger_ns > now;
      resp->set_armed(armed);
      resp->set_owner(armed ? v1::DEAD_MAN_OWNER_CLIENT : v1::DEAD_MAN_OWNER_UNSPECIFIED);
      resp->set_timeout_seconds(t.client_timeout_s);
      resp->set_trigger_time_ns(armed ? t.client_trigger_ns : 0);
      resp->set_last_refresh_time_ns(t.client_refresh_ns);
      resp->set_exchange_time_ns(t.client_exchange_ns);
      resp->set_refresh_count(t.client_refreshes);
      resp->set_refresh_failures(t.client_failures);
      if (t.client_error) {
        const grpc::Status st = to_grpc_status(*t.client_error, CallKind::order_entry);
        v1::RpcStatus rpc;
        if (rpc.ParseFromString(st.error_details()) && rpc.details_size() == 1) (void)rpc.details(0).UnpackTo(resp->mutable_last_error());
      }
    }
    resp->set_served_time_ns(now);
    return ok(ctx);
  }

  ServerUnaryReactor* GetKillSwitch(CallbackServerContext* ctx, const v1::GetKillSwitchRequest*,
                                    v1::GetKillSwitchResponse* resp) override {
    if (auto e = b_.no_order_manager()) return fail_with(ctx, *e);
    fill_kill_switch(*resp->mutable_state());
    return ok(ctx);
  }

  ServerUnaryReactor* EngageKillSwitch(CallbackServerContext* ctx, const v1::EngageKillSwitchRequest* req,
                                       v1::EngageKillSwitchResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) {
      r->Finish(to_grpc_status(*e));
      return r;
    }
    const std::string peer = ctx->peer();
    const bool keep = req->keep_open_orders();
    b_.oms->engage_kill_switch(
        req->reason(),
        [this, r, resp, peer, keep](result<oms::EntryAck> ack) {
          // Engaged even when the cancel-all failed: the call succeeds and says so.
          if (!ack && !b_.oms->kill_switch().engaged) return r->Finish(to_grpc_status(ack.error()));
          {
            std::lock_guard lock(b_.trading->mu);
            b_.trading->changed_by = peer;
          }
          b_.trading->kill_refused.store(0, std::memory_order_relaxed);
          if (ack) {
            resp->set_orders_cancelled(static_cast<std::int32_t>(ack->count));
            resp->set_cancel_pending(ack->pending);
          } else if (!keep) {
            const grpc::Status st = to_grpc_status(ack.error(), CallKind::order_entry);
            v1::RpcStatus rpc;
            if (rpc.ParseFromString(st.error_details()) && rpc.details_size() == 1)
              (void)rpc.details(0).UnpackTo(resp->mutable_cancel_error());
          }
          fill_kill_switch(*resp->mutable_state());
          r->Finish(grpc::Status::OK);
        },
        !keep);
    return r;
  }

  ServerUnaryReactor* DisengageKillSwitch(CallbackServerContext* ctx, const v1::DisengageKillSwitchRequest* req,
                                          v1::DisengageKillSwitchResponse* resp) override {
    if (auto e = b_.no_order_manager()) return fail_with(ctx, *e);
    if (auto done = b_.oms->disengage_kill_switch(); !done) return fail_with(ctx, done.error());
    {
      std::lock_guard lock(b_.trading->mu);
      b_.trading->disengaged_ns = b_.now_ns();
      b_.trading->changed_by = ctx->peer();
    }
    spdlog::warn("gateway: kill switch disengaged by {}{}", ctx->peer(), req->reason().empty() ? "" : ": " + req->reason());
    fill_kill_switch(*resp->mutable_state(), req->reason());
    return ok(ctx);
  }

 private:
  static ServerUnaryReactor* ok(CallbackServerContext* ctx) {
    auto* r = ctx->DefaultReactor();
    r->Finish(grpc::Status::OK);
    return r;
  }
  static ServerUnaryReactor* fail_with(CallbackServerContext* ctx, const Error& e) {
    auto* r = ctx->DefaultReactor();
    r->Finish(to_grpc_status(e));
    return r;
  }
  // The kill switch as the order manager keeps it, with what the gateway records beside it.
  void fill_kill_switch(v1::KillSwitchState& out, const std::string& disengage_reason = {}) const {
    const oms::KillSwitchState k = b_.oms->kill_switch();
    out.set_engaged(k.engaged);
    if (k.engaged) out.set_engaged_time_ns(k.since.time_since_epoch().count());
    out.set_reason(k.engaged ? k.reason : disengage_reason);
    std::lock_guard lock(b_.trading->mu);
    out.set_disengaged_time_ns(b_.trading->disengaged_ns);
    out.set_changed_by(b_.trading->changed_by.empty() && k.engaged ? "gateway" : b_.trading->changed_by);
    out.set_orders_refused(b_.trading->kill_refused.load(std::memory_order_relaxed));
  }

  Backend& b_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_gateway_service(Backend& backend) { return std::make_unique<GatewayService>(backend); }

}  // namespace kgw::gateway
