#pragma once
// Fault injection state shared by the simulator's REST, WS and admin front-ends. Each armed fault
// applies to the next N matching events and every application is counted, so reliability tests
// can assert that a fault really happened. Single-threaded (the simulator thread).

#include <chrono>
#include <cstdint>
#include <map>
#include <string>

namespace kgw::sim {

struct Faults {
  // REST: answer late (microseconds, so that Kraken's ~2.5 ms best-path round trip can be
  // modelled on loopback; the admin API takes `ms` or `us`).
  std::chrono::microseconds rest_delay{0};
  // WS, authenticated endpoint: every message it sends (order acks with their time_in/time_out,
  // executions, balances) leaves this much later, in order: exchange latency on the order path.
  std::chrono::microseconds ws_private_delay{0};
  // REST: the next N requests get this HTTP status (e.g. 502) and an HTML-ish body.
  unsigned http_status = 0;
  int http_status_count = 0;
  // REST: the next N requests get this Kraken error (EService:Unavailable, EService:Busy) without
  // being processed.
  std::string rest_error;
  int rest_error_count = 0;
  // REST/WS: the next N order-entry requests are applied, then their response is dropped (REST:
  // the connection closes; WS: no ack is sent).
  int rest_drop_response_count = 0;
  int ws_drop_response_count = 0;
  // WS: the next book message of this symbol carries a wrong checksum.
  std::map<std::string, int> corrupt_checksum;  // v2 symbol -> remaining count

  // How many times each fault fired: "rest_delay", "ws_private_delay", "http_status", "rest_error",
  // "rest_drop_response", "ws_drop_response", "corrupt_checksum", "ws_drop", "ws_stall",
  // "token_invalidate", "status", "restart".
  std::map<std::string, std::uint64_t> fired;

  // Consumes one use of a counted fault; true if it applies now.
  static bool take(int& count) {
    if (count <= 0) return false;
    --count;
    return true;
  }
  void count(const std::string& name) { ++fired[name]; }
};

}  // namespace kgw::sim
