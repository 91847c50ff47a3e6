#pragma once
// OrderEntry: the write half of the order manager. Each request is checked (pre-trade rules, the
// kill switch), charged on the pair's trading counter with the penalties only the order manager
// can know (the order's age), and sent once, on one path: over the private WebSocket when the
// session is authenticated and WS v2 can say the request, else over REST. A WS request is
// correlated with its reply by req_id and has a deadline of its own; no reply, a dropped session,
// a 5xx or an EService:* answer leave an order AMBIGUOUS, and it is looked up by cl_ord_id
// (executions, then OpenOrders/ClosedOrders once its Kraken deadline has passed) before anything
// may be sent again. The ledger makes a retry with the same cl_ord_id return the existing order.
//
// Runs on the order manager's executor: every member, and every hook, is called there.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/instrument.hpp"
#include "kgw/core/kraken/orders.hpp"
#include "kgw/core/kraken/rest_service.hpp"
#include "kgw/core/kraken/ws_requests.hpp"
#include "kgw/oms/order_ledger.hpp"
#include "kgw/oms/pre_trade.hpp"

namespace kgw::oms {

// The caller's choice of path for order entry (the gRPC contract's route).
enum class Route : unsigned char { automatic, ws_only, rest_only };

struct OrderEntryOptions {
  // A WS request without a reply this long is AMBIGUOUS.
  std::chrono::milliseconds reply_timeout{5'000};
  // Every new order without a deadline gets one this far ahead (Kraken's own default is 5 s):
  // after it, Kraken refuses the order, so an ambiguity is resolved by looking it up then.
  std::chrono::milliseconds default_deadline{5'000};
  // After the deadline, how long until OpenOrders/ClosedOrders must show an order that exists.
  std::chrono::milliseconds lookup_grace{2'000};
  // How long order entry may wait for the trading counter before failing with rate_limited.
  std::chrono::milliseconds max_rate_wait{2'000};
  PreTradeLimits limits;
};

// An order Kraken's streams or lists know (the account view's answer to a lookup).
struct KnownOrder {
  std::string order_id, cl_ord_id;
  std::string pair;  // REST key
  bool open = false;
  MonoTime changed_at{};  // created or last amended, for the rate-limit penalty
};

// The answer to a place / batch entry.
struct PlacedOrder {
  std::string cl_ord_id;               // the caller's or the one generated
  std::vector<std::string> order_ids;  // Kraken's txid(s); empty for validate-only
  EntryPath path = EntryPath::ws;
  std::optional<WallTime> time_in, time_out;  // Kraken's, on the WS path
  std::vector<std::string> warnings;
  std::string descr_order, descr_close;  // REST's description
  bool existing = false;  // a retry: the order placed earlier with this cl_ord_id, nothing sent
  bool validated = false; // validate only: checked by Kraken, not placed
  // Kraken's part of the wait: from the request handed to the private WebSocket's writer (which
  // writes it next, on this thread) to its reply read off the socket; on REST, the REST call as
  // the order manager awaits it. What the gateway itself spends is everything else. 0: nothing sent.
  std::chrono::nanoseconds upstream{0};
};

struct EntryAck {  // amend, edit, cancel, cancel all, dead-man
  EntryPath path = EntryPath::ws;
  std::optional<WallTime> time_in, time_out;
  std::string amend_id;                        // amend
  std::string order_id, original_order_id;     // edit: the new order and the one it replaced
  std::int64_t count = 0;                      // cancels
  bool pending = false;                        // REST cancels: Kraken's `pending`
  std::string current_time, trigger_time;      // dead-man
  std::vector<std::string> warnings;
};

// One order of a batch: placed, or Kraken's error for that order only.
struct BatchEntry {
  std::string cl_ord_id;
  std::string order_id;
  std::optional<std::string> error;
};
struct BatchResult {
  EntryPath path = EntryPath::ws;
  std::optional<WallTime> time_in, time_out;
  std::vector<BatchEntry> orders;  // in request order
};

class OrderEntry {
 public:
  struct Hooks {
    std::function<bool()> ws_ready;                            // the private session is authenticated
    std::function<bool(std::string_view frame)> ws_send;       // queued on it (false: not sent)
    std::function<std::int64_t()> next_req_id;
    std::function<std::string()> ws_token;                     // the session's token
    std::function<void()> ws_token_refused;                    // Kraken refused it: renew the session
    std::function<kraken::SystemStatus()> system_status;
    std::function<std::optional<Decimal>(const Instrument&)> reference_price;
    std::function<std::size_t()> open_orders;
    std::function<std::optional<KnownOrder>(std::string_view cl_ord_id)> find_by_cl_ord_id;
    std::function<std::optional<KnownOrder>(std::string_view order_id)> find_by_order_id;
    std::function<bool()> kill_switch_engaged;
  };

  OrderEntry(boost::asio::any_io_executor ex, OrderEntryOptions options, kraken::KrakenRestService& rest,
             const InstrumentRegistry& registry, const Clock& clock, Hooks hooks);
  ~OrderEntry();
  OrderEntry(const OrderEntry&) = delete;
  OrderEntry& operator=(const OrderEntry&) = delete;

  boost::asio::awaitable<result<PlacedOrder>> place(kraken::OrderRequest o, Route route);
  boost::asio::awaitable<result<EntryAck>> amend(kraken::AmendRequest a, Route route);
  boost::asio::awaitable<result<EntryAck>> edit(kraken::EditRequest e, Route route);
  // One id: cancel_order / CancelOrder; several: batch_cancel / CancelOrderBatch.
  boost::asio::awaitable<result<EntryAck>> cancel(kraken::CancelRequest c, Route route);
  boost::asio::awaitable<result<EntryAck>> cancel_all(Route route);
  boost::asio::awaitable<result<EntryAck>> cancel_all_after(int timeout_s, Route route);
  boost::asio::awaitable<result<BatchResult>> batch_add(std::string pair, std::vector<kraken::OrderRequest> orders,
                                                        bool validate, std::optional<std::string> deadline, Route route);

  // Ends every wait at once (WS replies, lookups' pauses): for shutdown. Lookups in progress stop
  // where they are; their orders stay AMBIGUOUS in the ledger.
  void stop();

  // From the private session: a method reply, and the session's end (pending WS requests then
  // have an unknown outcome).
  // `received`: when the frame was read off the socket (the upstream round trip ends there).
  void on_reply(const kraken::MethodReply& r, MonoTime received);
  void on_session_lost();
  // From the executions stream or a REST reconciliation: Kraken knows this order (open, or closed
  // when `closed`); an ambiguous attempt is resolved at once.
  void on_order_seen(std::string_view cl_ord_id, std::string_view order_id, bool closed);
  void on_order_amended(std::string_view order_id);

  const OrderLedger& ledger() const noexcept { return ledger_; }
  // Counters written on the oms thread, read from any (a tool's status line, metrics).
  struct Stats {
    std::atomic<std::uint64_t> ws_sent{0}, rest_sent{0}, fallbacks{0}, ambiguous{0}, resolved_placed{0}, resolved_absent{0},
        refused_locally{0};
  };
  const Stats& stats() const noexcept { return stats_; }

 private:
  struct Waiter;
  struct OwnedReply {
    std::string method, error, result;
    bool success = false;
    std::optional<WallTime> time_in, time_out;
    std::vector<std::string> warnings;
    std::chrono::nanoseconds round_trip{0};  // handed to the writer -> read off the socket
  };

  // Sends one WS request and waits for its reply: the reply, or errc::timeout /
  // errc::connection_closed (both: outcome unknown once sent).
  boost::asio::awaitable<result<OwnedReply>> ws_request(std::string frame, std::int64_t req_id);
  template <class T>
  boost::asio::awaitable<result<EntryAck>> send_change(EntryPath path, Route route, std::string frame,
                                                       std::int64_t req_id, std::string what,
                                                       std::function<result<EntryAck>(const OwnedReply&)> from_ws,
                                                       kraken::KrakenRestService::Call<T> rest,
                                                       std::function<EntryAck(const T&)> from_rest);
  // A WS attempt Kraken never acted on (it was not sent, or its token was refused) goes over REST
  // instead when the route allows it.
  static bool falls_back(const result<OwnedReply>& reply, Route route);
  // Which path a request takes; nullopt with an error when the route cannot be served.
  result<EntryPath> choose(Route route, const result<std::string>& ws_frame);
  result<const Instrument*> instrument(std::string_view pair, std::string_view field) const;
  PreTradeContext context(const Instrument* in) const;
  boost::asio::awaitable<result<void>> charge(const std::string& pair_key, kraken::TradingAction action,
                                              std::chrono::nanoseconds age, std::size_t count);
  std::chrono::nanoseconds age_of(std::string_view order_id_or_cl_ord_id) const;
  Error from_reply(const OwnedReply& r, std::string_view what) const;
  // Looks an ambiguous order up until it is found or known absent.
  boost::asio::awaitable<void> resolve(std::string cl_ord_id);
  // A pause that stop() ends early.
  boost::asio::awaitable<void> pause(std::chrono::nanoseconds d);
  result<PlacedOrder> answer_existing(const LedgerEntry& e) const;

  boost::asio::any_io_executor ex_;
  OrderEntryOptions opt_;
  kraken::KrakenRestService& rest_;
  const InstrumentRegistry& registry_;
  const Clock& clock_;
  Hooks hooks_;
  OrderLedger ledger_;
  std::map<std::int64_t, std::shared_ptr<Waiter>> waiting_;  // by req_id
  std::map<std::string, bool, std::less<>> resolving_;       // cl_ord_ids being looked up
  Stats stats_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  bool stopping_ = false;
  boost::asio::steady_timer stop_signal_;  // set in the past by stop(): ends every pause
};

}  // namespace kgw::oms
