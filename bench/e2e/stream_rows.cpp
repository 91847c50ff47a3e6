// Row 4: StreamBook fan-out. N clients, each on a channel (and connection) of its own like
// separate strategy processes, stream the five default pairs' books at depth 10 while the
// simulator's synthetic flow runs at its fixed rates (SyntheticFlow defaults: 1 taker order and
// 2 maker refreshes a second per pair, plus the ladder's replenishment). Latency is tick to
// client: the book message's exchange timestamp (Kraken's v2 `timestamp`, stamped by kraken-sim
// when it built the message; same machine, same clock) to the client's receipt. Then 16 clients
// beside one that reads a message every 200 ms: FULL mode conflates, so the slow one gets the
// latest book and the others must not notice.

#include <fmt/format.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "e2e.hpp"

namespace kgw::bench {
namespace {

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct FanOut {
  std::vector<double> us;   // every fast client's samples
  // The same samples split by the event's ReadMeta: exchange -> gateway receive (kraken-sim's
  // send, WS, the feed's parse and apply), receive -> served (cache, the stream's poll, building
  // the event), served -> client (gRPC write, transport, client read).
  std::vector<double> upstream, in_gateway, delivery;
  std::size_t messages = 0; // fast clients' messages, warm-up included
  std::size_t slow_messages = 0;
  std::size_t failures = 0; // streams that ended before they were cancelled
  double seconds = 0;
};

FanOut fan_out(Daemon& d, int clients, bool with_slow, std::chrono::milliseconds warmup, std::chrono::milliseconds measure) {
  FanOut out;
  std::mutex mu;
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  for (int i = 0; i < clients + (with_slow ? 1 : 0); ++i) contexts.push_back(std::make_unique<grpc::ClientContext>());
  const auto t0 = Clock::now();
  const std::int64_t measure_from = wall_ns() + std::chrono::duration_cast<std::chrono::nanoseconds>(warmup).count();
  std::vector<std::thread> threads;
  for (int i = 0; i < static_cast<int>(contexts.size()); ++i) {
    const bool slow = with_slow && i == clients;
    threads.emplace_back([&, i, slow] {
      auto stub = v1::MarketData::NewStub(d.channel(false, 100 + i));
      v1::StreamBookRequest req;
      for (const auto& p : default_pairs()) req.add_pairs(p);
      req.set_depth(10);
      auto reader = stub->StreamBook(contexts[i].get(), req);
      std::vector<double> mine, up, in, del;
      mine.reserve(1 << 16);
      std::size_t n = 0;
      v1::BookEvent ev;
      while (reader->Read(&ev)) {
        const std::int64_t now = wall_ns();
        ++n;
        if (slow) {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          continue;
        }
        const std::int64_t ex = ev.meta().exchange_time_ns();
        if (now >= measure_from && ex > 0) {
          const auto& m = ev.meta();
          mine.push_back(static_cast<double>(now - ex) / 1e3);
          up.push_back(static_cast<double>(m.receive_time_ns() - ex) / 1e3);
          in.push_back(static_cast<double>(m.served_time_ns() - m.receive_time_ns()) / 1e3);
          del.push_back(static_cast<double>(now - m.served_time_ns()) / 1e3);
        }
      }
      const auto st = reader->Finish();
      std::lock_guard lock(mu);
      if (st.error_code() != grpc::StatusCode::CANCELLED) ++out.failures;
      if (slow) {
        out.slow_messages = n;
        return;
      }
      out.messages += n;
      out.us.insert(out.us.end(), mine.begin(), mine.end());
      out.upstream.insert(out.upstream.end(), up.begin(), up.end());
      out.in_gateway.insert(out.in_gateway.end(), in.begin(), in.end());
      out.delivery.insert(out.delivery.end(), del.begin(), del.end());
    });
  }
  std::this_thread::sleep_for(warmup + measure);
  for (auto& c : contexts) c->TryCancel();
  for (auto& t : threads) t.join();
  out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return out;
}

}  // namespace

void run_stream_rows(const Options& o, Daemon& d, Report& report) {
  const auto warmup = std::chrono::milliseconds(o.quick ? 300 : 1000);
  const auto measure = std::chrono::milliseconds(o.quick ? 1000 : 6000);
  auto row = [&](const std::string& name, int clients, const FanOut& f, std::string extra) {
    const double per_client = clients > 0 ? static_cast<double>(f.messages) / clients / f.seconds : 0;
    report.rows.push_back(summarize(name, "tcp", f.us, f.failures,
                                    fmt::format("{} clients x 5 pairs, {:.0f} book msgs/s per client{}", clients, per_client, extra)));
  };
  for (const int n : {1, 16, 64}) {
    const FanOut f = fan_out(d, n, false, warmup, measure);
    row(fmt::format("StreamBook tick-to-client x{}", n), n, f, "");
    if (n == 16) continue;
    report.rows.push_back(summarize(fmt::format("  x{}: exchange -> gateway receive", n), "ws", f.upstream));
    report.rows.push_back(summarize(fmt::format("  x{}: receive -> served (cache, poll, build)", n), "in-process", f.in_gateway));
    report.rows.push_back(summarize(fmt::format("  x{}: served -> client", n), "tcp", f.delivery));
  }
  const long rss_before = d.process().rss_kib();
  const FanOut slow = fan_out(d, 16, true, warmup, measure);
  const long rss_after = d.process().rss_kib();
  row("StreamBook x16 beside 1 slow client", 16, slow,
      fmt::format("; the slow one read {} msgs (one per 200 ms); daemon RSS {:.1f} -> {:.1f} MiB", slow.slow_messages,
                  rss_before / 1024.0, rss_after / 1024.0));
}

}  // namespace kgw::bench
