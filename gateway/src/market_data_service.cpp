// kgw.v1.MarketData: the unary reads, served by MarketReader from the WS caches with no network
// hop, or from Kraken REST (/0/public/*) per the request's read policy, every answer saying where
// it came from and how old it is (read_policy.hpp); the streams are in market_data_streams.cpp.
// Every argument is checked before anything is read or sent: a bad one is INVALID_ARGUMENT naming
// the field, and Kraken never sees the request. Handlers never block: cache reads complete on the
// gRPC thread, REST reads on the REST service's thread.

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <map>

#include "backend.hpp"
#include "grpc_status.hpp"
#include "kgw/v1/market_data.grpc.pb.h"
#include "market_data_streams.hpp"
#include "proto_convert.hpp"
#include "read_policy.hpp"
#include "services.hpp"

namespace kgw::gateway {
namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;
using InstrumentPtr = InstrumentRegistry::InstrumentPtr;
using kraken::KrakenRestClient;

// What REST takes as `pair`.
std::string rest_name(const Instrument& in) { return in.altname.empty() ? in.rest_key : in.altname; }

// A synchronous cache read through MarketReader (cache_only answers complete on this thread).
template <class T, class Read>
result<feed::Sourced<T>> cached(Read read) {
  std::optional<result<feed::Sourced<T>>> out;
  read([&out](result<feed::Sourced<T>> r) { out.emplace(std::move(r)); });
  if (!out) return Error(errc::internal, "a cache read did not complete on the calling thread");
  return std::move(*out);
}

// The verdict on a cache read: the answer, or why it cannot be served.
template <class T>
struct Verdict {
  std::optional<feed::Sourced<T>> value;
  std::string_view why;
};

template <class T>
Verdict<T> judge(result<feed::Sourced<T>> r, const ReadRequest& rq) {
  if (!r) return {std::nullopt, r.error().is(errc::not_found) ? reason::cache_miss : reason::stale};
  if (auto why = refusal(*r, rq); !why.empty()) return {std::nullopt, why};
  return {std::move(*r), {}};
}

class MarketDataService final : public v1::MarketData::CallbackService {
 public:
  explicit MarketDataService(Backend& b) : b_(b) {}

  ServerUnaryReactor* GetTicker(CallbackServerContext* ctx, const v1::GetTickerRequest* req,
                                v1::GetTickerResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    std::vector<InstrumentPtr> pairs;
    for (int i = 0; i < req->pairs_size(); ++i) {
      auto in = b_.pair(req->pairs(i), fmt::format("pairs[{}]", i));
      if (!in) return finish(r, in.error());
      pairs.push_back(*in);
    }
    const bool every_pair = pairs.empty();
    if (every_pair && rq->policy == Policy::rest_only) {
      rest_tickers(r, resp, {}, {}, {});
      return r;
    }
    if (every_pair)
      for (const auto& s : b_.streamed) pairs.push_back(b_.registry.find(s));
    // Cache first; what it cannot serve goes to one REST Ticker call (AUTO) or fails (CACHE_ONLY).
    std::vector<std::size_t> from_rest;
    std::string_view why;
    const std::int64_t now = b_.now_ns();
    std::optional<v1::ReadMeta> oldest;
    for (std::size_t i = 0; i < pairs.size(); ++i) {
      const Instrument& in = *pairs[i];
      v1::Ticker* t = resp->add_tickers();
      t->set_pair(in.rest_key);
      t->set_symbol(in.symbol);
      std::string_view refused = reason::not_streamed;
      if (rq->policy != Policy::rest_only && b_.is_streamed(in.symbol)) {
        auto v = judge(cached<feed::TickerValue>([&](auto done) { b_.reader.ticker(in.symbol, feed::ReadMode::cache_only, done); }), *rq);
        if (v.value) {
          fill(*t->mutable_ws(), v.value->value, in);
          fill(*t->mutable_meta(), cache_meta(v.value->value.stamp, b_.simulated, now));
          if (!oldest || t->meta().receive_time_ns() < oldest->receive_time_ns()) oldest = t->meta();
          continue;
        }
        refused = v.why;
      }
      if (rq->policy == Policy::rest_only) refused = {};
      if (rq->policy == Policy::cache_only) {
        if (every_pair) continue;  // every cached ticker: the fresh ones
        return finish(r, cache_only_failure(refused, fmt::format("pairs[{}]", i), in.symbol));
      }
      if (why.empty()) why = refused;
      from_rest.push_back(i);
    }
    if (every_pair && rq->policy == Policy::cache_only) {
      // Drop the tickers that had nothing fresh.
      auto* list = resp->mutable_tickers();
      list->erase(std::remove_if(list->begin(), list->end(), [](const v1::Ticker& t) { return !t.has_ws(); }), list->end());
      if (list->empty()) return finish(r, fail(gateway_errc::cache_miss, "pairs: no fresh cached ticker"));
    }
    if (from_rest.empty()) {
      if (oldest) *resp->mutable_meta() = *oldest;
      r->Finish(grpc::Status::OK);
      return r;
    }
    std::vector<std::string> names;
    for (std::size_t i : from_rest) names.push_back(rest_name(*pairs[i]));
    rest_tickers(r, resp, std::move(names), std::move(from_rest), why);
    return r;
  }

  ServerUnaryReactor* GetOrderBook(CallbackServerContext* ctx, const v1::GetOrderBookRequest* req,
                                   v1::GetOrderBookResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    auto in = b_.pair(req->pair(), "pair");
    if (!in) return finish(r, in.error());
    if (req->depth() > 500) return finish(r, Error(errc::invalid_argument, "depth: 0 to 500 levels per side"));
    const Instrument& pair = **in;
    resp->set_pair(pair.rest_key);
    resp->set_symbol(pair.symbol);
    const std::size_t cached_levels = std::min<std::size_t>(b_.config.feed.book_depth, feed::BookTopValue::kMaxLevels);
    std::string_view why;
    if (rq->policy != Policy::rest_only) {
      if (!b_.is_streamed(pair.symbol) || cached_levels == 0) why = reason::not_streamed;
      else if (req->depth() > cached_levels) why = reason::depth;
      else {
        const std::size_t depth = req->depth() == 0 ? cached_levels : req->depth();
        auto v = judge(cached<feed::BookTopValue>([&](auto done) { b_.reader.book(pair.symbol, depth, feed::ReadMode::cache_only, done); }), *rq);
        if (v.value && req->depth() != 0 && !v.value->value.holds(depth))
          v = {std::nullopt, reason::depth};
        if (v.value) {
          const feed::BookTopValue& book = v.value->value;
          fill_levels(*resp->mutable_bids(), *resp->mutable_asks(), book, depth);
          resp->set_checksum(book.checksum);
          resp->set_checksum_validated(book.state == feed::BookState::synced);
          fill(*resp->mutable_meta(), cache_meta(book.stamp, b_.simulated, b_.now_ns()));
          r->Finish(grpc::Status::OK);
          return r;
        }
        why = v.why;
      }
      if (rq->policy == Policy::cache_only) return finish(r, cache_only_failure(why, "pair", pair.symbol + " book"));
    }
    const int count = req->depth() == 0 ? 100 : static_cast<int>(req->depth());
    b_.submit<kraken::Depth>(
        [name = rest_name(pair), count](KrakenRestClient& c) { return c.depth(name, count); },
        [this, r, resp, why](result<kraken::Depth> d) {
          if (!d) return r->Finish(to_grpc_status(d.error()));
          auto levels = [](google::protobuf::RepeatedPtrField<v1::BookLevel>& out, const std::vector<kraken::DepthLevel>& from) {
            for (const auto& l : from) {
              v1::BookLevel* x = out.Add();
              x->set_price(text(l.price));
              x->set_qty(text(l.volume));
              x->set_time_ns(l.timestamp * 1'000'000'000);
            }
          };
          levels(*resp->mutable_bids(), d->bids);
          levels(*resp->mutable_asks(), d->asks);
          fill(*resp->mutable_meta(), rest_meta(b_.simulated, 0, b_.now_ns(), why));
          r->Finish(grpc::Status::OK);
        });
    return r;
  }

  ServerUnaryReactor* GetOhlc(CallbackServerContext* ctx, const v1::GetOhlcRequest* req, v1::GetOhlcResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    auto in = b_.pair(req->pair(), "pair");
    if (!in) return finish(r, in.error());
    const int interval = req->interval_minutes() == 0 ? 1 : req->interval_minutes();
    if (!feed::ohlc_interval_index(interval))
      return finish(r, Error(errc::invalid_argument,
                             fmt::format("interval_minutes: {} is not one of {}", interval, fmt::join(feed::kOhlcIntervals, ", "))));
    if (req->has_since() && req->since() < 0) return finish(r, Error(errc::invalid_argument, "since: must not be negative"));
    const Instrument& pair = **in;
    resp->set_pair(pair.rest_key);
    resp->set_symbol(pair.symbol);
    std::string_view why;
    if (rq->policy != Policy::rest_only) {
      const auto& subscribed = b_.config.feed.ohlc_intervals;
      if (req->has_since()) why = reason::cursor;
      else if (!b_.is_streamed(pair.symbol) || std::find(subscribed.begin(), subscribed.end(), interval) == subscribed.end())
        why = reason::not_streamed;
      else {
        auto v = judge(cached<std::vector<feed::CandleValue>>(
                           [&](auto done) { b_.reader.candles(pair.symbol, interval, feed::ReadMode::cache_only, done); }),
                       *rq);
        if (v.value) {
          const auto& candles = v.value->value;
          for (std::size_t i = 0; i < candles.size(); ++i) fill(*resp->add_candles(), candles[i], pair, i + 1 < candles.size());
          fill(*resp->mutable_meta(), cache_meta(candles.back().stamp, b_.simulated, b_.now_ns()));
          r->Finish(grpc::Status::OK);
          return r;
        }
        why = v.why;
      }
      if (rq->policy == Policy::cache_only) {
        if (why == reason::cursor) return finish(r, fail(gateway_errc::not_streamed, "since: the cache keeps no pages; use AUTO or REST_ONLY"));
        return finish(r, cache_only_failure(why, "pair", fmt::format("{} {}-minute candles", pair.symbol, interval)));
      }
    }
    std::optional<std::int64_t> since;
    if (req->has_since()) since = req->since();
    b_.submit<kraken::OhlcPage>(
        [name = rest_name(pair), interval, since](KrakenRestClient& c) { return c.ohlc(name, interval, since); },
        [this, r, resp, interval, why](result<kraken::OhlcPage> page) {
          if (!page) return r->Finish(to_grpc_status(page.error()));
          // Kraken's last entry is the current, still-forming candle.
          for (std::size_t i = 0; i < page->candles.size(); ++i)
            fill(*resp->add_candles(), page->candles[i], interval, i + 1 < page->candles.size());
          resp->set_last(page->last);
          fill(*resp->mutable_meta(), rest_meta(b_.simulated, 0, b_.now_ns(), why));
          r->Finish(grpc::Status::OK);
        });
    return r;
  }

  ServerUnaryReactor* GetRecentTrades(CallbackServerContext* ctx, const v1::GetRecentTradesRequest* req,
                                      v1::GetRecentTradesResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    auto in = b_.pair(req->pair(), "pair");
    if (!in) return finish(r, in.error());
    if (req->has_count() && (req->count() < 1 || req->count() > 1000))
      return finish(r, Error(errc::invalid_argument, "count: 1 to 1000"));
    if (req->has_since() && (req->since().empty() || !parse_integer<std::uint64_t>(req->since())))
      return finish(r, Error(errc::invalid_argument, fmt::format("since: '{}' is not a Kraken cursor (digits)", req->since())));
    if (auto e = rest_only_read(*rq, "GetRecentTrades (use GetTrades for the cache)")) return finish(r, *e);
    const Instrument& pair = **in;
    resp->set_pair(pair.rest_key);
    resp->set_symbol(pair.symbol);
    std::optional<std::string> since;
    if (req->has_since()) since = req->since();
    std::optional<int> count;
    if (req->has_count()) count = static_cast<int>(req->count());
    b_.submit<kraken::TradesPage>(
        [name = rest_name(pair), since, count](KrakenRestClient& c) { return c.trades(name, since, count); },
        [this, r, resp](result<kraken::TradesPage> page) {
          if (!page) return r->Finish(to_grpc_status(page.error()));
          for (const auto& t : page->trades) fill(*resp->add_trades(), t);
          resp->set_last(page->last);
          fill(*resp->mutable_meta(), rest_meta(b_.simulated, 0, b_.now_ns(), {}));
          r->Finish(grpc::Status::OK);
        });
    return r;
  }

  ServerUnaryReactor* GetTrades(CallbackServerContext* ctx, const v1::GetTradesRequest* req, v1::GetTradesResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    auto in = b_.pair(req->pair(), "pair");
    if (!in) return finish(r, in.error());
    const Instrument& pair = **in;
    resp->set_pair(pair.rest_key);
    resp->set_symbol(pair.symbol);
    const std::size_t limit = req->has_limit() && req->limit() > 0 ? req->limit() : feed::SymbolCache::kTrades;
    const std::optional<std::int64_t> after = req->has_after_trade_id() ? std::optional(req->after_trade_id()) : std::nullopt;
    std::string_view why = reason::not_streamed;
    if (rq->policy != Policy::rest_only) {
      if (b_.is_streamed(pair.symbol)) {
        auto v = judge(cached<std::vector<feed::TradeValue>>(
                           [&](auto done) { b_.reader.trades(pair.symbol, feed::SymbolCache::kTrades, feed::ReadMode::cache_only, done); }),
                       *rq);
        if (v.value) {
          std::vector<feed::TradeValue>& ring = v.value->value;
          const feed::Stamp newest = ring.back().stamp;
          if (after) ring.erase(std::remove_if(ring.begin(), ring.end(), [&](const auto& t) { return t.trade_id <= *after; }), ring.end());
          const std::size_t skip = ring.size() > limit ? ring.size() - limit : 0;
          for (std::size_t i = skip; i < ring.size(); ++i) fill(*resp->add_trades(), ring[i], pair);
          fill(*resp->mutable_meta(), cache_meta(newest, b_.simulated, b_.now_ns()));
          r->Finish(grpc::Status::OK);
          return r;
        }
        why = v.why;
      }
      if (rq->policy == Policy::cache_only) return finish(r, cache_only_failure(why, "pair", pair.symbol + " trades"));
    } else {
      why = {};
    }
    std::optional<int> count;
    if (limit < 1000) count = static_cast<int>(limit);
    b_.submit<kraken::TradesPage>(
        [name = rest_name(pair), count](KrakenRestClient& c) { return c.trades(name, std::nullopt, count); },
        [this, r, resp, limit, after, why](result<kraken::TradesPage> page) {
          if (!page) return r->Finish(to_grpc_status(page.error()));
          auto& trades = page->trades;
          if (after)
            trades.erase(std::remove_if(trades.begin(), trades.end(), [&](const auto& t) { return t.trade_id <= *after; }), trades.end());
          const std::size_t skip = trades.size() > limit ? trades.size() - limit : 0;
          for (std::size_t i = skip; i < trades.size(); ++i) fill(*resp->add_trades(), trades[i]);
          fill(*resp->mutable_meta(), rest_meta(b_.simulated, 0, b_.now_ns(), why));
          r->Finish(grpc::Status::OK);
        });
    return r;
  }

  ServerUnaryReactor* GetSpread(CallbackServerContext* ctx, const v1::GetSpreadRequest* req, v1::GetSpreadResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    auto in = b_.pair(req->pair(), "pair");
    if (!in) return finish(r, in.error());
    if (req->has_since() && req->since() < 0) return finish(r, Error(errc::invalid_argument, "since: must not be negative"));
    if (auto e = rest_only_read(*rq, "GetSpread")) return finish(r, *e);
    const Instrument& pair = **in;
    resp->set_pair(pair.rest_key);
    resp->set_symbol(pair.symbol);
    std::optional<std::int64_t> since;
    if (req->has_since()) since = req->since();
    b_.submit<kraken::SpreadPage>(
        [name = rest_name(pair), since](KrakenRestClient& c) { return c.spread(name, since); },
        [this, r, resp](result<kraken::SpreadPage> page) {
          if (!page) return r->Finish(to_grpc_status(page.error()));
          for (const auto& e : page->entries) {
            v1::SpreadEntry* x = resp->add_entries();
            x->set_time_ns(e.time * 1'000'000'000);
            x->set_bid(text(e.bid));
            x->set_ask(text(e.ask));
          }
          resp->set_last(page->last);
          fill(*resp->mutable_meta(), rest_meta(b_.simulated, 0, b_.now_ns(), {}));
          r->Finish(grpc::Status::OK);
        });
    return r;
  }

  ServerUnaryReactor* GetAssetPairs(CallbackServerContext* ctx, const v1::GetAssetPairsRequest* req,
                                    v1::GetAssetPairsResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    std::vector<std::string> names;
    for (int i = 0; i < req->pairs_size(); ++i) {
      auto in = b_.pair(req->pairs(i), fmt::format("pairs[{}]", i));
      if (!in) return finish(r, in.error());
      names.push_back((*in)->rest_key);
    }
    if (!v1::AssetPairInfo_IsValid(req->info()))
      return finish(r, Error(errc::invalid_argument, fmt::format("info: {} is not an AssetPairInfo", static_cast<int>(req->info()))));
    if (req->info() != v1::ASSET_PAIR_INFO_UNSPECIFIED && req->info() != v1::ASSET_PAIR_INFO_INFO)
      return finish(r, fail(gateway_errc::unimplemented, "info: only the full view (ASSET_PAIR_INFO_INFO) is served"));
    if (auto e = unserved_filter("aclass_base", req->aclass_base()); e) return finish(r, *e);
    if (!req->country_code().empty())
      return finish(r, fail(gateway_errc::unimplemented, "country_code: not served by this gateway yet"));
    if (!req->execution_venue().empty())
      return finish(r, fail(gateway_errc::unimplemented, "execution_venue: not served by this gateway yet"));
    // The registry is the cache (always current: loaded at start, kept by the instrument channel).
    const auto mode = rq->policy == Policy::rest_only ? feed::ReadMode::rest_only : feed::ReadMode::automatic;
    b_.reader.asset_pairs(std::move(names), mode, [this, r, resp](result<feed::Sourced<std::vector<Instrument>>> res) {
      if (!res) return r->Finish(to_grpc_status(res.error()));
      for (const auto& in : res->value) fill(*resp->add_pairs(), in);
      const std::int64_t now = b_.now_ns();
      fill(*resp->mutable_meta(), res->source == feed::Source::rest ? rest_meta(b_.simulated, 0, now, {})
                                                                    : Meta{v1::READ_SOURCE_WS_CACHE, b_.simulated, 0, 0, now, 0, false, {}});
      r->Finish(grpc::Status::OK);
    });
    return r;
  }

  ServerUnaryReactor* GetAssets(CallbackServerContext* ctx, const v1::GetAssetsRequest* req, v1::GetAssetsResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    std::vector<InstrumentRegistry::AssetPtr> assets;
    for (int i = 0; i < req->assets_size(); ++i) {
      auto a = b_.registry.find_asset(req->assets(i));
      if (req->assets(i).empty() || !a)
        return finish(r, Error(errc::invalid_argument, fmt::format("assets[{}]: unknown asset '{}'", i, req->assets(i))));
      assets.push_back(a);
    }
    if (auto e = unserved_filter("aclass", req->aclass()); e) return finish(r, *e);
    if (rq->policy != Policy::rest_only) {
      if (assets.empty()) assets = b_.registry.assets();
      for (const auto& a : assets) fill(*resp->add_assets(), *a);
      fill(*resp->mutable_meta(), Meta{v1::READ_SOURCE_WS_CACHE, b_.simulated, 0, 0, b_.now_ns(), 0, false, {}});
      r->Finish(grpc::Status::OK);
      return r;
    }
    std::vector<std::string> ids;
    for (const auto& a : assets) ids.push_back(a->id);
    b_.submit<std::vector<Asset>>(
        [ids](KrakenRestClient& c) { return c.assets(ids); },
        [this, r, resp](result<std::vector<Asset>> res) {
          if (!res) return r->Finish(to_grpc_status(res.error()));
          for (auto a : *res) {
            // REST Assets has no v2 code; the registry knows it.
            if (auto known = b_.registry.find_asset(a.id)) a.code = known->code;
            fill(*resp->add_assets(), a);
          }
          fill(*resp->mutable_meta(), rest_meta(b_.simulated, 0, b_.now_ns(), {}));
          r->Finish(grpc::Status::OK);
        });
    return r;
  }

  ServerUnaryReactor* GetSystemStatus(CallbackServerContext* ctx, const v1::GetSystemStatusRequest* req,
                                      v1::GetSystemStatusResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    std::string_view why;
    if (rq->policy != Policy::rest_only) {
      auto v = judge(cached<feed::StatusValue>([&](auto done) { b_.reader.system_status(feed::ReadMode::cache_only, done); }), *rq);
      if (v.value) {
        const feed::StatusValue& s = v.value->value;
        resp->set_status(to_proto(s.system));
        resp->set_api_version(s.api_version.data());
        resp->set_version(s.version.data());
        resp->set_connection_id(s.connection_id);
        fill(*resp->mutable_meta(), cache_meta(s.stamp, b_.simulated, b_.now_ns()));
        r->Finish(grpc::Status::OK);
        return r;
      }
      why = v.why;
      if (rq->policy == Policy::cache_only) return finish(r, cache_only_failure(why, "read", "the exchange status"));
    }
    b_.submit<kraken::SystemStatusInfo>(
        [](KrakenRestClient& c) { return c.system_status(); },
        [this, r, resp, why](result<kraken::SystemStatusInfo> s) {
          if (!s) return r->Finish(to_grpc_status(s.error()));
          resp->set_status(to_proto(kraken::parse_word<kraken::SystemStatus>(s->status).value_or(kraken::SystemStatus::unknown)));
          std::int64_t at = 0;
          if (auto t = parse_rfc3339(s->timestamp)) at = t->time_since_epoch().count();
          resp->set_time_ns(at);
          fill(*resp->mutable_meta(), rest_meta(b_.simulated, at, b_.now_ns(), why));
          r->Finish(grpc::Status::OK);
        });
    return r;
  }

  ServerUnaryReactor* GetServerTime(CallbackServerContext* ctx, const v1::GetServerTimeRequest* req,
                                    v1::GetServerTimeResponse* resp) override {
    auto* r = ctx->DefaultReactor();
    auto rq = read_request(req->read());
    if (!rq) return finish(r, rq.error());
    if (auto e = rest_only_read(*rq, "GetServerTime")) return finish(r, *e);
    const std::int64_t sent_wall = b_.now_ns();
    const MonoTime sent = b_.clock.mono_now();
    b_.submit<kraken::ServerTime>(
        [](KrakenRestClient& c) { return c.time(); },
        [this, r, resp, sent_wall, sent](result<kraken::ServerTime> t) {
          if (!t) return r->Finish(to_grpc_status(t.error()));
          const std::int64_t rtt = (b_.clock.mono_now() - sent).count();
          resp->set_server_time_ns(t->unixtime * 1'000'000'000);
          resp->set_rfc1123(t->rfc1123);
          resp->set_gateway_time_ns(sent_wall + rtt / 2);
          resp->set_round_trip_ns(rtt);
          fill(*resp->mutable_meta(), rest_meta(b_.simulated, t->unixtime * 1'000'000'000, b_.now_ns(), {}));
          r->Finish(grpc::Status::OK);
        });
    return r;
  }

  grpc::ServerWriteReactor<v1::TickerEvent>* StreamTicker(CallbackServerContext* ctx, const v1::StreamTickerRequest* req) override {
    return stream_ticker(b_, ctx, *req);
  }
  grpc::ServerWriteReactor<v1::BookEvent>* StreamBook(CallbackServerContext* ctx, const v1::StreamBookRequest* req) override {
    return stream_book(b_, ctx, *req);
  }
  grpc::ServerWriteReactor<v1::TradesEvent>* StreamTrades(CallbackServerContext* ctx, const v1::StreamTradesRequest* req) override {
    return stream_trades(b_, ctx, *req);
  }
  grpc::ServerWriteReactor<v1::OhlcEvent>* StreamOhlc(CallbackServerContext* ctx, const v1::StreamOhlcRequest* req) override {
    return stream_ohlc(b_, ctx, *req);
  }
  grpc::ServerWriteReactor<v1::SystemStatusEvent>* StreamSystemStatus(CallbackServerContext* ctx,
                                                                      const v1::StreamSystemStatusRequest* req) override {
    return stream_system_status(b_, ctx, *req);
  }

 private:
  static ServerUnaryReactor* finish(ServerUnaryReactor* r, const Error& e) {
    r->Finish(to_grpc_status(e));
    return r;
  }

  // Kraken filters the gateway's REST client does not send yet; "" and Kraken's default pass.
  static std::optional<Error> unserved_filter(std::string_view field, const std::string& value) {
    if (value.empty() || value == "currency") return std::nullopt;
    if (value != "tokenized_asset")
      return Error(errc::invalid_argument, fmt::format("{}: '{}' is not \"currency\" or \"tokenized_asset\"", field, value));
    return fail(gateway_errc::unimplemented, fmt::format("{}: tokenized assets are not served by this gateway yet", field));
  }

  // One REST Ticker call for `names` (empty: every pair); the answers go to the tickers at
  // `slots` (request order), or are appended when there are no slots.
  void rest_tickers(ServerUnaryReactor* r, v1::GetTickerResponse* resp, std::vector<std::string> names,
                    std::vector<std::size_t> slots, std::string_view why) {
    b_.submit<std::vector<kraken::Ticker>>(
        [names](KrakenRestClient& c) { return c.ticker(names); },
        [this, r, resp, slots = std::move(slots), why](result<std::vector<kraken::Ticker>> res) {
          if (!res) return r->Finish(to_grpc_status(res.error()));
          const std::int64_t now = b_.now_ns();
          auto put = [&](v1::Ticker* t, const kraken::Ticker& k) {
            t->set_pair(k.pair);
            if (auto in = b_.registry.find(k.pair)) t->set_symbol(in->symbol);
            fill(*t->mutable_rest(), k);
            fill(*t->mutable_meta(), rest_meta(b_.simulated, 0, now, why));
          };
          if (slots.empty()) {
            for (const auto& k : *res) put(resp->add_tickers(), k);
          } else {
            for (std::size_t i : slots) {
              v1::Ticker* t = resp->mutable_tickers(static_cast<int>(i));
              const auto k = std::find_if(res->begin(), res->end(), [&](const kraken::Ticker& x) { return x.pair == t->pair(); });
              if (k == res->end())
                return r->Finish(to_grpc_status(Error(errc::not_found, fmt::format("Kraken returned no ticker for {}", t->pair()))));
              put(t, *k);
            }
          }
          fill(*resp->mutable_meta(), rest_meta(b_.simulated, 0, now, why));
          r->Finish(grpc::Status::OK);
        });
  }

  Backend& b_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_market_data_service(Backend& backend) {
  return std::make_unique<MarketDataService>(backend);
}

}  // namespace kgw::gateway
