// kgwctl's `gateway` command: the gateway's own state (Gateway service).

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "command.hpp"
#include "kgw/v1/gateway.grpc.pb.h"
#include "output.hpp"

namespace kgw::ctl {
namespace {

// Enum value names without their prefix: CONNECTION_STATE_READY -> ready.
std::string word(const std::string& name, std::size_t prefix) {
  std::string s = name.size() > prefix ? name.substr(prefix) : name;
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

template <class Call>
bool call(const Context& c, Call fn, int& exit_code) {
  grpc::ClientContext ctx;
  prepare(ctx, c);
  const grpc::Status s = fn(ctx);
  if (!s.ok()) exit_code = report(s);
  return s.ok();
}

int info(const Context& c, v1::Gateway::Stub& stub) {
  v1::GetInfoResponse resp;
  int rc = 0;
  if (!call(c, [&](grpc::ClientContext& ctx) { return stub.GetInfo(&ctx, {}, &resp); }, rc)) return rc;
  if (c.json) {
    print_json(resp);
    return 0;
  }
  std::printf("kraken-gatewayd %s (%s), %s, up %s, config %s\n", resp.version().c_str(), resp.build_type().c_str(),
              resp.mode() == v1::UPSTREAM_MODE_SIMULATOR ? "simulator" : "live Kraken", duration_text(resp.uptime_ns()).c_str(),
              resp.config_name().empty() ? "built-in" : resp.config_name().c_str());
  std::printf("rest %s\nws-public %s\nws-private %s\napi key %s, tier %s\n", resp.rest_url().c_str(), resp.public_ws_url().c_str(),
              resp.private_ws_url().c_str(), resp.api_key_configured() ? "configured" : "none", resp.account_tier().c_str());
  return 0;
}

int upstream(const Context& c, v1::Gateway::Stub& stub) {
  v1::GetUpstreamStatusResponse resp;
  int rc = 0;
  if (!call(c, [&](grpc::ClientContext& ctx) { return stub.GetUpstreamStatus(&ctx, {}, &resp); }, rc)) return rc;
  if (c.json) {
    print_json(resp);
    return 0;
  }
  Table t({"UPSTREAM", "STATE", "SINCE", "RECONNECTS", "MESSAGES", "LAST_ERROR", "ENDPOINT"});
  for (const auto& x : resp.connections())
    t.add({word(v1::UpstreamKind_Name(x.kind()), sizeof("UPSTREAM_KIND_") - 1),
           word(v1::ConnectionState_Name(x.state()), sizeof("CONNECTION_STATE_") - 1), time_text(x.state_since_time_ns()),
           std::to_string(x.reconnect_count()), std::to_string(x.messages_received()),
           x.last_error().empty() ? "-" : x.last_error(), x.endpoint()});
  t.print();
  std::printf("exchange %s\n", word(v1::SystemStatus_Name(resp.exchange_status()), sizeof("SYSTEM_STATUS_") - 1).c_str());
  return 0;
}

int cache(const Context& c, v1::Gateway::Stub& stub, const std::vector<std::string>& pairs) {
  v1::GetCacheFreshnessRequest req;
  for (const auto& p : pairs) req.add_pairs(p);
  v1::GetCacheFreshnessResponse resp;
  int rc = 0;
  if (!call(c, [&](grpc::ClientContext& ctx) { return stub.GetCacheFreshness(&ctx, req, &resp); }, rc)) return rc;
  if (c.json) {
    print_json(resp);
    return 0;
  }
  Table t({"KIND", "PAIR", "LIVE", "AGE", "UPDATES", "CHECKSUM_FAILURES"});
  for (const auto& e : resp.entries()) {
    std::string kind = word(v1::CacheKind_Name(e.kind()), sizeof("CACHE_KIND_") - 1);
    if (e.interval_minutes()) kind += fmt::format(" {}m", e.interval_minutes());
    t.add({kind, e.symbol().empty() ? "-" : e.symbol(), e.live() ? "yes" : "no",
           e.receive_time_ns() ? duration_text(e.age_ns()) : "-", std::to_string(e.update_count()),
           e.kind() == v1::CACHE_KIND_BOOK ? std::to_string(e.checksum_failures()) : "-"});
  }
  t.print();
  return 0;
}

int budget(const Context& c, v1::Gateway::Stub& stub, const std::vector<std::string>& pairs) {
  v1::GetRateBudgetRequest req;
  for (const auto& p : pairs) req.add_pairs(p);
  v1::GetRateBudgetResponse resp;
  int rc = 0;
  if (!call(c, [&](grpc::ClientContext& ctx) { return stub.GetRateBudget(&ctx, req, &resp); }, rc)) return rc;
  if (c.json) {
    print_json(resp);
    return 0;
  }
  const auto& r = resp.rest();
  std::printf("rest (%s): counter %s of %s, decay %s/s, headroom %s, %llu calls\n", r.tier().c_str(), r.counter().c_str(),
              r.max_counter().c_str(), r.decay_per_second().c_str(), r.headroom().c_str(),
              static_cast<unsigned long long>(r.calls_sent()));
  if (resp.pairs_size() > 0) {
    Table t({"PAIR", "COUNTER", "THRESHOLD", "DECAY/S", "HEADROOM"});
    for (const auto& p : resp.pairs()) t.add({p.symbol(), p.counter(), p.threshold(), p.decay_per_second(), p.headroom()});
    t.print();
  }
  return 0;
}

int gateway(Context& c, const Args& a) {
  auto stub = v1::Gateway::NewStub(c.channel);
  const std::string what = a.positional.empty() ? "info" : a.positional[0];
  const std::vector<std::string> rest(a.positional.empty() ? a.positional.end() : a.positional.begin() + 1, a.positional.end());
  if (what == "info") return info(c, *stub);
  if (what == "upstream") return upstream(c, *stub);
  if (what == "cache") return cache(c, *stub, rest);
  if (what == "budget") return budget(c, *stub, rest);
  return usage(fmt::format("gateway: unknown view '{}' (info, upstream, cache or budget)", what));
}

}  // namespace

std::vector<Command> gateway_commands() {
  return {{"gateway", "the gateway's own state: info (default), upstream, cache [PAIR...], budget [PAIR...]", "VIEW [PAIR...]",
           false, {}, gateway}};
}

}  // namespace kgw::ctl
