#pragma once
// AccountRest: what the account view's reconciliation asks of Kraken's REST API (PROTOCOL.md
// §3.2–3.4), as one small interface so the merge logic is tested with scripted answers and run
// against the real service. ServiceAccountRest is the real one, over core's KrakenRestService:
// each call runs on the service's thread and resumes the caller on its own executor (the oms
// thread). Both are used from the oms thread only.

#include <boost/asio/awaitable.hpp>

#include <string>
#include <vector>

#include "kgw/core/error.hpp"
#include "kgw/core/kraken/rest_types.hpp"

namespace kgw::kraken {
class KrakenRestService;
}

namespace kgw::oms {

class AccountRest {
 public:
  virtual ~AccountRest() = default;
  // Own trades after `start` (unix seconds, exclusive), every page, each trade once.
  virtual boost::asio::awaitable<result<std::vector<kraken::TradeInfo>>> trades_since(std::string start) = 0;
  virtual boost::asio::awaitable<result<std::vector<kraken::OrderInfo>>> open_orders() = 0;
  // Orders closed after `start` (unix seconds, exclusive), every page, each order once.
  virtual boost::asio::awaitable<result<std::vector<kraken::OrderInfo>>> closed_since(std::string start) = 0;
  // At most 50 order ids.
  virtual boost::asio::awaitable<result<std::vector<kraken::OrderInfo>>> query_orders(std::vector<std::string> txids) = 0;
  virtual boost::asio::awaitable<result<std::vector<kraken::PositionInfo>>> open_positions() = 0;
};

class ServiceAccountRest final : public AccountRest {
 public:
  // `max_pages` of 50 for the paged lists; more is errc::overflow (never a silently partial list).
  explicit ServiceAccountRest(kraken::KrakenRestService& rest, int max_pages = 20) : rest_(rest), max_pages_(max_pages) {}

  boost::asio::awaitable<result<std::vector<kraken::TradeInfo>>> trades_since(std::string start) override;
  boost::asio::awaitable<result<std::vector<kraken::OrderInfo>>> open_orders() override;
  boost::asio::awaitable<result<std::vector<kraken::OrderInfo>>> closed_since(std::string start) override;
  boost::asio::awaitable<result<std::vector<kraken::OrderInfo>>> query_orders(std::vector<std::string> txids) override;
  boost::asio::awaitable<result<std::vector<kraken::PositionInfo>>> open_positions() override;

 private:
  kraken::KrakenRestService& rest_;
  int max_pages_;
};

}  // namespace kgw::oms
