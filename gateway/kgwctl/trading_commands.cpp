// kgwctl's trading commands: order entry (place, edit, amend, cancel, cancel-all, batch-add,
// batch-cancel), order and trade queries, and `watch executions`. Flags are the SDK's parameter
// names with dashes (--cl-ord-id, --time-in-force, --post-only, ...); --route auto|ws|rest picks
// the order path. An order whose outcome is unknown exits 3 with the cl_ord_ids to look up.

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "command.hpp"
#include "contract_words.hpp"
#include "kgw/core/decimal.hpp"
#include "kgw/v1/trading.grpc.pb.h"
#include "output.hpp"

namespace kgw::ctl {
namespace {

using gateway::proto_of_text;
using Stub = v1::Trading::Stub;

std::unique_ptr<Stub> stub(const Context& c) { return v1::Trading::NewStub(c.channel); }

// An enum value from its Kraken word on the command line ("sell", "stop-loss-limit", "gtc");
// false (usage printed) for a word the enum lacks.
template <class P>
bool word_option(const std::string& text, const std::string& what, P& out) {
  out = proto_of_text<P>(text);
  if (out != P{} || text.empty()) return true;
  usage(fmt::format("{}: '{}' is not a {} word", what, text, gateway::enum_prefix<P>()));
  return false;
}

// A time for starttm/expiretm/deadline: "+SECONDS" from now, or unix seconds.
bool time_option(const Args& a, const std::string& name, v1::TimeSpec& out) {
  const auto t = a.get(name);
  if (!t) return true;
  const bool relative = !t->empty() && t->front() == '+';
  const auto d = Decimal::parse(relative ? t->substr(1) : *t);
  const auto ns = d ? d->to_fixed(9) : result<std::int64_t>(Error(errc::invalid_argument));
  if (!ns || *ns <= 0) {
    usage(fmt::format("--{}: '+SECONDS' or unix seconds, not '{}'", name, *t));
    return false;
  }
  if (relative) out.set_after_ns(*ns);
  else out.set_at_time_ns(*ns);
  return true;
}

bool order_route(const Context& c, v1::Route& out) {
  if (c.route_is_cache) {
    usage("--route cache: orders go over ws or rest (or auto)");
    return false;
  }
  out = c.order_route;
  return true;
}

std::string route_text(v1::Route r) { return r == v1::ROUTE_WS ? "ws" : r == v1::ROUTE_REST ? "rest" : "-"; }
std::string side_text(v1::Side s) { return s == v1::SIDE_BUY ? "buy" : s == v1::SIDE_SELL ? "sell" : "-"; }
std::string enum_text(const std::string& name, std::size_t prefix) {
  std::string s = name.size() > prefix ? name.substr(prefix) : name;
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

// The fields of an order that `place` and each `batch-add` order share, from the options.
template <class Order>
bool order_options(const Args& a, Order& o) {
  if (auto v = a.get("price")) o.set_price(*v);
  if (auto v = a.get("price2")) o.set_price2(*v);
  if (auto v = a.get("leverage")) o.set_leverage(*v);
  if (auto v = a.get("cl-ord-id")) o.set_cl_ord_id(*v);
  if (auto v = a.get("display-volume")) o.set_display_volume(*v);
  if (auto v = a.get("cash-order-qty")) o.set_cash_order_qty(*v);
  o.set_reduce_only(a.has("reduce-only"));
  o.set_post_only(a.has("post-only"));
  std::int64_t userref = INT64_MIN;
  if (!integer_option(a, "userref", INT32_MIN, INT32_MAX, userref)) return false;
  if (userref != INT64_MIN) o.set_userref(static_cast<std::int32_t>(userref));
  v1::TimeInForce tif{};
  v1::TriggerReference trigger{};
  v1::SelfTradePrevention stp{};
  if (!word_option(a.get("time-in-force").value_or(""), "--time-in-force", tif) ||
      !word_option(a.get("trigger").value_or(""), "--trigger", trigger) ||
      !word_option(a.get("stp-type").value_or(""), "--stp-type", stp))
    return false;
  o.set_time_in_force(tif);
  o.set_trigger(trigger);
  o.set_stp_type(stp);
  if (auto flags = a.get("oflags")) {
    std::string rest = *flags;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      v1::OrderFlag f{};
      if (!word_option(rest.substr(0, comma), "--oflags", f)) return false;
      o.add_oflags(f);
      rest = comma == std::string::npos ? std::string() : rest.substr(comma + 1);
    }
  }
  return time_option(a, "start-time", *o.mutable_start_time()) && time_option(a, "expire-time", *o.mutable_expire_time());
}

int place(Context& c, const Args& a) {
  // The SDK's place_order(pair, side, volume, ordertype="market", price=None, ...).
  if (a.positional.size() != 3) return usage("place: PAIR SIDE VOLUME [--type TYPE] (e.g. XBTUSD buy 0.01 --type limit --price 30000)");
  if (!a.get("type") && (a.get("price") || a.get("price2")))
    return usage("place: --price without --type would be a market order; say --type limit (or another type)");
  v1::PlaceOrderRequest req;
  v1::Side side{};
  v1::OrderType type{};
  if (!word_option(a.positional[1], "SIDE", side) || !word_option(a.get("type").value_or("market"), "--type", type)) return 2;
  req.set_side(side);
  req.set_order_type(type);
  req.set_pair(a.positional[0]);
  req.set_volume(a.positional[2]);
  if (!order_options(a, req) || !time_option(a, "deadline", *req.mutable_deadline())) return 2;
  req.set_validate(a.has("validate"));
  v1::Route route{};
  if (!order_route(c, route)) return 2;
  req.set_route(route);
  auto s = stub(c);
  return unary<v1::PlaceOrderResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->PlaceOrder(&ctx, req, &resp); },
      [](const v1::PlaceOrderResponse& r) {
        if (r.validated_only()) std::printf("validated by Kraken (not placed) via %s\n", route_text(r.route()).c_str());
        else if (r.existing())
          std::printf("already placed %s cl_ord_id %s (nothing sent)\n", r.order_id().c_str(), r.cl_ord_id().c_str());
        else
          std::printf("placed %s cl_ord_id %s via %s in %s\n", r.order_id().c_str(), r.cl_ord_id().c_str(),
                      route_text(r.route()).c_str(), duration_text(r.round_trip_ns()).c_str());
        if (!r.descr().order().empty()) std::printf("  %s\n", r.descr().order().c_str());
        for (const auto& w : r.warnings()) std::printf("  warning: %s\n", w.c_str());
      });
}

int edit(Context& c, const Args& a) {
  if (a.positional.size() != 2) return usage("edit: TXID PAIR [--volume V] [--price P] ...");
  v1::EditOrderRequest req;
  req.set_txid(a.positional[0]);
  req.set_pair(a.positional[1]);
  if (auto v = a.get("volume")) req.set_volume(*v);
  if (auto v = a.get("price")) req.set_price(*v);
  if (auto v = a.get("price2")) req.set_price2(*v);
  if (auto v = a.get("display-volume")) req.set_display_volume(*v);
  if (a.has("post-only")) req.add_oflags(v1::ORDER_FLAG_POST);
  req.set_validate(a.has("validate"));
  std::int64_t userref = INT64_MIN;
  if (!integer_option(a, "userref", INT32_MIN, INT32_MAX, userref)) return 2;
  if (userref != INT64_MIN) req.set_new_userref(static_cast<std::int32_t>(userref));
  v1::Route route{};
  if (!order_route(c, route)) return 2;
  req.set_route(route);
  auto s = stub(c);
  return unary<v1::EditOrderResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->EditOrder(&ctx, req, &resp); },
      [](const v1::EditOrderResponse& r) {
        std::printf("edited %s -> %s via %s\n", r.original_txid().c_str(), r.txid().c_str(), route_text(r.route()).c_str());
      });
}

int amend(Context& c, const Args& a) {
  v1::AmendOrderRequest req;
  if (auto id = a.get("cl-ord-id")) req.set_cl_ord_id(*id);
  else if (a.positional.size() == 1) req.set_txid(a.positional[0]);
  else return usage("amend: TXID or --cl-ord-id ID, and what changes (--order-qty, --limit-price, ...)");
  if (auto v = a.get("order-qty")) req.set_order_qty(*v);
  if (auto v = a.get("limit-price")) req.set_limit_price(*v);
  if (auto v = a.get("trigger-price")) req.set_trigger_price(*v);
  if (auto v = a.get("display-qty")) req.set_display_qty(*v);
  req.set_post_only(a.has("post-only"));
  v1::Route route{};
  if (!order_route(c, route)) return 2;
  req.set_route(route);
  auto s = stub(c);
  return unary<v1::AmendOrderResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->AmendOrder(&ctx, req, &resp); },
      [](const v1::AmendOrderResponse& r) {
        std::printf("amended %s (amend %s) via %s\n", r.order_id().empty() ? r.cl_ord_id().c_str() : r.order_id().c_str(),
                    r.amend_id().c_str(), route_text(r.route()).c_str());
      });
}

int cancel(Context& c, const Args& a) {
  v1::CancelOrderRequest req;
  std::int64_t userref = INT64_MIN;
  if (!integer_option(a, "userref", INT32_MIN, INT32_MAX, userref)) return 2;
  if (auto id = a.get("cl-ord-id")) req.set_cl_ord_id(*id);
  else if (userref != INT64_MIN) req.set_userref(static_cast<std::int32_t>(userref));
  else if (a.positional.size() == 1) req.set_txid(a.positional[0]);
  else return usage("cancel: TXID, --cl-ord-id ID or --userref N (several orders: batch-cancel)");
  v1::Route route{};
  if (!order_route(c, route)) return 2;
  req.set_route(route);
  auto s = stub(c);
  return unary<v1::CancelOrderResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->CancelOrder(&ctx, req, &resp); },
      [](const v1::CancelOrderResponse& r) {
        std::printf("cancelled %d order(s)%s via %s\n", r.count(), r.pending() ? " (pending)" : "", route_text(r.route()).c_str());
      });
}

int cancel_all(Context& c, const Args&) {
  v1::CancelAllOrdersRequest req;
  v1::Route route{};
  if (!order_route(c, route)) return 2;
  req.set_route(route);
  auto s = stub(c);
  return unary<v1::CancelAllOrdersResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->CancelAllOrders(&ctx, req, &resp); },
      [](const v1::CancelAllOrdersResponse& r) {
        std::printf("cancelled %d order(s)%s via %s\n", r.count(), r.pending() ? " (pending)" : "", route_text(r.route()).c_str());
      });
}

// batch-add PAIR SIDE:TYPE:VOLUME[:PRICE[:PRICE2]]...; the flags apply to every order.
int batch_add(Context& c, const Args& a) {
  if (a.positional.size() < 3) return usage("batch-add: PAIR ORDER ORDER... (ORDER: SIDE:TYPE:VOLUME[:PRICE[:PRICE2]])");
  v1::BatchAddRequest req;
  req.set_pair(a.positional[0]);
  for (std::size_t i = 1; i < a.positional.size(); ++i) {
    std::vector<std::string> parts;
    std::string rest = a.positional[i];
    for (;;) {
      const auto colon = rest.find(':');
      parts.push_back(rest.substr(0, colon));
      if (colon == std::string::npos) break;
      rest = rest.substr(colon + 1);
    }
    if (parts.size() < 3 || parts.size() > 5) return usage(fmt::format("batch-add: '{}' is not SIDE:TYPE:VOLUME[:PRICE[:PRICE2]]", a.positional[i]));
    v1::BatchOrder* o = req.add_orders();
    v1::Side side{};
    v1::OrderType type{};
    if (!word_option(parts[0], "SIDE", side) || !word_option(parts[1], "TYPE", type)) return 2;
    o->set_side(side);
    o->set_order_type(type);
    o->set_volume(parts[2]);
    Args shared = a;
    shared.options.erase("cl-ord-id");  // one per order: generated
    if (!order_options(shared, *o)) return 2;
    if (parts.size() > 3) o->set_price(parts[3]);
    if (parts.size() > 4) o->set_price2(parts[4]);
  }
  if (!time_option(a, "deadline", *req.mutable_deadline())) return 2;
  req.set_validate(a.has("validate"));
  v1::Route route{};
  if (!order_route(c, route)) return 2;
  req.set_route(route);
  auto s = stub(c);
  return unary<v1::BatchAddResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->BatchAdd(&ctx, req, &resp); },
      [](const v1::BatchAddResponse& r) {
        Table t({"#", "ORDER_ID", "CL_ORD_ID", "ERROR"});
        for (const auto& x : r.results())
          t.add({std::to_string(x.index()), x.has_order() ? x.order().order_id() : "-", x.has_order() ? x.order().cl_ord_id() : "-",
                 x.has_error() ? x.error().message() : ""});
        t.print();
        std::printf("via %s\n", route_text(r.route()).c_str());
      });
}

int batch_cancel(Context& c, const Args& a) {
  v1::BatchCancelRequest req;
  for (const auto& id : a.positional) req.add_txids(id);
  if (auto ids = a.get("cl-ord-id")) {
    std::string rest = *ids;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      req.add_cl_ord_ids(rest.substr(0, comma));
      rest = comma == std::string::npos ? std::string() : rest.substr(comma + 1);
    }
  }
  if (req.txids_size() + req.cl_ord_ids_size() == 0) return usage("batch-cancel: TXID... and/or --cl-ord-id ID,ID,...");
  v1::Route route{};
  if (!order_route(c, route)) return 2;
  req.set_route(route);
  auto s = stub(c);
  return unary<v1::BatchCancelResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->BatchCancel(&ctx, req, &resp); },
      [](const v1::BatchCancelResponse& r) {
        std::printf("cancelled %d order(s) via %s\n", r.count(), route_text(r.route()).c_str());
      });
}

void orders_table(const google::protobuf::RepeatedPtrField<v1::Order>& orders) {
  Table t({"ORDER_ID", "CL_ORD_ID", "PAIR", "SIDE", "TYPE", "PRICE", "VOLUME", "FILLED", "STATUS", "OPENED"});
  for (const auto& o : orders)
    t.add({o.order_id(), o.cl_ord_id().empty() ? "-" : o.cl_ord_id(), o.symbol().empty() ? o.descr().pair() : o.symbol(),
           side_text(o.descr().type()), enum_text(v1::OrderType_Name(o.descr().ordertype()), sizeof("ORDER_TYPE_") - 1),
           o.descr().price(), o.vol(), o.vol_exec(), enum_text(v1::OrderStatus_Name(o.status()), sizeof("ORDER_STATUS_") - 1),
           time_text(o.open_time_ns())});
  t.print();
}

int orders(Context& c, const Args& a) {
  v1::GetOrdersRequest req;
  for (const auto& p : a.positional) req.add_pairs(p);
  req.set_trades(a.has("trades"));
  if (auto id = a.get("cl-ord-id")) req.set_cl_ord_id(*id);
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetOrdersResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetOrders(&ctx, req, &resp); },
      [](const v1::GetOrdersResponse& r) {
        std::printf("%d open order(s), %s\n", r.orders_size(), source_text(r.meta()).c_str());
        if (r.orders_size() > 0) orders_table(r.orders());
      });
}

int query(Context& c, const Args& a) {
  v1::QueryOrdersRequest req;
  for (const auto& id : a.positional) req.add_txids(id);
  req.set_trades(a.has("trades"));
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::QueryOrdersResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->QueryOrders(&ctx, req, &resp); },
      [](const v1::QueryOrdersResponse& r) {
        std::printf("%s\n", source_text(r.meta()).c_str());
        orders_table(r.orders());
      });
}

bool bound_option(const Args& a, const std::string& name, v1::TimeOrId& out) {
  const auto v = a.get(name);
  if (!v) return true;
  // A number is a unix time (seconds, fraction allowed); anything else an id.
  if (const auto d = Decimal::parse(*v)) {
    auto ns = d->to_fixed(9);
    if (!ns) {
      usage(fmt::format("--{}: '{}' is not a unix time", name, *v));
      return false;
    }
    out.set_time_ns(*ns);
  } else {
    out.set_id(*v);
  }
  return true;
}

int closed_orders(Context& c, const Args& a) {
  v1::GetClosedOrdersRequest req;
  req.set_trades(a.has("trades"));
  std::int64_t ofs = -1;
  if (!integer_option(a, "ofs", 0, INT32_MAX, ofs) || !bound_option(a, "start", *req.mutable_start()) ||
      !bound_option(a, "end", *req.mutable_end()))
    return 2;
  if (ofs >= 0) req.set_ofs(static_cast<std::uint32_t>(ofs));
  if (auto id = a.get("cl-ord-id")) req.set_cl_ord_id(*id);
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetClosedOrdersResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetClosedOrders(&ctx, req, &resp); },
      [](const v1::GetClosedOrdersResponse& r) {
        if (r.has_count()) std::printf("%lld closed order(s), this page %d\n", static_cast<long long>(r.count()), r.orders_size());
        orders_table(r.orders());
      });
}

int trades_history(Context& c, const Args& a) {
  v1::GetTradesHistoryRequest req;
  std::int64_t ofs = -1;
  if (!integer_option(a, "ofs", 0, INT32_MAX, ofs) || !bound_option(a, "start", *req.mutable_start()) ||
      !bound_option(a, "end", *req.mutable_end()))
    return 2;
  if (ofs >= 0) req.set_ofs(static_cast<std::uint32_t>(ofs));
  req.set_ledgers(a.has("ledgers"));
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetTradesHistoryResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetTradesHistory(&ctx, req, &resp); },
      [](const v1::GetTradesHistoryResponse& r) {
        if (r.has_count()) std::printf("%lld trade(s), this page %d\n", static_cast<long long>(r.count()), r.trades_size());
        Table t({"TRADE_ID", "ORDER_ID", "PAIR", "SIDE", "PRICE", "VOLUME", "COST", "FEE", "TIME"});
        for (const auto& x : r.trades())
          t.add({x.trade_txid(), x.ordertxid(), x.symbol().empty() ? x.pair() : x.symbol(), side_text(x.type()), x.price(), x.vol(),
                 x.cost(), x.fee(), time_text(x.time_ns())});
        t.print();
      });
}

}  // namespace

int watch_executions(Context& c, const Args& a, const std::vector<std::string>& pairs, std::int64_t count) {
  std::int64_t epoch = -1, sequence = -1;
  if (!integer_option(a, "resume-epoch", 0, INT64_MAX, epoch) || !integer_option(a, "resume-sequence", 0, INT64_MAX, sequence))
    return 2;
  grpc::ClientContext ctx;
  v1::StreamExecutionsRequest req;
  for (const auto& p : pairs) req.add_pairs(p);
  if (a.has("snap-trades")) req.set_snap_trades(true);
  if (a.has("status-changes")) req.set_order_status(false);
  if (epoch >= 0) req.set_resume_after_epoch(static_cast<std::uint64_t>(epoch));
  if (sequence >= 0) req.set_resume_after_sequence(static_cast<std::uint64_t>(sequence));
  auto s = stub(c);
  auto reader = s->StreamExecutions(&ctx, req);
  return drain(ctx, *reader, c, count, [](const v1::ExecutionsEvent& e) {
    std::printf("%s epoch %llu seq %llu, %d item(s)\n", e.type() == v1::STREAM_MESSAGE_TYPE_SNAPSHOT ? "SNAPSHOT" : "UPDATE",
                static_cast<unsigned long long>(e.epoch()), static_cast<unsigned long long>(e.sequence()), e.executions_size());
    for (const auto& x : e.executions()) {
      const std::string what = x.exec_type() == v1::EXEC_TYPE_TRADE ? x.last_qty() + " @ " + x.last_price()
                                                                    : x.order_qty() + " @ " + x.limit_price();
      std::printf("  %s %s %s %s %s %s%s\n", enum_text(v1::ExecType_Name(x.exec_type()), sizeof("EXEC_TYPE_") - 1).c_str(),
                  x.order_id().c_str(), x.symbol().c_str(), side_text(x.side()).c_str(), what.c_str(),
                  enum_text(v1::ExecOrderStatus_Name(x.order_status()), sizeof("EXEC_ORDER_STATUS_") - 1).c_str(),
                  x.cl_ord_id().empty() ? "" : (" cl_ord_id " + x.cl_ord_id()).c_str());
    }
  });
}

std::vector<Command> trading_commands() {
  std::vector<OptionSpec> place_flags = {
      {"type", "market (the default), limit, stop-loss, take-profit, stop-loss-limit, take-profit-limit, trailing-stop, "
               "trailing-stop-limit, iceberg or settle-position"}};
  const std::vector<OptionSpec> order_flags = {
      {"price", "limit price, or trigger price of stop/take-profit types (+/-/# offsets, % suffix)"},
      {"price2", "limit price of the -limit types"},
      {"cl-ord-id", "client order id (generated when absent)"},
      {"userref", "numeric tag (instead of a cl_ord_id)"},
      {"time-in-force", "gtc, ioc, gtd or fok"},
      {"expire-time", "+SECONDS or unix seconds (gtd)"},
      {"start-time", "+SECONDS or unix seconds"},
      {"deadline", "+SECONDS or unix seconds: Kraken refuses the order after it"},
      {"trigger", "last or index"},
      {"stp-type", "cancel-newest, cancel-oldest or cancel-both"},
      {"oflags", "comma list: post, fcib, fciq, viqc, nompp"},
      {"leverage", "margin order leverage, e.g. 2"},
      {"display-volume", "iceberg visible volume"},
      {"cash-order-qty", "size in quote currency instead of VOLUME (buy market orders)"},
      {"post-only", "refuse to take liquidity", true},
      {"reduce-only", "only reduce a margin position", true},
      {"validate", "Kraken validates it; nothing is placed", true},
  };
  place_flags.insert(place_flags.end(), order_flags.begin(), order_flags.end());
  return {
      {"place", "place an order: PAIR SIDE VOLUME [--type TYPE]", "PAIR SIDE VOLUME", true, place_flags, place},
      {"edit", "cancel-and-replace an order (prefer amend)", "TXID PAIR", true,
       {{"volume", "new volume"},
        {"price", "new price"},
        {"price2", "new secondary price"},
        {"display-volume", "new iceberg visible volume"},
        {"userref", "new user reference"},
        {"post-only", "post-only", true},
        {"validate", "validate only", true}},
       edit},
      {"amend", "amend an open order in place (keeps its ids and queue priority)", "TXID", false,
       {{"cl-ord-id", "the order by client order id"},
        {"order-qty", "new quantity"},
        {"limit-price", "new limit price"},
        {"trigger-price", "new trigger price"},
        {"display-qty", "new iceberg visible quantity"},
        {"post-only", "refuse if the new price would take", true}},
       amend},
      {"cancel", "cancel an order by TXID, --cl-ord-id or --userref", "TXID", false,
       {{"cl-ord-id", "client order id"}, {"userref", "every order with this user reference"}}, cancel},
      {"cancel-all", "cancel every open order", "", false, {}, cancel_all},
      {"batch-add", "place 2 to 15 orders on one pair: PAIR SIDE:TYPE:VOLUME[:PRICE[:PRICE2]]...", "PAIR ORDER...", true,
       order_flags, batch_add},
      {"batch-cancel", "cancel up to 50 orders at once", "TXID...", false, {{"cl-ord-id", "comma list of client order ids"}},
       batch_cancel},
      {"orders", "open orders (cache, REST fallback)", "PAIR...", false,
       {{"trades", "with their trade ids (REST)", true}, {"cl-ord-id", "only this client order id"}}, orders},
      {"query", "orders by id, open or closed", "TXID...", true, {{"trades", "with their trade ids", true}}, query},
      {"closed-orders", "closed orders, newest first, 50 a page (REST)", "", false,
       {{"start", "after this unix time or order id"},
        {"end", "until this unix time or order id"},
        {"ofs", "page offset"},
        {"cl-ord-id", "only this client order id"},
        {"trades", "with their trade ids", true}},
       closed_orders},
      {"trades-history", "the account's trades, newest first, 50 a page (REST)", "", false,
       {{"start", "after this unix time or trade id"},
        {"end", "until this unix time or trade id"},
        {"ofs", "page offset"},
        {"ledgers", "with their ledger ids", true}},
       trades_history},
  };
}

}  // namespace kgw::ctl
