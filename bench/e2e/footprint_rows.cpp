// Row 6: the daemon's footprint. Start to `ready` (spawn to the interface line, which the daemon
// prints once the gRPC server, the feed and the embedded simulator are up), with the default
// five pairs and with 20 pairs at depth 100; then the resident set with those 20 books synced
// (Kraken depth-100 subscriptions) and streamed to a client at depth 25, the deepest the
// gateway's cached book slots serve.

#include <fmt/format.h>

#include <thread>

#include "e2e.hpp"

namespace kgw::bench {

void run_footprint_rows(const Options& o, Report& report) {
  const std::vector<std::string> twenty(catalogue_pairs().begin(), catalogue_pairs().begin() + 20);
  const std::size_t starts = o.n(3, 1);
  std::vector<double> default_start, big_start;
  for (std::size_t i = 0; i < starts; ++i) {
    Daemon d(o, "footprint-default", daemon_config(o, "footprint-default", default_pairs(), default_pairs(), 10));
    if (d.ready()) default_start.push_back(static_cast<double>(d.start_to_ready().count()));
  }
  long rss_kib = 0;
  for (std::size_t i = 0; i < starts; ++i) {
    Daemon d(o, "footprint-20x100", daemon_config(o, "footprint-20x100", twenty, twenty, 100));
    if (!d.ready()) continue;
    big_start.push_back(static_cast<double>(d.start_to_ready().count()));
    if (i + 1 < starts) continue;
    // The last start: every book synced, one client streaming all 20 at depth 100, then RSS.
    const bool synced = d.wait_for_feed(std::chrono::seconds(30));
    auto stub = v1::MarketData::NewStub(d.channel(false, 50));
    grpc::ClientContext ctx;
    v1::StreamBookRequest req;
    for (const auto& p : twenty) req.add_pairs(p);
    req.set_depth(25);  // the deepest the gateway's cache slots serve; the feed holds all 100
    std::size_t messages = 0;
    grpc::Status ended;
    std::thread reader([&] {
      auto r = stub->StreamBook(&ctx, req);
      v1::BookEvent ev;
      while (r->Read(&ev)) ++messages;
      ended = r->Finish();
    });
    std::this_thread::sleep_for(std::chrono::seconds(o.quick ? 1 : 3));
    rss_kib = d.process().rss_kib();
    ctx.TryCancel();
    reader.join();
    report.footprint["rss_mib_20_pairs_depth_100"] = rss_kib / 1024.0;
    report.notes.push_back(fmt::format("RSS with 20 pairs subscribed at depth 100 ({}synced, one client streaming them at depth 25: {} msgs{}): {:.1f} MiB",
                                       synced ? "" : "NOT all ", messages,
                                       ended.error_code() == grpc::StatusCode::CANCELLED ? "" : ", stream ended: " + ended.error_message(),
                                       rss_kib / 1024.0));
  }
  report.rows.push_back(summarize("start to ready, 5 pairs depth 10", "process", default_start, starts - default_start.size()));
  report.rows.push_back(summarize("start to ready, 20 pairs depth 100", "process", big_start, starts - big_start.size()));
}

}  // namespace kgw::bench
