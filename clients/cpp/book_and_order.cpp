// kgw-example-strategy: a small C++ strategy against kraken-gatewayd, using only the stubs
// generated from proto/kgw/v1. It streams the order book of a pair until it has both sides, places
// a post-only limit buy 5 % under the best bid (on the pair's tick, at the pair's ordermin), checks
// that the order rests, and cancels it. One line per step on stdout, `order_id ID` among them;
// exit status 0, or 1 with the gateway's message (and Kraken's error strings) on stderr.
//
//   kgw-example-strategy [--addr unix:PATH|HOST:PORT] [--pair BTC/USD]
//
// --addr defaults as the Python client's does: $KGW_ADDR, else the daemon's unix socket
// ($RUNTIME_DIRECTORY or $XDG_RUNTIME_DIR, then kraken-gatewayd.sock; else
// /tmp/kraken-gatewayd-<uid>.sock).

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "kgw/v1/market_data.grpc.pb.h"
#include "kgw/v1/trading.grpc.pb.h"

namespace {

using namespace kgw::v1;

// Prints a failed call as the gateway sent it: the status message carries Kraken's error[]
// strings verbatim, and the ErrorDetail in the trailer names the field at fault.
int fail(const char* what, const grpc::Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.error_message().c_str());
  RpcStatus status;
  ErrorDetail detail;
  if (status.ParseFromString(s.error_details()) && status.details_size() > 0 && status.details(0).UnpackTo(&detail)) {
    for (const auto& e : detail.kraken_errors()) std::fprintf(stderr, "  kraken: %s\n", e.c_str());
    if (!detail.field().empty()) std::fprintf(stderr, "  field: %s\n", detail.field().c_str());
  }
  return 1;
}

void deadline(grpc::ClientContext& ctx, int seconds = 10) {
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
}

// Decimal text ("62800.0") as an integer count of 10^-decimals ("628000" at 1 decimal); prices
// stay exact, as the contract asks (decimals are strings, never binary floats).
std::optional<std::int64_t> units(const std::string& text, int decimals) {
  std::int64_t whole = 0, frac = 0;
  int frac_digits = 0;
  bool dot = false;
  for (char c : text) {
    if (c == '.' && !dot) {
      dot = true;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (!dot) whole = whole * 10 + (c - '0');
    else if (frac_digits < decimals) {
      frac = frac * 10 + (c - '0');
      ++frac_digits;
    }
  }
  for (; frac_digits < decimals; ++frac_digits) frac *= 10;
  std::int64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  return whole * scale + frac;
}

std::string text_of(std::int64_t units, int decimals) {
  std::string digits = std::to_string(units);
  if (decimals == 0) return digits;
  if (static_cast<int>(digits.size()) <= decimals) digits.insert(0, decimals + 1 - digits.size(), '0');
  digits.insert(digits.size() - decimals, ".");
  return digits;
}

std::string default_address() {
  if (const char* a = std::getenv("KGW_ADDR"); a && *a) return a;
  for (const char* var : {"RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR"})
    if (const char* dir = std::getenv(var); dir && *dir) {
      std::string d(dir);
      return "unix:" + d.substr(0, d.find(':')) + "/kraken-gatewayd.sock";
    }
  return "unix:/tmp/kraken-gatewayd-" + std::to_string(::getuid()) + ".sock";
}

}  // namespace

int main(int argc, char** argv) {
  std::string addr = default_address(), pair = "BTC/USD";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if ((a == "--addr" || a == "--pair") && i + 1 < argc) (a == "--addr" ? addr : pair) = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--addr unix:PATH|HOST:PORT] [--pair PAIR]\n", argv[0]);
      return 2;
    }
  }
  auto channel = grpc::CreateChannel(addr, grpc::InsecureChannelCredentials());
  auto market = MarketData::NewStub(channel);
  auto trading = Trading::NewStub(channel);

  // The pair's rules: tick (pair_decimals) and the smallest order (ordermin).
  AssetPair rules;
  {
    grpc::ClientContext ctx;
    deadline(ctx);
    GetAssetPairsRequest req;
    req.add_pairs(pair);
    GetAssetPairsResponse resp;
    if (auto s = market->GetAssetPairs(&ctx, req, &resp); !s.ok()) return fail("GetAssetPairs", s);
    rules = resp.pairs(0);
  }

  // The book, until a message has both sides (the first one normally does).
  BookLevel best_bid, best_ask;
  {
    grpc::ClientContext ctx;
    deadline(ctx, 30);
    StreamBookRequest req;
    req.add_pairs(pair);
    req.set_depth(10);
    auto reader = market->StreamBook(&ctx, req);
    BookEvent e;
    int messages = 0;
    while (reader->Read(&e)) {
      ++messages;
      if (e.bids_size() > 0 && e.asks_size() > 0 && e.checksum_validated()) {
        best_bid = e.bids(0);
        best_ask = e.asks(0);
        std::printf("book %s: best bid %s ask %s after %d message(s), checksum %u verified\n", e.symbol().c_str(),
                    best_bid.price().c_str(), best_ask.price().c_str(), messages, e.checksum());
        ctx.TryCancel();
        break;
      }
    }
    const grpc::Status s = reader->Finish();
    if (best_bid.price().empty()) return fail("StreamBook", s.ok() ? grpc::Status(grpc::StatusCode::UNKNOWN, "no book") : s);
  }

  // A limit buy 5 % under the best bid, floored to the tick.
  const int dp = rules.pair_decimals();
  const auto bid = units(best_bid.price(), dp);
  const auto tick = units(rules.tick_size(), dp);
  if (!bid || !tick || *tick <= 0) {
    std::fprintf(stderr, "cannot read bid '%s' or tick '%s'\n", best_bid.price().c_str(), rules.tick_size().c_str());
    return 1;
  }
  const std::int64_t limit = (*bid * 95 / 100) / *tick * *tick;
  PlaceOrderRequest order;
  order.set_pair(pair);
  order.set_side(SIDE_BUY);
  order.set_order_type(ORDER_TYPE_LIMIT);
  order.set_volume(rules.ordermin());
  order.set_price(text_of(limit, dp));
  order.set_post_only(true);
  PlaceOrderResponse placed;
  {
    grpc::ClientContext ctx;
    deadline(ctx);
    if (auto s = trading->PlaceOrder(&ctx, order, &placed); !s.ok()) return fail("PlaceOrder", s);
  }
  std::printf("placed buy %s %s @ limit %s (cl_ord_id %s)\n", order.volume().c_str(), pair.c_str(), order.price().c_str(),
              placed.cl_ord_id().c_str());
  std::printf("order_id %s\n", placed.order_id().c_str());

  // It rests: the open orders (the gateway's executions cache) list it.
  {
    grpc::ClientContext ctx;
    deadline(ctx);
    QueryOrdersRequest req;
    req.add_txids(placed.order_id());
    QueryOrdersResponse resp;
    if (auto s = trading->QueryOrders(&ctx, req, &resp); !s.ok()) return fail("QueryOrders", s);
    const bool open = resp.orders_size() == 1 && resp.orders(0).status() == ORDER_STATUS_OPEN;
    std::printf("resting: %s\n", open ? "yes" : "no");
  }

  CancelOrderRequest cancel;
  cancel.set_txid(placed.order_id());
  CancelOrderResponse cancelled;
  {
    grpc::ClientContext ctx;
    deadline(ctx);
    if (auto s = trading->CancelOrder(&ctx, cancel, &cancelled); !s.ok()) return fail("CancelOrder", s);
  }
  std::printf("cancelled %d order(s)\n", cancelled.count());
  return 0;
}
