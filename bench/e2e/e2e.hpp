#pragma once
// The end-to-end bench (kgw-bench-e2e): what a strategy pays to reach Kraken through
// kraken-gatewayd, beside the gRPC floor and the baseline users would otherwise pick, in one
// run on one machine. Each step is a function filling rows; e2e_main.cpp runs them in order and
// writes the report. The daemon, the echo server and kraken-sim run as child processes on
// loopback with ephemeral ports (tests/support/kgw_process.hpp), and every wait is bounded.

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "kgw/v1/account.grpc.pb.h"
#include "kgw/v1/gateway.grpc.pb.h"
#include "kgw/v1/market_data.grpc.pb.h"
#include "kgw/v1/trading.grpc.pb.h"
#include "kgw_process.hpp"
#include "latency.hpp"

namespace kgw::bench {

struct Options {
  bool quick = false;           // a smoke test: a few samples per row, seconds in all
  bool ccxt = true;             // false: the ccxt rows say "skipped: --no-ccxt"
  bool whole_exchange = true;   // false: no row 7
  std::string out_json;         // where e2e.json goes
  std::string work_dir;         // sockets, configs, logs of this run (removed at the end)
  std::string node_dir;         // npm's ccxt is installed here (in the build tree)
  std::string gatewayd, echo_server, sim;  // executables
  std::string compare_gatewayd;  // --compare-gatewayd: another build whose order path is measured beside
  int busy_poll_cpu = -1;        // the busy-poll mode's trading.cpu (-1: not pinned); main sets the last CPU
  std::string leash;            // kgw-bench-leash: every child is started through it
  std::string ccxt_script;      // bench/e2e/ccxt_client.cjs
  std::string echo_tcp, echo_unix;  // the running echo server (the floor), once started

  // Sample counts: the default run, or the quick one.
  std::size_t n(std::size_t full, std::size_t quick_n) const { return quick ? quick_n : full; }
};

// Everything a run collects.
struct Report {
  std::vector<Row> rows;
  std::map<std::string, double> ratios;      // "GetTicker/echo p50 (tcp)" -> 1.3
  std::map<std::string, double> footprint;   // "rss_mib_20_pairs_depth_100" -> 41.2
  std::vector<std::string> notes;            // lines printed under the table
  double load_before = 0, load_after = 0;    // 1-minute load average

  const Row* find(const std::string& name, const std::string& transport) const {
    for (const auto& r : rows)
      if (r.name == name && r.transport == transport && !r.skipped) return &r;
    return nullptr;
  }
};

// A running kraken-gatewayd --sim with its channels. The config is written to the work dir;
// `exe` is another kraken-gatewayd to run (default: the one built with the bench).
class Daemon {
 public:
  Daemon(const Options& o, const std::string& name, const std::string& config_toml, const std::string& exe = {});
  ~Daemon() = default;
  bool ready() const { return proc_ && proc_->ready(); }
  test::ChildProcess& process() { return *proc_; }
  std::chrono::microseconds start_to_ready() const { return start_to_ready_; }
  const std::string& tcp() const { return tcp_; }    // "127.0.0.1:PORT"
  const std::string& unix_addr() const { return unix_; }  // "unix:PATH"
  const std::string& admin() const { return admin_; }  // "http://127.0.0.1:PORT"
  std::shared_ptr<grpc::Channel> channel(bool unix_socket, int id = 0) const;
  // Until every streamed pair's book and ticker are live in the cache (bounded).
  bool wait_for_feed(std::chrono::milliseconds limit);
  // Until the order manager's account cache answers (bounded).
  bool wait_for_trading(std::chrono::milliseconds limit);
  // A POST to the embedded simulator's admin API; the HTTP status (0: no answer).
  unsigned admin_post(const std::string& target) const;

 private:
  std::unique_ptr<test::ChildProcess> proc_;
  std::chrono::microseconds start_to_ready_{0};
  std::string tcp_, unix_, admin_;
};

// argv for a child of the harness: through kgw-bench-leash, so it stops if the harness dies.
std::vector<std::string> leashed(const Options& o, std::vector<std::string> argv);

// A channel of its own (own subchannel, own TCP connection), like a separate strategy process.
std::shared_ptr<grpc::Channel> own_channel(const std::string& target, int id);

// The config every daemon of the bench starts from; `extra` is appended, `pairs`/`depth` set
// the streamed pairs and the book depth.
std::string daemon_config(const Options& o, const std::string& name, const std::vector<std::string>& sim_pairs,
                          const std::vector<std::string>& feed_pairs, int depth);

// The simulator's whole catalogue (kraken-sim --pairs, README) and the default five.
const std::vector<std::string>& catalogue_pairs();
const std::vector<std::string>& default_pairs();

// Rows 1-3 and the gateway side of row 5: the echo floor, cached reads, the order path (with and
// without injected exchange latency).
void run_unary_rows(const Options& o, Daemon& d, Report& report);
// Row 3: PlaceOrder + CancelOrder; `label` tags the rows ("" or " @2.5ms").
void run_order_rows(const Options& o, Daemon& d, Report& report, const std::string& label, std::size_t count, double rate);
// Row 3 beside itself: the order rows on a fresh daemon per mode, one after the other (default,
// [trading] busy_poll with the oms thread pinned, and --compare-gatewayd's build if given).
void run_order_mode_rows(const Options& o, Report& report, std::size_t count, double rate);
// Row 4: StreamBook fan-out and the slow client.
void run_stream_rows(const Options& o, Daemon& d, Report& report);
// Row 5: ccxt against a kraken-sim of its own, instant and with 2.5 ms injected.
void run_ccxt_rows(const Options& o, Report& report);
// The echo floor's row at `rate` ("echo (floor)" + label).
Row echo_row(const Options& o, bool uds, std::size_t warm, std::size_t count, double rate, const std::string& label);
// Row 5, the gateway side: the cached read with 2.5 ms injected (set by the caller).
void run_cached_read_under_latency(const Options& o, Daemon& d, Report& report);
// Row 6: RSS with 20 pairs at depth 100, start to ready.
void run_footprint_rows(const Options& o, Report& report);

// Row 7: ~1,500 pairs on one daemon against kraken-sim --synthetic-pairs.
void run_whole_exchange_rows(const Options& o, Report& report);

// The 1-minute load average now.
double load_average();

}  // namespace kgw::bench
