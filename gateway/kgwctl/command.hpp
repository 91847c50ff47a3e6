#pragma once
// kgwctl's commands as data: a name, its arguments and options, and what it runs. Command groups
// (market data, gateway, trading, account) each list theirs in their own file; main builds
// the command line from the lists, so CLI11 stays in kgwctl_main.cpp and a new group is one file
// plus one line there. Not thread-safe (a CLI runs one command).

#include <grpcpp/channel.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kgw/v1/common.pb.h"

namespace kgw::ctl {

// What every command gets: where the gateway is and how to print.
struct Context {
  std::shared_ptr<grpc::Channel> channel;
  bool json = false;
  v1::ReadPolicy route = v1::READ_POLICY_AUTO;  // reads: --route auto|cache|rest (ws: cache)
  v1::Route order_route = v1::ROUTE_AUTO;       // orders: --route auto|ws|rest
  bool route_is_cache = false;                  // --route cache: no order may go anywhere
  std::chrono::milliseconds timeout{10'000};
};

struct OptionSpec {
  std::string name;  // without the dashes: "depth"
  std::string help;
  bool flag = false;  // takes no value
};

// The parsed command line of one command: positionals in order, options by name.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // flags map to "true"

  bool has(const std::string& name) const { return options.count(name) != 0; }
  std::optional<std::string> get(const std::string& name) const {
    auto it = options.find(name);
    return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
};

struct Command {
  std::string name;
  std::string help;
  std::string positional;  // name of the positional arguments ("PAIR..."); empty: none
  bool positional_required = false;
  std::vector<OptionSpec> options;
  // Returns the exit code: 0 ok, 1 the gateway refused (its message printed), 2 bad usage.
  std::function<int(Context&, const Args&)> run;
};

std::vector<Command> market_commands();
std::vector<Command> gateway_commands();
std::vector<Command> trading_commands();
std::vector<Command> account_commands();
// `watch executions` (trading_commands.cpp) and `watch balances` (account_commands.cpp).
int watch_executions(Context& c, const Args& a, const std::vector<std::string>& pairs, std::int64_t count);
int watch_balances(Context& c, const Args& a, std::int64_t count);

}  // namespace kgw::ctl
