#include "kgw/oms/account_types.hpp"

#include <algorithm>

namespace kgw::oms {
namespace {

using Index = std::vector<std::pair<std::string_view, std::uint32_t>>;

std::optional<std::uint32_t> lookup(const Index& index, std::string_view key) {
  auto it = std::lower_bound(index.begin(), index.end(), key, [](const auto& e, std::string_view k) { return e.first < k; });
  if (it == index.end() || it->first != key) return std::nullopt;
  return it->second;
}

void sort(Index& index) {
  std::sort(index.begin(), index.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

}  // namespace

OpenOrders::OpenOrders(std::vector<Ptr> orders) : orders_(std::move(orders)) {
  for (std::uint32_t i = 0; i < orders_.size(); ++i)
    if (!orders_[i]->cl_ord_id.empty()) by_cl_ord_id_.emplace_back(orders_[i]->cl_ord_id, i);
  sort(by_cl_ord_id_);
}

OpenOrders::Ptr OpenOrders::find(std::string_view order_id) const {
  auto it = std::lower_bound(orders_.begin(), orders_.end(), order_id,
                             [](const Ptr& o, std::string_view id) { return o->order_id < id; });
  return it != orders_.end() && (*it)->order_id == order_id ? *it : nullptr;
}

OpenOrders::Ptr OpenOrders::find_by_cl_ord_id(std::string_view cl_ord_id) const {
  auto i = lookup(by_cl_ord_id_, cl_ord_id);
  return i ? orders_[*i] : nullptr;
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
