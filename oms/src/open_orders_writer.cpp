#include "open_orders_writer.hpp"

#include <algorithm>
#include <cmath>

namespace kgw::oms {

void OpenOrdersWriter::drop_cl_ord_id(const OrderState& o) {
  if (o.cl_ord_id.empty()) return;
  if (auto it = by_cl_ord_id_.find(o.cl_ord_id); it != by_cl_ord_id_.end() && it->second == &o) by_cl_ord_id_.erase(it);
}

void OpenOrdersWriter::note_change(const Ptr& o, bool removed) {
  auto it = std::lower_bound(changes_.begin(), changes_.end(), o->order_id,
                             [](const OpenOrders::Change& c, const std::string& id) { return c.order->order_id < id; });
  if (it != changes_.end() && it->order->order_id == o->order_id) *it = OpenOrders::Change{o, removed};
  else changes_.insert(it, OpenOrders::Change{o, removed});
}

void OpenOrdersWriter::put(const Ptr& o) {
  auto it = by_id_.find(o->order_id);
  if (it != by_id_.end()) {
    drop_cl_ord_id(*it->second);  // before the old state (which its key views) may go
    it->second = o;
  } else {
    by_id_.emplace(o->order_id, o);
  }
  // Erase, then emplace: assigning to an existing key would keep a view into another order.
  if (!o->cl_ord_id.empty()) {
    by_cl_ord_id_.erase(o->cl_ord_id);
    by_cl_ord_id_.emplace(o->cl_ord_id, o.get());
  }
  note_change(o, false);
}

void OpenOrdersWriter::erase(std::string_view order_id) {
  auto it = by_id_.find(order_id);
  if (it == by_id_.end()) return;
  const Ptr last = it->second;
  drop_cl_ord_id(*last);
  by_id_.erase(it);
  note_change(last, true);
}

OpenOrdersWriter::Ptr OpenOrdersWriter::find(std::string_view order_id) const {
  auto it = by_id_.find(order_id);
  return it != by_id_.end() ? it->second : nullptr;
}

OpenOrdersWriter::Ptr OpenOrdersWriter::find_by_cl_ord_id(std::string_view cl_ord_id) const {
  auto it = by_cl_ord_id_.find(cl_ord_id);
  return it != by_cl_ord_id_.end() ? find(it->second->order_id) : nullptr;
}

std::shared_ptr<const OpenOrders> OpenOrdersWriter::view() {
  // √n changes: a view copies at most that many, and a rebuild (n) comes once per √n changes.
  const auto limit = std::max<std::size_t>(16, static_cast<std::size_t>(std::sqrt(static_cast<double>(by_id_.size()))));
  if (changes_.size() > limit) {
    auto base = std::make_shared<OpenOrders::Base>();
    base->by_id.reserve(by_id_.size());
    for (const auto& [id, o] : by_id_) base->by_id.push_back(o);
    base->by_cl_ord_id.assign(by_cl_ord_id_.begin(), by_cl_ord_id_.end());
    base_ = std::move(base);
    changes_.clear();
  }
  auto v = std::make_shared<OpenOrders>();
  v->base_ = base_;
  v->changes_ = changes_;
  v->size_ = by_id_.size();
  return v;
}

}  // namespace kgw::oms
