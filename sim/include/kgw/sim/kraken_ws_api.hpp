#pragma once
// The simulator's Kraken WebSocket v2 API, for one endpoint (public `/v2` or the authenticated
// one). Public: status on connect and on change, heartbeat, ping/pong, subscribe/unsubscribe
// (one ack per symbol) for ticker (trades|bbo), book (10/25/100/500/1000, snapshot + updates
// with Kraken's CRC32, levels leaving the window dropped without deletes), trade, ohlc (every
// interval) and instrument. Private (auth endpoint, token from GetWebSocketsToken): executions,
// balances and the trading methods with req_id echo and time_in/time_out.
// Public subscribe/unsubscribe is one implementation (src/kraken_ws_subscription.cpp) shared with
// the replay's endpoint (ReplayWsApi). Transport-agnostic: connections are WsClient objects the
// server glue provides. Single-threaded.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/sim/exchange.hpp"
#include "kgw/sim/faults.hpp"
#include "kgw/sim/market_data.hpp"
#include "kgw/sim/tokens.hpp"

namespace kgw::sim {

namespace rest {
class Params;
}
namespace ws {
struct Request;
struct Subscription;
}  // namespace ws

// The public channels of Kraken's WS v2 API that the simulator serves, live or replayed.
enum class PublicChannel : std::uint8_t { book, ticker, trade, ohlc, instrument };
std::optional<PublicChannel> public_channel(std::string_view name) noexcept;

// One WebSocket connection as the API sees it.
class WsClient {
 public:
  virtual ~WsClient() = default;
  virtual std::uint64_t id() const = 0;
  // Queues a text frame; false if the connection is gone or its queue overflowed.
  virtual bool send(std::string text) = 0;
};

class KrakenWsApi final : public Exchange::Observer {
 public:
  struct Options {
    bool authenticated = false;  // the ws-auth endpoint: private channels and trading methods
    std::chrono::milliseconds heartbeat{1000};
    // Runs `fn` on this API's thread `after` from now (Faults::ws_private_delay). Empty: the
    // delay fault is not available and messages leave at once.
    std::function<void(std::chrono::microseconds after, std::function<void()> fn)> defer{};
  };

  KrakenWsApi(Exchange& ex, MarketData& md, TokenStore& tokens, Faults& faults, Options options);
  ~KrakenWsApi() override;
  KrakenWsApi(const KrakenWsApi&) = delete;
  KrakenWsApi& operator=(const KrakenWsApi&) = delete;

  void on_open(const std::shared_ptr<WsClient>& c);
  void on_message(const std::shared_ptr<WsClient>& c, std::string_view text);
  void on_close(const std::shared_ptr<WsClient>& c);
  // Sends heartbeats where due; call at least every heartbeat interval.
  void on_timer();

  std::size_t connections() const { return conns_.size(); }
  std::uint64_t messages_sent() const { return sent_; }

  // Exchange::Observer
  void on_execution(AccountId, const Execution&) override;
  void on_ledger(AccountId, const LedgerEntry&) override;
  void on_public_trade(const PublicTrade&) override;
  void on_book_changed(std::size_t pair) override;
  void on_status(SystemStatus) override;
  void on_instrument(std::size_t pair) override;

 private:
  struct Conn;
  struct BookView {
    std::vector<BookLevel> bids, asks;  // last published window, best first
  };

  Conn* find(std::uint64_t id);
  void send(Conn& c, std::string text);
  void handle(Conn& c, std::string_view text);
  void subscribe(Conn& c, const ws::Request& req, WallTime time_in);
  void subscribe_private(Conn& c, const ws::Request& req, WallTime time_in);
  // The live market's side of a public subscription (ws::subscribe does the rest).
  std::optional<std::string> refuse(const ws::Subscription& s, const std::string& symbol) const;
  void serve(Conn& c, const ws::Subscription& s, const std::string& symbol);
  std::optional<std::size_t> pair_of(std::string_view symbol) const;
  void trading_method(Conn& c, std::string_view method, const rest::Params& msg, std::optional<std::int64_t> req_id,
                      WallTime time_in);
  void send_book_snapshot(Conn& c, std::size_t pair, int depth);
  void send_executions_snapshot(Conn& c, bool orders, bool trades);
  void send_balances_snapshot(Conn& c);
  std::string execution_json(const Execution& e, const OrderRecord& r) const;
  std::string ticker_message(std::size_t pair, bool snapshot) const;
  std::string status_message(std::uint64_t connection_id) const;
  std::string instrument_message(bool snapshot, std::optional<std::size_t> only_pair = std::nullopt) const;
  std::uint32_t checksum(const BookView& v) const;

  Exchange& ex_;
  MarketData& md_;
  TokenStore& tokens_;
  Faults& faults_;
  Options opt_;
  std::map<std::uint64_t, std::unique_ptr<Conn>> conns_;
  std::map<std::pair<std::size_t, int>, BookView> books_;  // (pair, depth) -> published window
  std::vector<std::pair<std::optional<Price>, std::optional<Price>>> bbo_;  // last bid/ask per pair
  std::uint64_t next_connection_id_;
  std::uint64_t sent_ = 0;
};

}  // namespace kgw::sim
