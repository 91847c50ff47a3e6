// kgw.v1.Trading over the order manager: order entry (WS v2 first, REST fallback, per the
// request's route; each answer says the path taken and Kraken's time_in/time_out), order reads
// from the account cache with REST fallback per the read policy, history and trade queries from
// REST, and StreamExecutions (account_streams.cpp). Every field is checked before anything is
// sent (trading_requests.cpp); the order manager's completions run on its thread and only fill
// the response and finish the call. Without an API key every call is FAILED_PRECONDITION.

#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "account_convert.hpp"
#include "account_reads.hpp"
#include "account_streams.hpp"
#include "backend.hpp"
#include "contract_words.hpp"
#include "rest_answer.hpp"
#include "kgw/v1/trading.grpc.pb.h"
#include "services.hpp"

namespace kgw::gateway {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using kraken::KrakenRestClient;
using kraken::Params;

// A read's failure. Its fields are named as the contract names them already: the renames of
// contract_field() are order entry's (REST AddOrder's `type` is PlaceOrder's side), and applied
// here they turned GetTradesHistory's `type` into "side" and GetOrderAmends' `order_id` into
// "txid".
ServerUnaryReactor* finish(ServerUnaryReactor* r, const Error& e) {
  r->Finish(to_grpc_status(e, CallKind::read));
  return r;
}

ServerUnaryReactor* refuse_entry(ServerUnaryReactor* r, const Error& e) {
  r->Finish(entry_status(e));
  return r;
}

std::int64_t ns_of(const std::optional<WallTime>& t) { return t ? t->time_since_epoch().count() : 0; }

// Kraken's filter parameters a history or order query shares.
void add_flag(Params& p, const char* key, bool on) {
  if (on) p.emplace_back(key, "true");
}

class TradingService final : public v1::Trading::CallbackService {
 public:
  explicit TradingService(Backend& b) : b_(b) {}

  // ---- order entry --------------------------------------------------------------------------

  ServerUnaryReactor* PlaceOrder(CallbackServerContext* ctx, const v1::PlaceOrderRequest* req,
                                 v1::PlaceOrderResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return refuse_entry(r, *e);
    auto route = route_of(req->route());
    if (!route) return refuse_entry(r, route.error());
    auto in = b_.pair(req->pair(), "pair");
    if (!in) return refuse_entry(r, in.error());
    auto o = order_of(*req, **in, b_.clock.wall_now());
    if (!o) return refuse_entry(r, o.error());
    const std::string cl = o->cl_ord_id.value_or("");
    const std::optional<std::int32_t> userref = o->userref;
    b_.oms->place(std::move(*o), *route, [this, r, resp, cl, userref](result<oms::PlacedOrder> p) {
      if (!p) return r->Finish(kill_counted(p.error(), {cl}));
      resp->set_round_trip_ns(p->upstream.count());
      if (!p->order_ids.empty()) resp->set_order_id(p->order_ids.front());
      for (const auto& id : p->order_ids) resp->add_txids(id);
      resp->set_cl_ord_id(p->cl_ord_id);
      if (userref) resp->set_userref(*userref);
      resp->mutable_descr()->set_order(p->descr_order);
      resp->mutable_descr()->set_close(p->descr_close);
      for (const auto& w : p->warnings) resp->add_warnings(w);
      resp->set_route(route_of(p->path));
      resp->set_validated_only(p->validated);
      resp->set_existing(p->existing);
      resp->set_exchange_receive_time_ns(ns_of(p->time_in));
      resp->set_exchange_send_time_ns(ns_of(p->time_out));
      r->Finish(grpc::Status::OK);
    });
    return r;
  }

  ServerUnaryReactor* AmendOrder(CallbackServerContext* ctx, const v1::AmendOrderRequest* req,
                                 v1::AmendOrderResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return refuse_entry(r, *e);
    auto route = route_of(req->route());
    if (!route) return refuse_entry(r, route.error());
    auto a = amend_of(*req, b_.clock.wall_now());
    if (!a) return refuse_entry(r, a.error());
    if (!req->pair().empty()) {
      auto in = b_.pair(req->pair(), "pair");
      if (!in) return refuse_entry(r, in.error());
      a->pair = (*in)->rest_key;
    }
    // WS v2 needs the order's quantity in every amend: the cache knows it.
    std::string order_id = a->txid.value_or(""), cl = a->cl_ord_id.value_or("");
    if (auto s = b_.oms->account()) {
      auto o = a->txid ? s->order(*a->txid) : s->order_by_cl_ord_id(*a->cl_ord_id);
      if (o) {
        if (!a->order_qty && o->order_qty && *route != oms::Route::rest_only) a->order_qty = o->order_qty->to_string();
        if (order_id.empty()) order_id = o->order_id;
        if (cl.empty()) cl = o->cl_ord_id;
      }
    }
    b_.oms->amend(std::move(*a), *route, [this, r, resp, order_id, cl](result<oms::EntryAck> ack) {
      if (!ack) return r->Finish(kill_counted(ack.error(), cl.empty() ? std::vector<std::string>{} : std::vector<std::string>{cl}));
      resp->set_amend_id(ack->amend_id);
      resp->set_order_id(order_id);
      resp->set_cl_ord_id(cl);
      for (const auto& w : ack->warnings) resp->add_warnings(w);
      resp->set_route(route_of(ack->path));
      r->Finish(grpc::Status::OK);
    });
    return r;
  }

  ServerUnaryReactor* EditOrder(CallbackServerContext* ctx, const v1::EditOrderRequest* req,
                                v1::EditOrderResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return refuse_entry(r, *e);
    auto route = route_of(req->route());
    if (!route) return refuse_entry(r, route.error());
    auto in = b_.pair(req->pair(), "pair");
    if (!in) return refuse_entry(r, in.error());
    auto e = edit_of(*req, **in, b_.clock.wall_now());
    if (!e) return refuse_entry(r, e.error());
    const std::string original = e->txid;
    b_.oms->edit(std::move(*e), *route, [this, r, resp, original](result<oms::EntryAck> ack) {
      if (!ack) return r->Finish(kill_counted(ack.error(), {}));
      resp->set_status("ok");
      resp->set_txid(ack->order_id);
      resp->set_original_txid(ack->original_order_id.empty() ? original : ack->original_order_id);
      resp->set_orders_cancelled(1);
      for (const auto& w : ack->warnings) resp->add_warnings(w);
      resp->set_route(route_of(ack->path));
      r->Finish(grpc::Status::OK);
    });
    return r;
  }

  ServerUnaryReactor* CancelOrder(CallbackServerContext* ctx, const v1::CancelOrderRequest* req,
                                  v1::CancelOrderResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return refuse_entry(r, *e);
    auto route = route_of(req->route());
    if (!route) return refuse_entry(r, route.error());
    auto c = cancel_of(*req);
    if (!c) return refuse_entry(r, c.error());
    // The ids a WS cancel answers with are the order's: the cache knows both.
    std::optional<v1::CancelledOrder> known;
    if (auto s = b_.oms->account(); s && (req->has_txid() || req->has_cl_ord_id())) {
      auto o = req->has_txid() ? s->order(req->txid()) : s->order_by_cl_ord_id(req->cl_ord_id());
      if (o) {
        known.emplace();
        known->set_order_id(o->order_id);
        known->set_cl_ord_id(o->cl_ord_id);
      }
    }
    b_.oms->cancel(std::move(*c), *route, [r, resp, known](result<oms::EntryAck> ack) {
      if (!ack) return r->Finish(entry_status(ack.error()));
      resp->set_count(static_cast<std::int32_t>(ack->count));
      resp->set_pending(ack->pending);
      if (ack->path == oms::EntryPath::ws && known) *resp->add_orders() = *known;
      for (const auto& w : ack->warnings) resp->add_warnings(w);
      resp->set_route(route_of(ack->path));
      r->Finish(grpc::Status::OK);
    });
    return r;
  }

  ServerUnaryReactor* CancelAllOrders(CallbackServerContext* ctx, const v1::CancelAllOrdersRequest* req,
                                      v1::CancelAllOrdersResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return refuse_entry(r, *e);
    auto route = route_of(req->route());
    if (!route) return refuse_entry(r, route.error());
    b_.oms->cancel_all(*route, [r, resp](result<oms::EntryAck> ack) {
      if (!ack) return r->Finish(entry_status(ack.error()));
      resp->set_count(static_cast<std::int32_t>(ack->count));
      resp->set_pending(ack->pending);
      for (const auto& w : ack->warnings) resp->add_warnings(w);
      resp->set_route(route_of(ack->path));
      r->Finish(grpc::Status::OK);
    });
    return r;
  }

  ServerUnaryReactor* CancelAllOrdersAfter(CallbackServerContext* ctx, const v1::CancelAllOrdersAfterRequest* req,
                                           v1::CancelAllOrdersAfterResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return refuse_entry(r, *e);
    auto route = route_of(req->route());
    if (!route) return refuse_entry(r, route.error());
    if (req->timeout_seconds() >= 86400)
      return refuse_entry(r, Error(errc::invalid_argument, "timeout_seconds: 0 (disable) to 86399"));
    // The account has one timer: the gateway's own keeper and a client would fight over it.
    if (b_.oms->dead_man().enabled)
      return refuse_entry(r, fail(gateway_errc::dead_man_keeper,
                                  "timeout_seconds: the gateway's dead-man keeper owns the switch (config trading.dead_man); "
                                  "see Gateway.GetDeadManSwitch"));
    const auto timeout = static_cast<int>(req->timeout_seconds());
    b_.oms->cancel_all_after(timeout, *route, [this, r, resp, timeout](result<oms::EntryAck> ack) {
      TradingRecord& t = *b_.trading;
      std::lock_guard lock(t.mu);
      if (!ack) {
        ++t.client_failures;
        t.client_error = ack.error();
        return r->Finish(entry_status(ack.error()));
      }
      const auto parse = [](const std::string& text) -> std::int64_t {
        auto at = parse_rfc3339(text);
        return at ? at->time_since_epoch().count() : 0;
      };
      resp->set_current_time_ns(parse(ack->current_time));
      resp->set_trigger_time_ns(timeout == 0 ? 0 : parse(ack->trigger_time));
      for (const auto& w : ack->warnings) resp->add_warnings(w);
      resp->set_route(route_of(ack->path));
      t.client_timeout_s = static_cast<std::uint32_t>(timeout);
      t.client_trigger_ns = resp->trigger_time_ns();
      t.client_exchange_ns = resp->current_time_ns();
      t.client_refresh_ns = b_.now_ns();
      ++t.client_refreshes;
      t.client_error.reset();
      r->Finish(grpc::Status::OK);
    });
    return r;
  }

  ServerUnaryReactor* BatchAdd(CallbackServerContext* ctx, const v1::BatchAddRequest* req,
                               v1::BatchAddResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return refuse_entry(r, *e);
    auto route = route_of(req->route());
    if (!route) return refuse_entry(r, route.error());
    auto in = b_.pair(req->pair(), "pair");
    if (!in) return refuse_entry(r, in.error());
    if (req->orders_size() < 2 || req->orders_size() > 15)
      return refuse_entry(r, Error(errc::invalid_argument, fmt::format("orders: 2 to 15 per batch, not {}", req->orders_size())));
    if (!req->asset_class().empty())
      return refuse_entry(r, Error(errc::not_supported, "asset_class: batches of tokenized assets are not served yet"));
    const WallTime now = b_.clock.wall_now();
    std::vector<kraken::OrderRequest> orders;
    std::vector<std::string> cls;
    for (int i = 0; i < req->orders_size(); ++i) {
      auto o = order_of(req->orders(i), fmt::format("orders[{}].", i), now);
      if (!o) return refuse_entry(r, o.error());
      cls.push_back(o->cl_ord_id.value_or(""));
      orders.push_back(std::move(*o));
    }
    auto deadline = deadline_of(req->deadline(), "deadline", now);
    if (!deadline) return refuse_entry(r, deadline.error());
    std::vector<std::optional<std::int32_t>> userrefs;
    for (const auto& o : orders) userrefs.push_back(o.userref);
    b_.oms->batch_add((*in)->rest_key, std::move(orders), req->validate(), *deadline, *route,
                      [this, r, resp, cls, userrefs](result<oms::BatchResult> res) {
                        if (!res) return r->Finish(kill_counted(res.error(), cls));
                        for (std::size_t i = 0; i < res->orders.size(); ++i) {
                          const oms::BatchEntry& e = res->orders[i];
                          v1::BatchOrderResult* x = resp->add_results();
                          x->set_index(static_cast<std::uint32_t>(i));
                          if (e.error) {
                            Error why(errc::exchange_error);
                            why.kraken = KrakenError::from_strings({*e.error});
                            const grpc::Status st = to_grpc_status(why, CallKind::order_entry);
                            v1::RpcStatus rpc;
                            if (rpc.ParseFromString(st.error_details()) && rpc.details_size() == 1)
                              (void)rpc.details(0).UnpackTo(x->mutable_error());
                            x->mutable_error()->add_cl_ord_ids(e.cl_ord_id);
                            continue;
                          }
                          v1::PlacedOrder* p = x->mutable_order();
                          p->set_order_id(e.order_id);
                          p->set_cl_ord_id(e.cl_ord_id);
                          if (i < userrefs.size() && userrefs[i]) p->set_userref(*userrefs[i]);
                        }
                        resp->set_route(route_of(res->path));
                        r->Finish(grpc::Status::OK);
                      });
    return r;
  }

  ServerUnaryReactor* BatchCancel(CallbackServerContext* ctx, const v1::BatchCancelRequest* req,
                                  v1::BatchCancelResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return refuse_entry(r, *e);
    auto route = route_of(req->route());
    if (!route) return refuse_entry(r, route.error());
    auto c = cancel_of(*req);
    if (!c) return refuse_entry(r, c.error());
    b_.oms->cancel(std::move(*c), *route, [r, resp](result<oms::EntryAck> ack) {
      if (!ack) return r->Finish(entry_status(ack.error()));
      resp->set_count(static_cast<std::int32_t>(ack->count));
      for (const auto& w : ack->warnings) resp->add_warnings(w);
      resp->set_route(route_of(ack->path));
      r->Finish(grpc::Status::OK);
    });
    return r;
  }

  // ---- order reads --------------------------------------------------------------------------

  ServerUnaryReactor* GetOrders(CallbackServerContext* ctx, const v1::GetOrdersRequest* req, v1::GetOrdersResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return finish(r, *e);
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    auto rebase = rebase_of(req->rebase_multiplier());
    if (!rebase) return finish(r, rebase.error());
    std::vector<std::string> symbols;
    for (int i = 0; i < req->pairs_size(); ++i) {
      auto in = b_.pair(req->pairs(i), fmt::format("pairs[{}]", i));
      if (!in) return finish(r, in.error());
      symbols.push_back((*in)->symbol);
    }
    auto wanted_pair = [&symbols](const std::string& symbol) {
      return symbols.empty() || std::find(symbols.begin(), symbols.end(), symbol) != symbols.end();
    };
    // What the cache cannot say: trade ids of fills, a rebase multiplier.
    std::string_view why = req->trades() || !rebase->empty() ? reason::not_streamed : std::string_view{};
    const std::int64_t now = b_.now_ns();
    if (rq->policy != Policy::rest_only) {
      auto snap = b_.oms->account();
      if (why.empty()) why = account_refusal(snap.get(), *rq, now);
      if (why.empty()) {
        auto list = snap->open_orders->list();
        std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a->stamp.exchange > b->stamp.exchange; });
        for (const auto& o : list) {
          if (req->has_userref() && (!o->userref || *o->userref != req->userref())) continue;
          if (!req->cl_ord_id().empty() && o->cl_ord_id != req->cl_ord_id()) continue;
          if (!wanted_pair(o->symbol)) continue;
          fill(*resp->add_orders(), *o, *snap, b_.registry);
        }
        fill(*resp->mutable_meta(), account_meta(*snap, b_.simulated, now));
        r->Finish(grpc::Status::OK);
        return r;
      }
      if (rq->policy == Policy::cache_only) return finish(r, cache_only_failure(why, "read", "the open orders"));
    } else {
      why = {};
    }
    Params filters = *rebase;
    add_flag(filters, "trades", req->trades());
    if (req->has_userref()) filters.emplace_back("userref", std::to_string(req->userref()));
    if (!req->cl_ord_id().empty()) filters.emplace_back("cl_ord_id", req->cl_ord_id());
    return answer_from_rest<kraken::OrdersPage>(
        b_, r, resp, [filters](KrakenRestClient& c) { return c.open_orders(filters); },
        [this, resp, wanted_pair = std::move(wanted_pair), symbols](result<kraken::OrdersPage>& page) {
          auto& orders = page->orders;
          std::sort(orders.begin(), orders.end(), [](const auto& a, const auto& b) { return a.opentm > b.opentm; });
          for (const auto& o : orders) {
            v1::Order x;
            fill(x, o, b_.registry);
            if (!symbols.empty() && std::find(symbols.begin(), symbols.end(), x.symbol()) == symbols.end()) continue;
            *resp->add_orders() = std::move(x);
          }
        }, why);
  }

  ServerUnaryReactor* QueryOrders(CallbackServerContext* ctx, const v1::QueryOrdersRequest* req,
                                  v1::QueryOrdersResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return finish(r, *e);
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    auto rebase = rebase_of(req->rebase_multiplier());
    if (!rebase) return finish(r, rebase.error());
    if (req->txids_size() == 0 || req->txids_size() > 50)
      return finish(r, Error(errc::invalid_argument, fmt::format("txids: 1 to 50 order ids, not {}", req->txids_size())));
    for (int i = 0; i < req->txids_size(); ++i)
      if (req->txids(i).empty()) return finish(r, Error(errc::invalid_argument, fmt::format("txids[{}]: empty order id", i)));
    const bool rest_fields = req->trades() || req->has_userref() || req->has_consolidate_taker() || !rebase->empty();
    const std::int64_t now = b_.now_ns();
    // Each order from the cache (open or recently closed) when it may be; the others from REST.
    std::vector<int> from_rest;
    std::string_view why;
    auto snap = rq->policy == Policy::rest_only ? nullptr : b_.oms->account();
    if (rq->policy != Policy::rest_only) why = rest_fields ? reason::not_streamed : account_refusal(snap.get(), *rq, now);
    for (int i = 0; i < req->txids_size(); ++i) {
      v1::Order* x = resp->add_orders();
      if (why.empty() && rq->policy != Policy::rest_only)
        if (auto o = snap->order(req->txids(i))) {
          fill(*x, *o, *snap, b_.registry);
          continue;
        }
      from_rest.push_back(i);
    }
    if (rq->policy == Policy::cache_only && !from_rest.empty()) {
      if (!why.empty()) return finish(r, cache_only_failure(why, "read", "the orders"));
      return finish(r, fail(gateway_errc::cache_miss,
                            fmt::format("txids[{}]: {} is not in the cache (open or recently closed)", from_rest.front(),
                                        req->txids(from_rest.front()))));
    }
    if (from_rest.empty()) {
      fill(*resp->mutable_meta(), account_meta(*snap, b_.simulated, now));
      r->Finish(grpc::Status::OK);
      return r;
    }
    if (why.empty() && rq->policy != Policy::rest_only) why = reason::cache_miss;
    std::vector<std::string> ids;
    for (int i : from_rest) ids.push_back(req->txids(i));
    Params extra = *rebase;
    if (req->has_userref()) extra.emplace_back("userref", std::to_string(req->userref()));
    if (req->has_consolidate_taker()) extra.emplace_back("consolidate_taker", req->consolidate_taker() ? "true" : "false");
    const bool trades = req->trades();
    return answer_from_rest<kraken::OrdersPage>(
        b_, r, resp, [ids, trades, extra](KrakenRestClient& c) { return c.query_orders(ids, trades, extra); },
        [this, resp, from_rest, ids](result<kraken::OrdersPage>& page) {
          // In request order; an order a userref filter left out is dropped.
          std::vector<int> dropped;
          for (std::size_t k = 0; k < from_rest.size(); ++k) {
            const auto o = std::find_if(page->orders.begin(), page->orders.end(), [&](const auto& x) { return x.txid == ids[k]; });
            if (o == page->orders.end()) dropped.push_back(from_rest[k]);
            else fill(*resp->mutable_orders(from_rest[k]), *o, b_.registry);
          }
          auto* list = resp->mutable_orders();
          for (auto it = dropped.rbegin(); it != dropped.rend(); ++it) list->DeleteSubrange(*it, 1);
        }, why);
  }

  ServerUnaryReactor* GetClosedOrders(CallbackServerContext* ctx, const v1::GetClosedOrdersRequest* req,
                                      v1::GetClosedOrdersResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    const auto rebase = check_rest_read(b_, *req, "GetClosedOrders (closed history is REST's)");
    if (!rebase) return finish(r, rebase.error());
    auto closetime = contract_word(req->closetime(), "closetime");
    if (!closetime) return finish(r, closetime.error());
    kraken::HistoryQuery q;
    q.extra = *rebase;
    add_flag(q.extra, "trades", req->trades());
    if (req->has_userref()) q.extra.emplace_back("userref", std::to_string(req->userref()));
    if (!req->cl_ord_id().empty()) q.extra.emplace_back("cl_ord_id", req->cl_ord_id());
    if (*closetime) q.extra.emplace_back("closetime", **closetime);
    if (req->has_consolidate_taker()) q.extra.emplace_back("consolidate_taker", req->consolidate_taker() ? "true" : "false");
    q.start = bound_of(req->start());
    q.end = bound_of(req->end());
    if (req->has_ofs()) q.ofs = req->ofs();
    q.without_count = req->without_count();
    return answer_from_rest<kraken::OrdersPage>(
        b_, r, resp, [q](KrakenRestClient& c) { return c.closed_orders(q); },
        [this, resp](result<kraken::OrdersPage>& page) {
          for (const auto& o : page->orders) fill(*resp->add_orders(), o, b_.registry);
          if (page->count) resp->set_count(*page->count);
        });
  }

  ServerUnaryReactor* GetOrderAmends(CallbackServerContext* ctx, const v1::GetOrderAmendsRequest* req,
                                     v1::GetOrderAmendsResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    const auto rebase = check_rest_read(b_, *req, "GetOrderAmends");
    if (!rebase) return finish(r, rebase.error());
    if (req->order_id().empty()) return finish(r, Error(errc::invalid_argument, "order_id: required"));
    return answer_from_rest<kraken::OrderAmendsPage>(
        b_, r, resp, [id = req->order_id(), extra = *rebase](KrakenRestClient& c) { return c.order_amends(id, extra); },
        [this, resp](result<kraken::OrderAmendsPage>& page) {
          for (const auto& a : page->amends) fill(*resp->add_amends(), a);
          resp->set_count(page->count);
        });
  }

  // ---- trades -------------------------------------------------------------------------------

  ServerUnaryReactor* GetTradesHistory(CallbackServerContext* ctx, const v1::GetTradesHistoryRequest* req,
                                       v1::GetTradesHistoryResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    const auto rebase = check_rest_read(b_, *req, "GetTradesHistory");
    if (!rebase) return finish(r, rebase.error());
    auto type = contract_word(req->type(), "type");
    if (!type) return finish(r, type.error());
    kraken::HistoryQuery q;
    q.extra = *rebase;
    if (*type) {
      std::string t = **type;  // "any_position" -> Kraken's "any position"
      std::replace(t.begin(), t.end(), '_', ' ');
      q.extra.emplace_back("type", t);
    }
    add_flag(q.extra, "trades", req->trades());
    add_flag(q.extra, "ledgers", req->ledgers());
    if (req->has_consolidate_taker()) q.extra.emplace_back("consolidate_taker", req->consolidate_taker() ? "true" : "false");
    q.start = bound_of(req->start());
    q.end = bound_of(req->end());
    if (req->has_ofs()) q.ofs = req->ofs();
    q.without_count = req->without_count();
    return answer_from_rest<kraken::TradesHistoryPage>(
        b_, r, resp, [q](KrakenRestClient& c) { return c.trades_history(q); },
        [this, resp](result<kraken::TradesHistoryPage>& page) {
          auto& trades = page->trades;
          std::stable_sort(trades.begin(), trades.end(), [](const auto& a, const auto& b) { return a.time > b.time; });
          for (const auto& t : trades) fill(*resp->add_trades(), t, b_.registry);
          if (page->count) resp->set_count(*page->count);
        });
  }

  ServerUnaryReactor* QueryTrades(CallbackServerContext* ctx, const v1::QueryTradesRequest* req,
                                  v1::QueryTradesResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    const auto rebase = check_rest_read(b_, *req, "QueryTrades");
    if (!rebase) return finish(r, rebase.error());
    if (req->txids_size() == 0 || req->txids_size() > 20)
      return finish(r, Error(errc::invalid_argument, fmt::format("txids: 1 to 20 trade ids, not {}", req->txids_size())));
    std::vector<std::string> ids;
    for (int i = 0; i < req->txids_size(); ++i) {
      if (req->txids(i).empty()) return finish(r, Error(errc::invalid_argument, fmt::format("txids[{}]: empty trade id", i)));
      ids.push_back(req->txids(i));
    }
    Params extra = *rebase;
    add_flag(extra, "trades", req->trades());
    return answer_from_rest<kraken::TradesHistoryPage>(
        b_, r, resp, [ids, extra](KrakenRestClient& c) { return c.query_trades(ids, extra); },
        [this, resp, ids](result<kraken::TradesHistoryPage>& page) {
          for (const auto& id : ids)  // request order
            for (const auto& t : page->trades)
              if (t.txid == id) fill(*resp->add_trades(), t, b_.registry);
        });
  }

  grpc::ServerWriteReactor<v1::ExecutionsEvent>* StreamExecutions(CallbackServerContext* ctx,
                                                                   const v1::StreamExecutionsRequest* req) override {
    return stream_executions(b_, ctx, *req);
  }

 private:
  // An order-entry failure; one the kill switch refused is counted for Gateway.GetKillSwitch.
  grpc::Status kill_counted(const Error& e, const std::vector<std::string>& cls) {
    if (e.is(errc::blocked)) b_.trading->kill_refused.fetch_add(1, std::memory_order_relaxed);
    return entry_status(e, cls);
  }

  Backend& b_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_trading_service(Backend& backend) { return std::make_unique<TradingService>(backend); }

}  // namespace kgw::gateway
