// kgwctl's account commands: balances (cache, REST fallback), trade balance, positions and the
// ledger. `watch balances` is with the trading commands' `watch executions`.

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "command.hpp"
#include "kgw/v1/account.grpc.pb.h"
#include "output.hpp"

namespace kgw::ctl {
namespace {

using Stub = v1::Account::Stub;

int balance(Context& c, const Args& a) {
  auto s = v1::Account::NewStub(c.channel);
  if (a.has("extended")) {
    v1::GetBalanceExRequest req;
    set_read(*req.mutable_read(), c);
    return unary<v1::GetBalanceExResponse>(
        c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetBalanceEx(&ctx, req, &resp); },
        [](const v1::GetBalanceExResponse& r) {
          Table t({"ASSET", "CODE", "BALANCE", "HOLD_TRADE", "AVAILABLE"});
          for (const auto& b : r.balances()) t.add({b.asset(), b.code(), b.balance(), b.hold_trade(), b.available()});
          t.print();
        });
  }
  v1::GetBalanceRequest req;
  set_read(*req.mutable_read(), c);
  return unary<v1::GetBalanceResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetBalance(&ctx, req, &resp); },
      [](const v1::GetBalanceResponse& r) {
        std::printf("balances, %s\n", source_text(r.meta()).c_str());
        Table t({"ASSET", "CODE", "BALANCE"});
        for (const auto& b : r.balances()) t.add({b.asset(), b.code(), b.balance()});
        t.print();
      });
}

int trade_balance(Context& c, const Args& a) {
  v1::GetTradeBalanceRequest req;
  if (auto asset = a.get("asset")) req.set_asset(*asset);
  set_read(*req.mutable_read(), c);
  auto s = v1::Account::NewStub(c.channel);
  return unary<v1::GetTradeBalanceResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetTradeBalance(&ctx, req, &resp); },
      [](const v1::GetTradeBalanceResponse& r) {
        std::printf("in %s: equivalent balance %s, trade balance %s, margin %s, unrealized P&L %s, equity %s, free margin %s%s\n",
                    r.asset().c_str(), r.equivalent_balance().c_str(), r.trade_balance().c_str(), r.margin().c_str(),
                    r.unrealized_pnl().c_str(), r.equity().c_str(), r.free_margin().c_str(),
                    r.margin_level().empty() ? "" : (", margin level " + r.margin_level() + "%").c_str());
      });
}

int positions(Context& c, const Args& a) {
  v1::GetPositionsRequest req;
  for (const auto& id : a.positional) req.add_txids(id);
  req.set_docalcs(a.has("docalcs"));
  set_read(*req.mutable_read(), c);
  auto s = v1::Account::NewStub(c.channel);
  return unary<v1::GetPositionsResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetPositions(&ctx, req, &resp); },
      [](const v1::GetPositionsResponse& r) {
        std::printf("%d position(s), %s\n", r.positions_size(), source_text(r.meta()).c_str());
        if (r.positions_size() == 0) return;
        Table t({"POSITION", "PAIR", "SIDE", "VOLUME", "COST", "MARGIN", "VALUE", "NET"});
        for (const auto& p : r.positions())
          t.add({p.position_id(), p.symbol().empty() ? p.pair() : p.symbol(), p.type() == v1::SIDE_SELL ? "sell" : "buy", p.vol(),
                 p.cost(), p.margin(), p.value().empty() ? "-" : p.value(), p.net().empty() ? "-" : p.net()});
        t.print();
      });
}

int ledgers(Context& c, const Args& a) {
  v1::GetLedgersRequest req;
  for (const auto& asset : a.positional) req.add_assets(asset);
  std::int64_t ofs = -1;
  if (!integer_option(a, "ofs", 0, INT32_MAX, ofs)) return 2;
  if (ofs >= 0) req.set_ofs(static_cast<std::uint32_t>(ofs));
  if (auto id = a.get("ids")) {  // QueryLedgers
    v1::QueryLedgersRequest q;
    std::string rest = *id;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      q.add_ids(rest.substr(0, comma));
      rest = comma == std::string::npos ? std::string() : rest.substr(comma + 1);
    }
    set_read(*q.mutable_read(), c);
    auto s = v1::Account::NewStub(c.channel);
    return unary<v1::QueryLedgersResponse>(
        c, [&](grpc::ClientContext& ctx, auto& resp) { return s->QueryLedgers(&ctx, q, &resp); },
        [](const v1::QueryLedgersResponse& r) {
          for (const auto& e : r.entries())
            std::printf("%s %s %s %s %s fee %s -> %s\n", e.ledger_id().c_str(), time_text(e.time_ns()).c_str(), e.type().c_str(),
                        e.asset().c_str(), e.amount().c_str(), e.fee().c_str(), e.balance().c_str());
        });
  }
  set_read(*req.mutable_read(), c);
  auto s = v1::Account::NewStub(c.channel);
  return unary<v1::GetLedgersResponse>(
      c, [&](grpc::ClientContext& ctx, auto& resp) { return s->GetLedgers(&ctx, req, &resp); },
      [](const v1::GetLedgersResponse& r) {
        if (r.has_count()) std::printf("%lld entries, this page %d\n", static_cast<long long>(r.count()), r.entries_size());
        Table t({"LEDGER_ID", "TIME", "TYPE", "ASSET", "AMOUNT", "FEE", "BALANCE", "REFID"});
        for (const auto& e : r.entries())
          t.add({e.ledger_id(), time_text(e.time_ns()), e.type(), e.asset(), e.amount(), e.fee(), e.balance(), e.refid()});
        t.print();
      });
}

}  // namespace

int watch_balances(Context& c, const Args& a, std::int64_t count) {
  std::int64_t epoch = -1, sequence = -1;
  if (!integer_option(a, "resume-epoch", 0, INT64_MAX, epoch) || !integer_option(a, "resume-sequence", 0, INT64_MAX, sequence))
    return 2;
  grpc::ClientContext ctx;
  v1::StreamBalancesRequest req;
  if (epoch >= 0) req.set_resume_after_epoch(static_cast<std::uint64_t>(epoch));
  if (sequence >= 0) req.set_resume_after_sequence(static_cast<std::uint64_t>(sequence));
  auto s = v1::Account::NewStub(c.channel);
  auto reader = s->StreamBalances(&ctx, req);
  return drain(ctx, *reader, c, count, [](const v1::BalancesEvent& e) {
    std::printf("%s epoch %llu seq %llu\n", e.type() == v1::STREAM_MESSAGE_TYPE_SNAPSHOT ? "SNAPSHOT" : "UPDATE",
                static_cast<unsigned long long>(e.epoch()), static_cast<unsigned long long>(e.sequence()));
    for (const auto& b : e.snapshot()) std::printf("  %s (%s) %s\n", b.asset().c_str(), b.code().c_str(), b.balance().c_str());
    for (const auto& u : e.updates())
      std::printf("  %s %s %s: %s, fee %s -> %s\n", u.ledger_id().empty() ? "-" : u.ledger_id().c_str(), u.type().c_str(),
                  u.asset().c_str(), u.amount().c_str(), u.fee().c_str(), u.balance().c_str());
  });
}

std::vector<Command> account_commands() {
  return {
      {"balance", "balances by REST asset id (cache, REST fallback)", "", false,
       {{"extended", "BalanceEx: with held amounts and what is available (REST)", true}}, balance},
      {"trade-balance", "margin account summary (REST)", "", false, {{"asset", "base asset, any spelling (default ZUSD)"}},
       trade_balance},
      {"positions", "open margin positions (cache, REST fallback)", "TXID...", false,
       {{"docalcs", "with value and net P&L", true}}, positions},
      {"ledgers", "ledger entries, newest first, 50 a page (REST)", "ASSET...", false,
       {{"ofs", "page offset"}, {"ids", "comma list of ledger ids to look up instead"}}, ledgers},
  };
}

}  // namespace kgw::ctl
