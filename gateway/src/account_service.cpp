// kgw.v1.Account over the order manager: balances from the account cache (the private balances
// channel) and positions from its OpenPositions refresh, each with REST fallback per the read
// policy; extended balances, trade balance and the ledger from REST; StreamBalances
// (account_streams.cpp). Cached balances are keyed by REST asset id as Kraken's REST Balance
// returns them, with the v2 code beside. Without an API key every call is FAILED_PRECONDITION.

#include <grpcpp/grpcpp.h>

#include <algorithm>

#include "account_convert.hpp"
#include "account_reads.hpp"
#include "account_streams.hpp"
#include "backend.hpp"
#include "contract_words.hpp"
#include "rest_answer.hpp"
#include "kgw/v1/account.grpc.pb.h"
#include "services.hpp"

namespace kgw::gateway {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using kraken::KrakenRestClient;
using kraken::Params;

ServerUnaryReactor* finish(ServerUnaryReactor* r, const Error& e) {
  r->Finish(to_grpc_status(e));
  return r;
}

class AccountService final : public v1::Account::CallbackService {
 public:
  explicit AccountService(Backend& b) : b_(b) {}

  ServerUnaryReactor* GetBalance(CallbackServerContext* ctx, const v1::GetBalanceRequest* req,
                                 v1::GetBalanceResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return finish(r, *e);
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    auto rebase = rebase_of(req->rebase_multiplier());
    if (!rebase) return finish(r, rebase.error());
    std::string_view why;
    if (rq->policy != Policy::rest_only) {
      const std::int64_t now = b_.now_ns();
      auto snap = b_.oms->account();
      why = !rebase->empty() ? reason::not_streamed : account_refusal(snap.get(), *rq, now);
      if (why.empty()) {
        // By REST asset id, as Kraken's REST Balance lists them.
        std::vector<const oms::Balance*> list;
        for (const auto& b : snap->balances->all()) list.push_back(b.get());
        std::sort(list.begin(), list.end(), [](const auto* a, const auto* b) { return a->asset < b->asset; });
        for (const auto* b : list) fill(*resp->add_balances(), *b, b_.registry);
        fill(*resp->mutable_meta(), account_meta(*snap, b_.simulated, now));
        r->Finish(grpc::Status::OK);
        return r;
      }
      if (rq->policy == Policy::cache_only) return finish(r, cache_only_failure(why, "read", "the balances"));
    }
    return answer_from_rest<std::vector<kraken::AssetBalance>>(
        b_, r, resp, [extra = *rebase](KrakenRestClient& c) { return c.balance(extra); },
        [this, resp](result<std::vector<kraken::AssetBalance>>& res) {
          for (const auto& b : *res) fill(*resp->add_balances(), b, b_.registry);
        }, why);
  }

  ServerUnaryReactor* GetBalanceEx(CallbackServerContext* ctx, const v1::GetBalanceExRequest* req,
                                   v1::GetBalanceExResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rebase = check_rest_read(b_, *req, "GetBalanceEx");
    if (!rebase) return finish(r, rebase.error());
    return answer_from_rest<std::vector<kraken::AssetBalance>>(
        b_, r, resp, [extra = std::move(*rebase)](KrakenRestClient& c) { return c.balance_ex(extra); },
        [this, resp](result<std::vector<kraken::AssetBalance>>& res) {
          for (const auto& b : *res) fill(*resp->add_balances(), b, b_.registry);
        });
  }

  ServerUnaryReactor* GetTradeBalance(CallbackServerContext* ctx, const v1::GetTradeBalanceRequest* req,
                                      v1::GetTradeBalanceResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rebase = check_rest_read(b_, *req, "GetTradeBalance");
    if (!rebase) return finish(r, rebase.error());
    std::string asset = "ZUSD";
    if (!req->asset().empty()) {
      auto a = b_.registry.find_asset(req->asset());
      if (!a) return finish(r, Error(errc::invalid_argument, fmt::format("asset: unknown asset '{}'", req->asset())));
      asset = a->id;
    }
    return answer_from_rest<kraken::TradeBalanceInfo>(
        b_, r, resp, [asset, extra = std::move(*rebase)](KrakenRestClient& c) { return c.trade_balance(asset, extra); },
        [this, resp, asset](result<kraken::TradeBalanceInfo>& t) {
          resp->set_asset(asset);
          resp->set_equivalent_balance(text(t->eb));
          resp->set_trade_balance(text(t->tb));
          resp->set_margin(text(t->m));
          resp->set_unrealized_pnl(text(t->n));
          resp->set_cost_basis(text(t->c));
          resp->set_valuation(text(t->v));
          resp->set_equity(text(t->e));
          resp->set_free_margin(text(t->mf));
          if (t->ml) resp->set_margin_level(text(*t->ml));
          if (t->uv) resp->set_unexecuted_value(text(*t->uv));
        });
  }

  ServerUnaryReactor* GetPositions(CallbackServerContext* ctx, const v1::GetPositionsRequest* req,
                                   v1::GetPositionsResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    if (auto e = b_.no_order_manager()) return finish(r, *e);
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    auto rebase = rebase_of(req->rebase_multiplier());
    if (!rebase) return finish(r, rebase.error());
    if (!req->consolidation().empty() && req->consolidation() != "market")
      return finish(r, Error(errc::invalid_argument, fmt::format("consolidation: '{}' is not \"market\"", req->consolidation())));
    std::vector<std::string> ids;
    for (int i = 0; i < req->txids_size(); ++i) {
      if (req->txids(i).empty()) return finish(r, Error(errc::invalid_argument, fmt::format("txids[{}]: empty position id", i)));
      ids.push_back(req->txids(i));
    }
    auto wanted = [ids](const std::string& id) { return ids.empty() || std::find(ids.begin(), ids.end(), id) != ids.end(); };
    const bool docalcs = req->docalcs();
    std::string_view why;
    if (rq->policy != Policy::rest_only) {
      const std::int64_t now = b_.now_ns();
      auto snap = b_.oms->account();
      // The cache holds every open position, unconsolidated.
      why = !req->consolidation().empty() || !rebase->empty() ? reason::not_streamed : account_refusal(snap.get(), *rq, now);
      if (why.empty() && !snap->positions->loaded) why = reason::cache_miss;
      if (why.empty()) {
        for (const auto& p : snap->positions->list) {
          if (!wanted(p.info.txid)) continue;
          v1::Position* x = resp->add_positions();
          fill(*x, p.info, b_.registry);
          if (!docalcs) {  // as REST answers without docalcs
            x->clear_value();
            x->clear_net();
          }
        }
        Meta m = account_meta(*snap, b_.simulated, now);
        m.receive_ns = snap->positions->stamp.received.time_since_epoch().count();
        fill(*resp->mutable_meta(), m);
        r->Finish(grpc::Status::OK);
        return r;
      }
      if (rq->policy == Policy::cache_only) return finish(r, cache_only_failure(why, "read", "the positions"));
    }
    Params extra = *rebase;
    if (!ids.empty()) {
      std::string list;
      for (const auto& id : ids) list += (list.empty() ? "" : ",") + id;
      extra.emplace_back("txid", list);
    }
    if (!req->consolidation().empty()) extra.emplace_back("consolidation", req->consolidation());
    return answer_from_rest<std::vector<kraken::PositionInfo>>(
        b_, r, resp, [docalcs, extra](KrakenRestClient& c) { return c.open_positions(docalcs, extra); },
        [this, resp](result<std::vector<kraken::PositionInfo>>& res) {
          for (const auto& p : *res) fill(*resp->add_positions(), p, b_.registry);
        }, why);
  }

  ServerUnaryReactor* GetLedgers(CallbackServerContext* ctx, const v1::GetLedgersRequest* req,
                                 v1::GetLedgersResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rebase = check_rest_read(b_, *req, "GetLedgers");
    if (!rebase) return finish(r, rebase.error());
    kraken::HistoryQuery q;
    q.extra = std::move(*rebase);
    std::string assets;
    for (int i = 0; i < req->assets_size(); ++i) {
      auto a = b_.registry.find_asset(req->assets(i));
      if (req->assets(i).empty() || !a)
        return finish(r, Error(errc::invalid_argument, fmt::format("assets[{}]: unknown asset '{}'", i, req->assets(i))));
      assets += (assets.empty() ? "" : ",") + a->id;
    }
    if (!assets.empty()) q.extra.emplace_back("asset", assets);
    if (!req->aclass().empty()) q.extra.emplace_back("aclass", req->aclass());
    auto type = contract_word(req->type(), "type");
    if (!type) return finish(r, type.error());
    if (*type) q.extra.emplace_back("type", **type);
    q.start = bound_of(req->start());
    q.end = bound_of(req->end());
    if (req->has_ofs()) q.ofs = req->ofs();
    q.without_count = req->without_count();
    return answer_from_rest<kraken::LedgersPage>(
        b_, r, resp, [q](KrakenRestClient& c) { return c.ledgers(q); },
        [this, resp](result<kraken::LedgersPage>& page) {
          for (const auto& l : page->entries) fill(*resp->add_entries(), l);
          if (page->count) resp->set_count(*page->count);
        });
  }

  ServerUnaryReactor* QueryLedgers(CallbackServerContext* ctx, const v1::QueryLedgersRequest* req,
                                   v1::QueryLedgersResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rebase = check_rest_read(b_, *req, "QueryLedgers");
    if (!rebase) return finish(r, rebase.error());
    if (req->ids_size() == 0 || req->ids_size() > 20)
      return finish(r, Error(errc::invalid_argument, fmt::format("ids: 1 to 20 ledger ids, not {}", req->ids_size())));
    std::vector<std::string> ids;
    for (int i = 0; i < req->ids_size(); ++i) {
      if (req->ids(i).empty()) return finish(r, Error(errc::invalid_argument, fmt::format("ids[{}]: empty ledger id", i)));
      ids.push_back(req->ids(i));
    }
    Params extra = std::move(*rebase);
    if (req->trades()) extra.emplace_back("trades", "true");
    return answer_from_rest<kraken::LedgersPage>(
        b_, r, resp, [ids, extra](KrakenRestClient& c) { return c.query_ledgers(ids, extra); },
        [this, resp](result<kraken::LedgersPage>& page) {
          for (const auto& l : page->entries) fill(*resp->add_entries(), l);
        });
  }

  grpc::ServerWriteReactor<v1::BalancesEvent>* StreamBalances(CallbackServerContext* ctx,
                                                              const v1::StreamBalancesRequest* req) override {
    return stream_balances(b_, ctx, *req);
  }

 private:
  Backend& b_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_account_service(Backend& backend) { return std::make_unique<AccountService>(backend); }

}  // namespace kgw::gateway
