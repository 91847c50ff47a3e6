// OrderEntry on its own, with an injected clock and the private session played by its hooks:
// what PlacedOrder says about where the time went.

#include "kgw/oms/order_entry.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <optional>

#include "kgw/sim/default_market.hpp"

namespace kgw::oms {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

TEST(OrderEntry, TheUpstreamRoundTripRunsFromTheFrameHandedToTheSocketToTheReplyReadAndNoLonger) {
  InstrumentRegistry registry;
  ASSERT_TRUE(registry.load(sim::default_assets(), sim::default_instruments()));
  ManualClock clock;
  // The REST service only hosts the trading counter here: nothing is sent over it.
  kraken::RestTransportOptions ro;
  ro.http.base_url = "http://127.0.0.1:9";
  ro.governor.tier = kraken::Tier::pro;
  auto rest = kraken::KrakenRestService::start(ro, clock);
  ASSERT_TRUE(rest) << rest.error().message();
  asio::io_context io;
  OrderEntry* entry = nullptr;
  std::int64_t req_id = 0;
  OrderEntry::Hooks hooks;
  hooks.ws_ready = [] { return true; };
  hooks.ws_token = [] { return std::string("token"); };
  hooks.next_req_id = [&] { return ++req_id; };
  // The gateway's own work before the send (its checks read the reference price): 3 ms.
  hooks.reference_price = [&](const Instrument&) -> std::optional<Decimal> {
    clock.advance(3ms);
    return std::nullopt;
  };
  hooks.ws_send = [&](std::string_view) {
    // Kraken answers 7 ms after the frame is handed over; reading the rest of the reply and
    // answering the caller take another 2 ms, which are the gateway's again.
    asio::post(io, [&, id = req_id] {
      clock.advance(7ms);
      kraken::MethodReply r;
      r.method = "add_order";
      r.success = true;
      r.req_id = id;
      r.result = R"({"order_id":"OABCDE-FGHIJ-KLMNOP"})";
      entry->on_reply(r, clock.mono_now());
      clock.advance(2ms);
    });
    return true;
  };
  OrderEntry e(io.get_executor(), OrderEntryOptions{}, **rest, registry, clock, hooks);
  entry = &e;
  kraken::OrderRequest o;
  o.pair = "BTC/USD";
  o.side = kraken::Side::buy;
  o.type = kraken::OrderType::limit;
  o.volume = "0.001";
  o.price = "30000.0";
  std::optional<result<PlacedOrder>> placed;
  asio::co_spawn(io, e.place(o, Route::automatic), [&](std::exception_ptr ex, result<PlacedOrder> r) {
    ASSERT_FALSE(ex);
    placed = std::move(r);
  });
  io.run();
  ASSERT_TRUE(placed);
  ASSERT_TRUE(*placed) << placed->error().message();
  EXPECT_EQ((*placed)->path, EntryPath::ws);
  EXPECT_EQ((*placed)->upstream, 7ms);

  // A retry with the same cl_ord_id sends nothing: no upstream time at all.
  o.cl_ord_id = (*placed)->cl_ord_id;
  placed.reset();
  io.restart();
  asio::co_spawn(io, e.place(o, Route::automatic), [&](std::exception_ptr, result<PlacedOrder> r) { placed = std::move(r); });
  io.run();
  ASSERT_TRUE(placed && *placed);
  EXPECT_TRUE((*placed)->existing);
  EXPECT_EQ((*placed)->upstream, 0ns);
}

}  // namespace
}  // namespace kgw::oms
