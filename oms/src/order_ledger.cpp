#include "kgw/oms/order_ledger.hpp"

#include <fmt/format.h>

#include <random>

namespace kgw::oms {

std::string_view to_string(EntryPath p) noexcept { return p == EntryPath::ws ? "ws" : "rest"; }

std::string_view to_string(EntryState s) noexcept {
  switch (s) {
    case EntryState::sending: return "sending";
    case EntryState::accepted: return "accepted";
    case EntryState::closed: return "closed";
    case EntryState::rejected: return "rejected";
    case EntryState::ambiguous: return "ambiguous";
    case EntryState::absent: return "absent";
  }
  return "sending";
}

const LedgerEntry* OrderLedger::find(std::string_view cl_ord_id) const {
  auto it = entries_.find(cl_ord_id);
  return it == entries_.end() ? nullptr : &it->second;
}

const LedgerEntry* OrderLedger::find_by_order_id(std::string_view order_id) const {
  auto it = by_order_id_.find(order_id);
  return it == by_order_id_.end() ? nullptr : find(it->second);
}

LedgerEntry* OrderLedger::get(std::string_view cl_ord_id) {
  auto it = entries_.find(cl_ord_id);
  return it == entries_.end() ? nullptr : &it->second;
}

result<LedgerEntry*> OrderLedger::begin(std::string cl_ord_id, kraken::OrderRequest request, EntryPath path, WallTime now,
                                        MonoTime mono) {
  if (const LedgerEntry* e = find(cl_ord_id); e && !may_resend(e->state))
    return Error(errc::invalid_argument, fmt::format("cl_ord_id: '{}' is already {}", cl_ord_id, to_string(e->state)));
  auto [it, fresh] = entries_.try_emplace(cl_ord_id);
  LedgerEntry& e = it->second;
  if (!fresh) forget(e.state);  // a resend replaces the attempt known not to exist
  if (!e.order_id.empty()) by_order_id_.erase(e.order_id);
  e = LedgerEntry{};
  counts_[static_cast<std::size_t>(EntryState::sending)].fetch_add(1, std::memory_order_relaxed);
  e.cl_ord_id = std::move(cl_ord_id);
  e.request = std::move(request);
  e.path = path;
  e.sent_at = now;
  e.changed_at = mono;
  if (e.request.deadline)
    if (auto d = parse_rfc3339(*e.request.deadline)) e.deadline = *d;
  return &e;
}

bool OrderLedger::accepted(std::string_view cl_ord_id, std::string order_id) {
  LedgerEntry* e = get(cl_ord_id);
  if (!e) return false;
  // A late acceptance never reopens what the streams already saw closed.
  if (e->state != EntryState::closed) set_state(*e, EntryState::accepted);
  if (!order_id.empty() && e->order_id != order_id) {
    e->order_id = std::move(order_id);
    by_order_id_[e->order_id] = e->cl_ord_id;
  }
  return true;
}

bool OrderLedger::rejected(std::string_view cl_ord_id, Error why) {
  LedgerEntry* e = get(cl_ord_id);
  if (!e) return false;
  set_state(*e, EntryState::rejected);
  e->error = std::move(why);
  finished(e->cl_ord_id);
  return true;
}

bool OrderLedger::ambiguous(std::string_view cl_ord_id, Error why) {
  LedgerEntry* e = get(cl_ord_id);
  if (!e || e->state != EntryState::sending) return false;  // the streams may already have answered
  set_state(*e, EntryState::ambiguous);
  e->error = std::move(why);
  return true;
}

bool OrderLedger::absent(std::string_view cl_ord_id) {
  LedgerEntry* e = get(cl_ord_id);
  if (!e || e->state != EntryState::ambiguous) return false;
  set_state(*e, EntryState::absent);
  finished(e->cl_ord_id);
  return true;
}

bool OrderLedger::closed(std::string_view cl_ord_id) {
  LedgerEntry* e = get(cl_ord_id);
  if (!e) return false;
  set_state(*e, EntryState::closed);
  finished(e->cl_ord_id);
  return true;
}

bool OrderLedger::closed_by_order_id(std::string_view order_id) {
  auto it = by_order_id_.find(order_id);
  return it != by_order_id_.end() && closed(std::string(it->second));
}

bool OrderLedger::amended_by_order_id(std::string_view order_id, MonoTime mono) {
  auto it = by_order_id_.find(order_id);
  if (it == by_order_id_.end()) return false;
  if (LedgerEntry* e = get(it->second)) e->changed_at = mono;
  return true;
}

void OrderLedger::set_state(LedgerEntry& e, EntryState s) noexcept {
  if (e.state == s) return;
  forget(e.state);
  e.state = s;
  counts_[static_cast<std::size_t>(s)].fetch_add(1, std::memory_order_relaxed);
}

void OrderLedger::forget(EntryState s) noexcept { counts_[static_cast<std::size_t>(s)].fetch_sub(1, std::memory_order_relaxed); }

std::vector<const LedgerEntry*> OrderLedger::in_state(EntryState state) const {
  std::vector<const LedgerEntry*> out;
  for (const auto& [id, e] : entries_)
    if (e.state == state) out.push_back(&e);
  return out;
}

// Finished entries are kept for retries with the same cl_ord_id (they get the existing order),
// up to keep_finished_; the oldest go first, unless they were reused since.
void OrderLedger::finished(const std::string& cl_ord_id) {
  finished_order_.push_back(cl_ord_id);
  while (finished_order_.size() - finished_head_ > keep_finished_) {
    const std::string& old = finished_order_[finished_head_++];
    if (auto it = entries_.find(old); it != entries_.end()) {
      const EntryState s = it->second.state;
      const bool done = s == EntryState::closed || s == EntryState::rejected || s == EntryState::absent;
      if (done) {
        if (!it->second.order_id.empty()) by_order_id_.erase(it->second.order_id);
        forget(s);
        entries_.erase(it);
      }
    }
  }
  if (finished_head_ > 4096 && finished_head_ * 2 > finished_order_.size()) {
    finished_order_.erase(finished_order_.begin(), finished_order_.begin() + static_cast<std::ptrdiff_t>(finished_head_));
    finished_head_ = 0;
  }
}

std::string make_cl_ord_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t hi = rng(), lo = rng();
  // Version 4 (random), variant 10xx.
  const std::uint64_t h = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  const std::uint64_t l = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", h >> 32, (h >> 16) & 0xFFFF, h & 0xFFFF, l >> 48,
                     l & 0xFFFFFFFFFFFFULL);
}

}  // namespace kgw::oms
