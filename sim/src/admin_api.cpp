#include "admin_api.hpp"

#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "kgw/core/decimal.hpp"
#include "kgw/core/json_writer.hpp"
#include "kgw/sim/exchange.hpp"
#include "kgw/sim/faults.hpp"
#include "kgw/sim/tokens.hpp"
#include "kraken_rest_common.hpp"

namespace kgw::sim {
namespace {

HttpServerResponse json_response(unsigned status, std::string body) {
  HttpServerResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpServerResponse ok() { return json_response(200, R"({"ok":true})"); }

HttpServerResponse bad(std::string_view message) {
  JsonWriter w;
  w.begin_object().field("error", message).end_object();
  return json_response(400, w.take());
}

// The parameters of one admin request, read strictly: each read marks its key as known, a value
// that does not parse records the first problem, and problem() also reports any key the path did
// not read, so a misspelt parameter is refused instead of silently ignored.
class Args {
 public:
  explicit Args(rest::Params p) : p_(std::move(p)) {}

  std::optional<std::string_view> text(std::string_view key) {
    known_.emplace(key);
    return p_.get(key);
  }

  std::optional<std::int64_t> integer(std::string_view key, std::int64_t lo, std::int64_t hi) {
    auto v = text(key);
    if (!v) return std::nullopt;
    const auto x = parse_integer<std::int64_t>(*v);
    if (!x || *x < lo || *x > hi) {
      note(fmt::format("{}: must be an integer from {} to {}, got '{}'", key, lo, hi, *v));
      return std::nullopt;
    }
    return *x;
  }

  std::optional<bool> boolean(std::string_view key) {
    auto v = text(key);
    if (!v) return std::nullopt;
    if (*v == "true") return true;
    if (*v == "false") return false;
    note(fmt::format("{}: must be true or false, got '{}'", key, *v));
    return std::nullopt;
  }

  void note(std::string problem) {
    if (problem_.empty()) problem_ = std::move(problem);
  }

  std::optional<std::string> problem() const {
    if (!problem_.empty()) return problem_;
    for (const auto& [key, value] : p_.all())
      if (!known_.contains(key)) return fmt::format("unknown parameter '{}'", key);
    return std::nullopt;
  }

 private:
  rest::Params p_;
  std::set<std::string, std::less<>> known_;
  std::string problem_;
};

constexpr std::int64_t kMaxCount = 1'000'000;        // armed uses of a counted fault
constexpr std::int64_t kMaxDelayMs = 600'000;        // ten minutes of REST latency

}  // namespace

HttpServerResponse AdminApi::on_http(const HttpServerRequest& req) {
  std::string_view path = req.target, query;
  if (auto q = path.find('?'); q != std::string_view::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  Args a(rest::Params::from_form(req.method == "POST" && query.empty() ? std::string_view(req.body) : query));
  Faults& f = t_.faults;

  if (path == "/health" || path == "/faults") {
    if (auto p = a.problem()) return bad(*p);
    if (path == "/health") return ok();
    JsonWriter w;
    w.begin_object();
    for (const auto& [k, v] : f.fired) w.field(k, v);
    w.end_object();
    return json_response(200, w.take());
  }
  static constexpr std::string_view kActions[] = {
      "/status", "/pair/status", "/ws/drop", "/ws/stall", "/rest/delay", "/ws/private/delay", "/rest/http_status", "/rest/error",
      "/rest/drop_response", "/ws/drop_response", "/book/corrupt_checksum", "/tokens/invalidate", "/restart",
      "/deposit"};
  if (std::find(std::begin(kActions), std::end(kActions), path) == std::end(kActions))
    return json_response(404, R"({"error":"unknown admin path"})");
  if (req.method != "POST") return bad("use POST for admin actions");

  // A counted fault: `count` uses, 1 when absent.
  auto count = [&a]() { return static_cast<int>(a.integer("count", 0, kMaxCount).value_or(1)); };
  // The WS peers a request names: all of both endpoints, or the one `peer` id (which must exist).
  auto peers = [&a, this]() {
    const auto id = a.integer("peer", 0, INT64_MAX);
    std::vector<std::shared_ptr<WsPeer>> picked;
    for (auto& peer : t_.ws_peers())
      if (!id || peer->id() == static_cast<std::uint64_t>(*id)) picked.push_back(peer);
    if (id && picked.empty()) a.note(fmt::format("peer: no open WebSocket peer {}", *id));
    return picked;
  };
  // A pair in any Kraken spelling, as the WS v2 symbol the faults are keyed by.
  auto pair = [&a, this](std::string_view key) -> std::optional<std::string> {
    auto v = a.text(key);
    if (!v) {
      a.note(fmt::format("{}: required (any Kraken spelling, e.g. BTC/USD)", key));
      return std::nullopt;
    }
    const auto idx = t_.exchange.pair_index(*v);
    if (!idx) {
      a.note(fmt::format("{}: unknown pair '{}'", key, *v));
      return std::nullopt;
    }
    return t_.exchange.instruments()[*idx]->symbol;
  };

  if (path == "/status") {
    const auto value = a.text("value");
    const auto st = parse_system_status(value.value_or(""));
    if (!st) a.note("value: must be online|cancel_only|post_only|maintenance");
    if (auto p = a.problem()) return bad(*p);
    t_.exchange.set_status(*st);
    f.count("status");
    return ok();
  }
  if (path == "/pair/status") {
    const auto sym = pair("pair");
    const auto st = parse_pair_status(a.text("value").value_or(""));
    if (st == PairStatus::unknown) a.note("value: must be a Kraken pair status (online, cancel_only, ...)");
    if (auto p = a.problem()) return bad(*p);
    if (auto r = t_.exchange.set_pair_status(*sym, st); !r) return bad(r.error().message());
    f.count("pair_status");
    return ok();
  }
  if (path == "/ws/drop") {
    const auto picked = peers();
    if (auto p = a.problem()) return bad(*p);
    for (auto& peer : picked) {
      peer->drop();
      f.count("ws_drop");
    }
    return ok();
  }
  if (path == "/ws/stall") {
    const bool on = a.boolean("on").value_or(true);
    const auto picked = peers();
    if (auto p = a.problem()) return bad(*p);
    for (auto& peer : picked) {
      peer->stall(on);
      if (on) f.count("ws_stall");
    }
    return ok();
  }
  if (path == "/rest/delay" || path == "/ws/private/delay") {
    // `ms`, or `us` for sub-millisecond exchange latency (Kraken's best path is ~2.5 ms).
    const auto ms = a.integer("ms", 0, kMaxDelayMs);
    const auto us = a.integer("us", 0, kMaxDelayMs * 1000);
    if (ms && us) a.note("ms and us: give one");
    if (!ms && !us && !a.problem()) a.note("ms: required (or us)");
    if (auto p = a.problem()) return bad(*p);
    const std::chrono::microseconds d = ms ? std::chrono::microseconds(*ms * 1000) : std::chrono::microseconds(*us);
    (path == "/rest/delay" ? f.rest_delay : f.ws_private_delay) = d;
    return ok();
  }
  if (path == "/rest/http_status") {
    const auto code = a.integer("code", 100, 599).value_or(502);
    const int n = count();
    if (auto p = a.problem()) return bad(*p);
    f.http_status = static_cast<unsigned>(code);
    f.http_status_count = n;
    return ok();
  }
  if (path == "/rest/error") {
    const std::string error(a.text("error").value_or("EService:Unavailable"));
    // Kraken's error strings are `<severity><category>:<message>` (PROTOCOL.md §1.2).
    if (error.size() < 3 || (error[0] != 'E' && error[0] != 'W') || error.find(':') == std::string::npos)
      a.note(fmt::format("error: must be a Kraken error string such as EService:Busy, got '{}'", error));
    const int n = count();
    if (auto p = a.problem()) return bad(*p);
    f.rest_error = error;
    f.rest_error_count = n;
    return ok();
  }
  if (path == "/rest/drop_response" || path == "/ws/drop_response") {
    const int n = count();
    if (auto p = a.problem()) return bad(*p);
    (path == "/rest/drop_response" ? f.rest_drop_response_count : f.ws_drop_response_count) = n;
    return ok();
  }
  if (path == "/book/corrupt_checksum") {
    const auto sym = pair("symbol");
    const int n = count();
    if (auto p = a.problem()) return bad(*p);
    f.corrupt_checksum[*sym] = n;
    return ok();
  }
  if (path == "/tokens/invalidate") {
    if (auto p = a.problem()) return bad(*p);
    t_.tokens.invalidate_all();
    f.count("token_invalidate");
    return ok();
  }
  if (path == "/restart") {
    if (auto p = a.problem()) return bad(*p);
    t_.restart();
    f.count("restart");
    return ok();
  }
  // /deposit
  const auto key = a.text("api_key");
  const auto asset = a.text("asset");
  const auto amount = a.text("amount");
  const Account* acct = key ? t_.exchange.account_by_key(*key) : nullptr;
  if (!acct) a.note("api_key: unknown account key");
  if (!asset || !amount) a.note("asset and amount: required");
  if (auto p = a.problem()) return bad(*p);
  if (auto r = t_.exchange.deposit(acct->id, *asset, *amount); !r) return bad(r.error().message());
  return ok();
}

}  // namespace kgw::sim
