#include "kgw/oms/account_types.hpp"

#include <algorithm>

namespace kgw::oms {
namespace {

using Index = std::vector<std::pair<std::string_view, std::uint32_t>>;  // name, position

std::optional<std::uint32_t> lookup(const Index& index, std::string_view key) {
  auto it = std::lower_bound(index.begin(), index.end(), key, [](const auto& e, std::string_view k) { return e.first < k; });
  if (it == index.end() || it->first != key) return std::nullopt;
  return it->second;
}

void sort(Index& index) {
  std::sort(index.begin(), index.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

}  // namespace

const OpenOrders::Change* OpenOrders::change_of(std::string_view order_id) const noexcept {
  auto it = std::lower_bound(changes_.begin(), changes_.end(), order_id,
                             [](const Change& c, std::string_view id) { return c.order->order_id < id; });
  return it != changes_.end() && it->order->order_id == order_id ? &*it : nullptr;
}

OpenOrders::Ptr OpenOrders::find(std::string_view order_id) const {
  if (const Change* c = change_of(order_id)) return c->removed ? nullptr : c->order;
  const auto& v = base_->by_id;
  auto it = std::lower_bound(v.begin(), v.end(), order_id, [](const Ptr& o, std::string_view id) { return o->order_id < id; });
  return it != v.end() && (*it)->order_id == order_id ? *it : nullptr;
}

OpenOrders::Ptr OpenOrders::find_by_cl_ord_id(std::string_view cl_ord_id) const {
  if (cl_ord_id.empty()) return nullptr;
  for (const Change& c : changes_)
    if (!c.removed && c.order->cl_ord_id == cl_ord_id) return c.order;
  const auto& v = base_->by_cl_ord_id;
  auto it = std::lower_bound(v.begin(), v.end(), cl_ord_id, [](const auto& e, std::string_view k) { return e.first < k; });
  if (it == v.end() || it->first != cl_ord_id) return nullptr;
  // A base order changed since has a newer state (found above if it kept this cl_ord_id).
  if (change_of(it->second->order_id)) return nullptr;
  return find(it->second->order_id);
}

std::vector<OpenOrders::Ptr> OpenOrders::list() const {
  std::vector<Ptr> out;
  out.reserve(size_);
  const auto& base = base_->by_id;
  auto b = base.begin();
  for (const Change& c : changes_) {
    for (; b != base.end() && (*b)->order_id < c.order->order_id; ++b) out.push_back(*b);
    if (b != base.end() && (*b)->order_id == c.order->order_id) ++b;  // superseded
    if (!c.removed) out.push_back(c.order);
  }
  out.insert(out.end(), b, base.end());
  return out;
}

Balances::Balances(std::vector<Ptr> balances) : balances_(std::move(balances)) {
  for (std::uint32_t i = 0; i < balances_.size(); ++i) {
    const Balance& b = *balances_[i];
    names_.emplace_back(b.code, i);
    if (b.asset != b.code) names_.emplace_back(b.asset, i);
    if (b.altname != b.code && b.altname != b.asset) names_.emplace_back(b.altname, i);
  }
  sort(names_);
}

Balances::Ptr Balances::find(std::string_view asset) const {
  auto i = lookup(names_, asset);
  return i ? balances_[*i] : nullptr;
}

std::shared_ptr<const OrderState> AccountSnapshot::order(std::string_view order_id) const {
  if (auto o = open_orders->find(order_id)) return o;
  return closed_orders->find_newest([&](const OrderState& o) { return o.order_id == order_id; });
}

std::shared_ptr<const OrderState> AccountSnapshot::order_by_cl_ord_id(std::string_view cl_ord_id) const {
  if (cl_ord_id.empty()) return nullptr;
  if (auto o = open_orders->find_by_cl_ord_id(cl_ord_id)) return o;
  return closed_orders->find_newest([&](const OrderState& o) { return o.cl_ord_id == cl_ord_id; });
}

std::shared_ptr<const Fill> AccountSnapshot::fill(std::string_view exec_id) const {
  return fills->find_newest([&](const Fill& f) { return f.exec_id == exec_id; });
}

}  // namespace kgw::oms
