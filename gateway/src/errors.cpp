#include "kgw/gateway/errors.hpp"

#include <string>

namespace kgw::gateway {
namespace {

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class GatewayCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "kgw.gateway"; }
  std::string message(int ev) const override {
    switch (static_cast<gateway_errc>(ev)) {
      case gateway_errc::no_api_key: return "no Kraken API key configured";
      case gateway_errc::cache_miss: return "no fresh cached value";
      case gateway_errc::not_streamed: return "no stream covers this read";
      case gateway_errc::not_subscribed: return "not subscribed by the gateway's feed";
      case gateway_errc::market_closed: return "the market does not take this order now";
      case gateway_errc::unimplemented: return "not implemented by this gateway";
      case gateway_errc::client_too_slow: return "client too slow";
      case gateway_errc::shutting_down: return "gateway shutting down";
      case gateway_errc::dead_man_keeper: return "the gateway's dead-man keeper owns the switch";
    }
    return "gateway error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& gateway_category() noexcept {
  static const GatewayCategory cat;
  return cat;
}

std::string_view name(gateway_errc e) noexcept {
  switch (e) {
    case gateway_errc::no_api_key: return "no_api_key";
    case gateway_errc::cache_miss: return "cache_miss";
    case gateway_errc::not_streamed: return "not_streamed";
    case gateway_errc::not_subscribed: return "not_subscribed";
    case gateway_errc::market_closed: return "market_closed";
    case gateway_errc::unimplemented: return "unimplemented";
    case gateway_errc::client_too_slow: return "client_too_slow";
    case gateway_errc::shutting_down: return "shutting_down";
    case gateway_errc::dead_man_keeper: return "dead_man_keeper";
  }
  return "gateway_error";
}

}  // namespace kgw::gateway
