// kgwctl: the command-line client of kraken-gatewayd. `kgwctl [--addr A] [--json] [--route R]
// COMMAND ...`; human tables by default, one JSON object per message with --json; exit status 0
// on success, 1 when the gateway refused (its message and Kraken's error strings on stderr), 2 on
// a usage error. Commands come from the groups' lists (command.hpp).

#include <CLI/CLI.hpp>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <map>

#include "command.hpp"
#include "kgw/gateway/config.hpp"
#include "output.hpp"

int main(int argc, char** argv) {
  using kgw::ctl::Args;
  using kgw::ctl::Command;
  CLI::App app{"kgwctl: talk to kraken-gatewayd"};
  app.require_subcommand(1);
  std::string addr = "unix:" + kgw::gateway::default_socket_path();
  std::string route = "auto";
  double timeout_s = 10;
  kgw::ctl::Context ctx;
  app.add_option("--addr", addr, "gateway address: unix:PATH or HOST:PORT")->capture_default_str();
  app.add_flag("--json", ctx.json, "one JSON object per message instead of tables");
  app.add_option("--route", route,
                 "reads: auto (cache, REST fallback), cache or rest; orders: auto (WebSocket, REST fallback), ws or rest")
      ->check(CLI::IsMember({"auto", "cache", "rest", "ws"}))
      ->capture_default_str();
  app.add_option("--timeout", timeout_s, "seconds to wait for an answer")->check(CLI::PositiveNumber)->capture_default_str();

  std::vector<Command> commands = kgw::ctl::market_commands();
  for (auto group : {kgw::ctl::gateway_commands, kgw::ctl::trading_commands, kgw::ctl::account_commands})
    for (auto& c : group()) commands.push_back(std::move(c));
  std::map<std::string, Args> parsed;
  std::map<std::string, std::map<std::string, bool>> flags;
  for (const Command& c : commands) {
    CLI::App* sub = app.add_subcommand(c.name, c.help);
    Args& args = parsed[c.name];
    if (!c.positional.empty()) {
      auto* p = sub->add_option(c.positional, args.positional, c.positional);
      if (c.positional_required) p->required();
    }
    for (const auto& o : c.options) {
      if (o.flag) {
        sub->add_flag("--" + o.name, flags[c.name][o.name], o.help);
      } else {
        sub->add_option_function<std::string>(
            "--" + o.name, [&args, name = o.name](const std::string& v) { args.options[name] = v; }, o.help);
      }
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a success; anything else is a usage error, exit status 2 like the commands'.
    return app.exit(e) == 0 ? 0 : 2;
  }

  ctx.route = route == "cache" || route == "ws" ? kgw::v1::READ_POLICY_CACHE_ONLY
              : route == "rest"                  ? kgw::v1::READ_POLICY_REST_ONLY
                                                 : kgw::v1::READ_POLICY_AUTO;
  ctx.order_route = route == "ws" ? kgw::v1::ROUTE_WS : route == "rest" ? kgw::v1::ROUTE_REST : kgw::v1::ROUTE_AUTO;
  ctx.route_is_cache = route == "cache";
  ctx.timeout = std::chrono::milliseconds(static_cast<std::int64_t>(timeout_s * 1000));
  ctx.channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  for (const Command& c : commands) {
    if (!app.got_subcommand(c.name)) continue;
    Args& args = parsed[c.name];
    for (const auto& [name, on] : flags[c.name])
      if (on) args.options[name] = "true";
    return c.run(ctx, args);
  }
  return kgw::ctl::usage("no command");
}
