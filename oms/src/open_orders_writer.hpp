#pragma once
// OpenOrdersWriter: the account view's writer side of OpenOrders (private to oms/src). It keeps
// every open order by order_id and by cl_ord_id, and hands out OpenOrders views that share a
// base and carry the orders changed since; the base is rebuilt (O(n), no sorting: both maps are
// already in order) once more than about √n orders changed. oms thread only.

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "kgw/oms/account_types.hpp"

namespace kgw::oms {

class OpenOrdersWriter {
 public:
  using Ptr = OpenOrders::Ptr;

  // Adds or replaces the order with `o`'s order_id.
  void put(const Ptr& o);
  void erase(std::string_view order_id);
  Ptr find(std::string_view order_id) const;
  Ptr find_by_cl_ord_id(std::string_view cl_ord_id) const;
  const std::map<std::string, Ptr, std::less<>>& all() const noexcept { return by_id_; }

  // The current view; shares its base with the previous ones until the base is rebuilt.
  std::shared_ptr<const OpenOrders> view();

 private:
  void drop_cl_ord_id(const OrderState& o);
  void note_change(const Ptr& o, bool removed);

  std::map<std::string, Ptr, std::less<>> by_id_;
  // Keys view the cl_ord_id of the order they map to (kept alive by by_id_).
  std::map<std::string_view, const OrderState*, std::less<>> by_cl_ord_id_;
  std::shared_ptr<const OpenOrders::Base> base_ = std::make_shared<const OpenOrders::Base>();
  std::vector<OpenOrders::Change> changes_;  // since base_, sorted by order_id
};

}  // namespace kgw::oms
