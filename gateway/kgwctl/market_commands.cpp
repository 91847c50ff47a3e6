// kgwctl's market-data commands: one per MarketData read, and `watch` for its streams.

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "command.hpp"
#include "kgw/v1/market_data.grpc.pb.h"
#include "output.hpp"

namespace kgw::ctl {
namespace {

using Stub = v1::MarketData::Stub;

std::unique_ptr<Stub> stub(const Context& c) { return v1::MarketData::NewStub(c.channel); }

std::string side_text(v1::Side s) { return s == v1::SIDE_SELL ? "sell" : s == v1::SIDE_BUY ? "buy" : "-"; }
std::string type_text(v1::OrderType t) { return t == v1::ORDER_TYPE_MARKET ? "market" : t == v1::ORDER_TYPE_LIMIT ? "limit" : "-"; }

void trades_table(const google::protobuf::RepeatedPtrField<v1::PublicTrade>& trades) {
  Table t({"TIME", "SIDE", "TYPE", "PRICE", "VOLUME", "TRADE_ID"});
  for (const auto& x : trades)
    t.add({time_text(x.time_ns()), side_text(x.side()), type_text(x.ord_type()), x.price(), x.volume(), std::to_string(x.trade_id())});
  t.print();
}

void candle_row(Table& t, const v1::Candle& k) {
  t.add({time_text(k.time_ns()), k.open(), k.high(), k.low(), k.close(), k.volume(), std::to_string(k.count()),
         k.committed() ? "yes" : "no"});
}

int ticker(Context& c, const Args& a) {
  v1::GetTickerRequest req;
  for (const auto& p : a.positional) req.add_pairs(p);
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetTickerResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetTicker(&ctx, req, &resp); },
      [](const v1::GetTickerResponse& resp) {
        Table t({"PAIR", "BID", "ASK", "LAST", "VOLUME_24H", "SOURCE"});
        for (const auto& x : resp.tickers()) {
          if (x.has_ws())
            t.add({x.symbol(), x.ws().bid(), x.ws().ask(), x.ws().last(), x.ws().volume(), source_text(x.meta())});
          else
            t.add({x.symbol().empty() ? x.pair() : x.symbol(), x.rest().bid().price(), x.rest().ask().price(),
                   x.rest().last_trade().price(), x.rest().volume().last_24h(), source_text(x.meta())});
        }
        t.print();
      });
}

int book(Context& c, const Args& a) {
  v1::GetOrderBookRequest req;
  req.set_pair(a.positional.at(0));
  std::int64_t depth = 10;
  if (!integer_option(a, "depth", 0, 500, depth)) return 2;
  req.set_depth(static_cast<std::uint32_t>(depth));
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetOrderBookResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetOrderBook(&ctx, req, &resp); },
      [](const v1::GetOrderBookResponse& resp) {
        std::printf("%s book, %s%s\n", resp.symbol().c_str(), source_text(resp.meta()).c_str(),
                    resp.has_checksum() ? fmt::format(", checksum {}{}", resp.checksum(), resp.checksum_validated() ? " verified" : "").c_str()
                                        : "");
        Table t({"BID_QTY", "BID", "ASK", "ASK_QTY"});
        const int n = std::max(resp.bids_size(), resp.asks_size());
        for (int i = 0; i < n; ++i) {
          const bool b = i < resp.bids_size(), k = i < resp.asks_size();
          t.add({b ? resp.bids(i).qty() : "", b ? resp.bids(i).price() : "", k ? resp.asks(i).price() : "",
                 k ? resp.asks(i).qty() : ""});
        }
        t.print();
      });
}

int ohlc(Context& c, const Args& a) {
  v1::GetOhlcRequest req;
  req.set_pair(a.positional.at(0));
  std::int64_t interval = 1, since = -1;
  if (!integer_option(a, "interval", 1, 21600, interval) || !integer_option(a, "since", 0, INT64_MAX, since)) return 2;
  req.set_interval_minutes(static_cast<int>(interval));
  if (since >= 0) req.set_since(since);
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetOhlcResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetOhlc(&ctx, req, &resp); },
      [](const v1::GetOhlcResponse& resp) {
        std::printf("%s candles, %s\n", resp.symbol().c_str(), source_text(resp.meta()).c_str());
        Table t({"TIME", "OPEN", "HIGH", "LOW", "CLOSE", "VOLUME", "TRADES", "CLOSED"});
        for (const auto& k : resp.candles()) candle_row(t, k);
        t.print();
        if (resp.last() != 0) std::printf("last %lld\n", static_cast<long long>(resp.last()));
      });
}

int recent_trades(Context& c, const Args& a) {
  v1::GetRecentTradesRequest req;
  req.set_pair(a.positional.at(0));
  std::int64_t count = -1;
  if (!integer_option(a, "count", 1, 1000, count)) return 2;
  if (count > 0) req.set_count(static_cast<std::uint32_t>(count));
  if (auto since = a.get("since")) req.set_since(*since);
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetRecentTradesResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetRecentTrades(&ctx, req, &resp); },
      [](const v1::GetRecentTradesResponse& resp) {
        trades_table(resp.trades());
        std::printf("last %s\n", resp.last().c_str());
      });
}

int trades(Context& c, const Args& a) {
  v1::GetTradesRequest req;
  req.set_pair(a.positional.at(0));
  std::int64_t limit = 0, after = -1;
  if (!integer_option(a, "limit", 0, 100000, limit) || !integer_option(a, "after", 0, INT64_MAX, after)) return 2;
  if (limit > 0) req.set_limit(static_cast<std::uint32_t>(limit));
  if (after >= 0) req.set_after_trade_id(after);
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetTradesResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetTrades(&ctx, req, &resp); },
      [](const v1::GetTradesResponse& resp) {
        std::printf("%s trades, %s\n", resp.symbol().c_str(), source_text(resp.meta()).c_str());
        trades_table(resp.trades());
      });
}

int spread(Context& c, const Args& a) {
  v1::GetSpreadRequest req;
  req.set_pair(a.positional.at(0));
  std::int64_t since = -1;
  if (!integer_option(a, "since", 0, INT64_MAX, since)) return 2;
  if (since >= 0) req.set_since(since);
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetSpreadResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetSpread(&ctx, req, &resp); },
      [](const v1::GetSpreadResponse& resp) {
        Table t({"TIME", "BID", "ASK"});
        for (const auto& e : resp.entries()) t.add({time_text(e.time_ns()), e.bid(), e.ask()});
        t.print();
        std::printf("last %lld\n", static_cast<long long>(resp.last()));
      });
}

int pairs(Context& c, const Args& a) {
  v1::GetAssetPairsRequest req;
  for (const auto& p : a.positional) req.add_pairs(p);
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetAssetPairsResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetAssetPairs(&ctx, req, &resp); },
      [](const v1::GetAssetPairsResponse& resp) {
        Table t({"PAIR", "ALTNAME", "SYMBOL", "TICK", "ORDERMIN", "COSTMIN", "STATUS"});
        for (const auto& p : resp.pairs())
          t.add({p.pair(), p.altname(), p.symbol(), p.tick_size(), p.ordermin(), p.costmin(),
                 v1::PairStatus_Name(p.status()).substr(sizeof("PAIR_STATUS_") - 1)});
        t.print();
      });
}

int status(Context& c, const Args&) {
  v1::GetSystemStatusRequest req;
  set_read(*req.mutable_read(), c);
  auto s = stub(c);
  return unary<v1::GetSystemStatusResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetSystemStatus(&ctx, req, &resp); },
      [](const v1::GetSystemStatusResponse& resp) {
        std::printf("%s (%s)\n", v1::SystemStatus_Name(resp.status()).substr(sizeof("SYSTEM_STATUS_") - 1).c_str(),
                    source_text(resp.meta()).c_str());
      });
}

int watch(Context& c, const Args& a) {
  if (a.positional.empty()) return usage("watch: KIND [PAIR...] (KIND: ticker, book, trades, ohlc, executions or balances)");
  const std::string kind = a.positional[0];
  const std::vector<std::string> pairs(a.positional.begin() + 1, a.positional.end());
  std::int64_t count = 0, depth = 10, interval = 1;
  if (!integer_option(a, "count", 1, INT64_MAX, count) || !integer_option(a, "depth", 10, 1000, depth) ||
      !integer_option(a, "interval", 1, 21600, interval))
    return 2;
  if (kind == "executions") return watch_executions(c, a, pairs, count);
  if (kind == "balances") return pairs.empty() ? watch_balances(c, a, count) : usage("watch balances: no PAIR");
  if (pairs.empty()) return usage(fmt::format("watch {}: at least one PAIR", kind));
  auto s = stub(c);
  grpc::ClientContext ctx;
  if (kind == "ticker") {
    v1::StreamTickerRequest req;
    for (const auto& p : pairs) req.add_pairs(p);
    auto reader = s->StreamTicker(&ctx, req);
    return drain(ctx, *reader, c, count, [](const v1::TickerEvent& e) {
      std::printf("%s %s bid %s ask %s last %s%s\n", time_text(e.meta().receive_time_ns()).c_str(), e.symbol().c_str(),
                  e.ticker().bid().c_str(), e.ticker().ask().c_str(), e.ticker().last().c_str(), e.meta().stale() ? " STALE" : "");
    });
  }
  if (kind == "book") {
    v1::StreamBookRequest req;
    for (const auto& p : pairs) req.add_pairs(p);
    req.set_depth(static_cast<std::uint32_t>(depth));
    auto reader = s->StreamBook(&ctx, req);
    return drain(ctx, *reader, c, count, [](const v1::BookEvent& e) {
      const std::string bid = e.bids_size() ? e.bids(0).qty() + " @ " + e.bids(0).price() : "-";
      const std::string ask = e.asks_size() ? e.asks(0).price() + " x " + e.asks(0).qty() : "-";
      std::printf("%s %s %s | %s  (%d/%d levels, checksum %u%s)%s\n", time_text(e.meta().receive_time_ns()).c_str(),
                  e.symbol().c_str(), bid.c_str(), ask.c_str(), e.bids_size(), e.asks_size(), e.checksum(),
                  e.checksum_validated() ? " verified" : "", e.meta().stale() ? " STALE" : "");
    });
  }
  if (kind == "trades") {
    v1::StreamTradesRequest req;
    for (const auto& p : pairs) req.add_pairs(p);
    auto reader = s->StreamTrades(&ctx, req);
    return drain(ctx, *reader, c, count, [](const v1::TradesEvent& e) {
      for (const auto& t : e.trades())
        std::printf("%s %s %s %s %s @ %s id %lld\n", time_text(t.time_ns()).c_str(), e.symbol().c_str(), side_text(t.side()).c_str(),
                    type_text(t.ord_type()).c_str(), t.volume().c_str(), t.price().c_str(), static_cast<long long>(t.trade_id()));
      if (e.dropped() > 0) std::printf("%s: %llu trades lost\n", e.symbol().c_str(), static_cast<unsigned long long>(e.dropped()));
    });
  }
  if (kind == "ohlc") {
    v1::StreamOhlcRequest req;
    for (const auto& p : pairs) req.add_pairs(p);
    req.set_interval_minutes(static_cast<int>(interval));
    auto reader = s->StreamOhlc(&ctx, req);
    return drain(ctx, *reader, c, count, [](const v1::OhlcEvent& e) {
      for (const auto& k : e.candles())
        std::printf("%s %s %dm o %s h %s l %s c %s v %s%s\n", time_text(k.time_ns()).c_str(), e.symbol().c_str(),
                    k.interval_minutes(), k.open().c_str(), k.high().c_str(), k.low().c_str(), k.close().c_str(),
                    k.volume().c_str(), k.committed() ? " closed" : "");
    });
  }
  return usage(fmt::format("watch: unknown kind '{}' (ticker, book, trades, ohlc, executions or balances)", kind));
}

}  // namespace

std::vector<Command> market_commands() {
  return {
      {"ticker", "tickers of pairs (any Kraken spelling; none: every cached pair)", "PAIR...", false, {}, ticker},
      {"book", "order book of a pair", "PAIR", true, {{"depth", "levels per side (0: all cached / Kraken's 100)"}}, book},
      {"ohlc", "OHLC candles of a pair", "PAIR", true,
       {{"interval", "candle minutes: 1, 5, 15, 30, 60, 240, 1440, 10080, 21600"}, {"since", "unix seconds cursor (REST)"}}, ohlc},
      {"recent-trades", "public trade history from Kraken REST", "PAIR", true,
       {{"count", "1 to 1000"}, {"since", "cursor: a previous answer's `last`"}}, recent_trades},
      {"trades", "recent trades held by the gateway (REST on a cache miss)", "PAIR", true,
       {{"limit", "most trades to show"}, {"after", "only trades with a larger trade id"}}, trades},
      {"spread", "recent best bid/ask from Kraken REST", "PAIR", true, {{"since", "unix seconds cursor"}}, spread},
      {"pairs", "tradable pairs and their rules", "PAIR...", false, {}, pairs},
      {"status", "exchange status", "", false, {}, status},
      {"watch", "stream ticker|book|trades|ohlc of pairs, or the account's executions|balances, until Ctrl-C",
       "KIND [PAIR...]", true,
       {{"count", "stop after this many messages"},
        {"depth", "book levels: 10, 25, ..."},
        {"interval", "candle minutes"},
        {"snap-trades", "executions: start with the recent trades too", true},
        {"status-changes", "executions: only new, filled, canceled and expired (no, the default, is every status)", true},
        {"resume-epoch", "executions/balances: resume after this epoch..."},
        {"resume-sequence", "...and this sequence (a previous message's)"}},
       watch},
  };
}

}  // namespace kgw::ctl
