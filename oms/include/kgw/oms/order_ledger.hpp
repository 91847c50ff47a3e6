#pragma once
// OrderLedger: every order the gateway sent (or was asked to send), by cl_ord_id, with what is
// known of its outcome. It is what makes order entry exactly-once: a request whose cl_ord_id the
// ledger already holds is answered from the ledger (the existing order, the attempt in flight, or
// "outcome unknown" while an AMBIGUOUS one is being looked up) instead of being sent twice; only
// an order known not to exist (REJECTED, or an ambiguity resolved as ABSENT) may be sent again.
// Owned by the order manager; used on its thread only (count() excepted).

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kgw/core/clock.hpp"
#include "kgw/core/error.hpp"
#include "kgw/core/kraken/orders.hpp"

namespace kgw::oms {

// Which way a request went to Kraken.
enum class EntryPath : unsigned char { ws, rest };
std::string_view to_string(EntryPath p) noexcept;

enum class EntryState : unsigned char {
  sending,    // checked and on its way: no answer yet
  accepted,   // Kraken accepted it: order_id known (and, per executions, open)
  closed,     // filled, cancelled or expired
  rejected,   // Kraken refused it: nothing was placed
  ambiguous,  // sent, outcome unknown (timeout, dropped connection, 5xx, EService:*): being looked up
  absent,     // an ambiguity resolved: the order was never placed
};
std::string_view to_string(EntryState s) noexcept;

// Whether a new attempt with this cl_ord_id may be sent.
constexpr bool may_resend(EntryState s) noexcept { return s == EntryState::rejected || s == EntryState::absent; }

struct LedgerEntry {
  std::string cl_ord_id;
  kraken::OrderRequest request;
  EntryState state = EntryState::sending;
  EntryPath path = EntryPath::ws;
  std::string order_id;            // once known
  WallTime sent_at{};              // when it left (or was about to)
  std::optional<WallTime> deadline;  // Kraken refuses it after this: bounds an ambiguity
  MonoTime changed_at{};           // created or last amended: the rate-limit penalty's age
  Error error;                     // why it was rejected, or what made it ambiguous
};

class OrderLedger {
 public:
  // At most this many finished entries are kept (oldest dropped first); unfinished ones always.
  explicit OrderLedger(std::size_t keep_finished = 10'000) : keep_finished_(keep_finished) {}

  const LedgerEntry* find(std::string_view cl_ord_id) const;
  const LedgerEntry* find_by_order_id(std::string_view order_id) const;

  // A new attempt: an entry in `sending`. Refused (errc::invalid_argument) if an entry with this
  // cl_ord_id exists that may not be resent.
  result<LedgerEntry*> begin(std::string cl_ord_id, kraken::OrderRequest request, EntryPath path, WallTime now,
                             MonoTime mono);
  // Outcomes. Unknown cl_ord_ids are ignored (returns false).
  bool accepted(std::string_view cl_ord_id, std::string order_id);
  bool rejected(std::string_view cl_ord_id, Error why);
  bool ambiguous(std::string_view cl_ord_id, Error why);
  bool absent(std::string_view cl_ord_id);
  // What Kraken's streams and lists say happened to an order (by cl_ord_id, or by order id).
  bool closed(std::string_view cl_ord_id);
  bool closed_by_order_id(std::string_view order_id);
  bool amended_by_order_id(std::string_view order_id, MonoTime mono);

  // Entries in `state` (e.g. every ambiguous one, after a reconnect).
  std::vector<const LedgerEntry*> in_state(EntryState state) const;
  std::size_t size() const noexcept { return entries_.size(); }
  // How many entries are in `state` now. The one member any thread may call (metrics).
  std::size_t count(EntryState state) const noexcept {
    return counts_[static_cast<std::size_t>(state)].load(std::memory_order_relaxed);
  }

 private:
  LedgerEntry* get(std::string_view cl_ord_id);
  void finished(const std::string& cl_ord_id);
  void set_state(LedgerEntry& e, EntryState s) noexcept;
  void forget(EntryState s) noexcept;

  // Entries per state, kept with every change so other threads can read them without the map.
  std::array<std::atomic<std::size_t>, 6> counts_{};

  std::size_t keep_finished_;
  std::map<std::string, LedgerEntry, std::less<>> entries_;
  std::map<std::string, std::string, std::less<>> by_order_id_;
  std::vector<std::string> finished_order_;  // oldest first: which finished entries to drop
  std::size_t finished_head_ = 0;
};

// A cl_ord_id for an order that has none: a random (version 4) UUID, 36 characters, which Kraken
// takes (PROTOCOL.md §3.5).
std::string make_cl_ord_id();

}  // namespace kgw::oms
