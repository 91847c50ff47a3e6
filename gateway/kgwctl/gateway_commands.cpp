// kgwctl's `gateway` command: the gateway's own state (Gateway service), its kill switch and
// its dead-man switch.

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

void kill_switch_text(const v1::KillSwitchState& k) {
  std::printf("kill switch %s%s%s, changed by %s, %llu order(s) refused since\n", k.engaged() ? "ENGAGED" : "off",
              k.engaged() ? (" since " + time_text(k.engaged_time_ns())).c_str() : "",
              k.reason().empty() ? "" : (" (" + k.reason() + ")").c_str(), k.changed_by().empty() ? "-" : k.changed_by().c_str(),
              static_cast<unsigned long long>(k.orders_refused()));
}

// gateway kill-switch [engage|disengage] [--reason R] [--keep-open-orders]
int kill_switch(const Context& c, v1::Gateway::Stub& stub, const std::vector<std::string>& rest, const Args& a) {
  const std::string what = rest.empty() ? "show" : rest[0];
  int rc = 0;
  if (what == "show") {
    v1::GetKillSwitchResponse resp;
    if (!call(c, [&](grpc::ClientContext& ctx) { return stub.GetKillSwitch(&ctx, {}, &resp); }, rc)) return rc;
    if (c.json) print_json(resp);
    else kill_switch_text(resp.state());
    return 0;
  }
  if (what == "engage") {
    v1::EngageKillSwitchRequest req;
    req.set_reason(a.get("reason").value_or(""));
    req.set_keep_open_orders(a.has("keep-open-orders"));
    v1::EngageKillSwitchResponse resp;
    if (!call(c, [&](grpc::ClientContext& ctx) { return stub.EngageKillSwitch(&ctx, req, &resp); }, rc)) return rc;
    if (c.json) {
      print_json(resp);
      return 0;
    }
    kill_switch_text(resp.state());
    std::printf("%d order(s) cancelled%s\n", resp.orders_cancelled(), resp.cancel_pending() ? " (pending)" : "");
    if (resp.has_cancel_error()) {
      std::fprintf(stderr, "kgwctl: the cancel-all failed: %s\n", resp.cancel_error().message().c_str());
      return 1;
    }
    return 0;
  }
  if (what == "disengage") {
    v1::DisengageKillSwitchRequest req;
    req.set_reason(a.get("reason").value_or(""));
    v1::DisengageKillSwitchResponse resp;
    if (!call(c, [&](grpc::ClientContext& ctx) { return stub.DisengageKillSwitch(&ctx, req, &resp); }, rc)) return rc;
    if (c.json) print_json(resp);
    else kill_switch_text(resp.state());
    return 0;
  }
  return usage(fmt::format("gateway kill-switch: '{}' is not show, engage or disengage", what));
}

int dead_man(const Context& c, v1::Gateway::Stub& stub) {
  v1::GetDeadManSwitchResponse resp;
  int rc = 0;
  if (!call(c, [&](grpc::ClientContext& ctx) { return stub.GetDeadManSwitch(&ctx, {}, &resp); }, rc)) return rc;
  if (c.json) {
    print_json(resp);
    return 0;
  }
  std::printf("dead-man switch %s", resp.armed() ? "ARMED" : "disarmed");
  if (resp.armed())
    std::printf(" by the %s, %u s, fires %s", resp.owner() == v1::DEAD_MAN_OWNER_GATEWAY ? "gateway" : "client",
                resp.timeout_seconds(), time_text(resp.trigger_time_ns()).c_str());
  if (resp.keeper_interval_ns() > 0) std::printf(" (gateway keeper, renewed every %s)", duration_text(resp.keeper_interval_ns()).c_str());
  std::printf("\n");
  if (resp.has_last_error()) std::printf("last error: %s\n", resp.last_error().message().c_str());
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
  if (what == "kill-switch") return kill_switch(c, *stub, rest, a);
  if (what == "dead-man") return dead_man(c, *stub);
  return usage(fmt::format("gateway: unknown view '{}' (info, upstream, cache, budget, kill-switch or dead-man)", what));
}

}  // namespace

std::vector<Command> gateway_commands() {
  return {{"gateway",
           "the gateway's own state: info (default), upstream, cache [PAIR...], budget [PAIR...], "
           "kill-switch [engage|disengage], dead-man",
           "VIEW [ARG...]",
           false,
           {{"reason", "kill-switch engage/disengage: why"},
            {"keep-open-orders", "kill-switch engage: refuse new orders, cancel nothing", true}},
           gateway}};
}

}  // namespace kgw::ctl
