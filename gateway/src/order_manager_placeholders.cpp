// Account and Trading before the order manager exists (issue #11): both services are registered,
// so clients, reflection and the health service see the whole contract, and every call answers
// with one clear status instead of a fake value: FAILED_PRECONDITION "no Kraken API key
// configured" without a key, else UNIMPLEMENTED "order manager not built yet". The order manager
// replaces this file with the real services; the Gateway service's dead-man and kill-switch
// calls use the same answer until then.

#include <grpcpp/grpcpp.h>

#include "backend.hpp"
#include "grpc_status.hpp"
#include "kgw/gateway/errors.hpp"
#include "kgw/v1/account.grpc.pb.h"
#include "kgw/v1/trading.grpc.pb.h"
#include "placeholder.hpp"
#include "services.hpp"
#include "watched_stream.hpp"

namespace kgw::gateway {

grpc::Status order_manager_placeholder(bool api_key) {
  if (!api_key) return to_grpc_status(fail(gateway_errc::no_api_key, "no Kraken API key configured"));
  return to_grpc_status(fail(gateway_errc::no_order_manager, "order manager not built yet"));
}

namespace {

using grpc::CallbackServerContext;
using grpc::ServerUnaryReactor;

class Refuser {
 public:
  explicit Refuser(const Backend& b) : api_key_(b.api_key) {}
  ServerUnaryReactor* unary(CallbackServerContext* ctx) const {
    auto* r = ctx->DefaultReactor();
    r->Finish(order_manager_placeholder(api_key_));
    return r;
  }
  template <class Message>
  grpc::ServerWriteReactor<Message>* stream() const {
    return new FinishedStream<Message>(order_manager_placeholder(api_key_));
  }

 private:
  bool api_key_;
};

class AccountPlaceholder final : public v1::Account::CallbackService {
 public:
  explicit AccountPlaceholder(const Backend& b) : refuse_(b) {}
  ServerUnaryReactor* GetBalance(CallbackServerContext* c, const v1::GetBalanceRequest*, v1::GetBalanceResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* GetBalanceEx(CallbackServerContext* c, const v1::GetBalanceExRequest*, v1::GetBalanceExResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* GetTradeBalance(CallbackServerContext* c, const v1::GetTradeBalanceRequest*,
                                      v1::GetTradeBalanceResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* GetPositions(CallbackServerContext* c, const v1::GetPositionsRequest*, v1::GetPositionsResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* GetLedgers(CallbackServerContext* c, const v1::GetLedgersRequest*, v1::GetLedgersResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* QueryLedgers(CallbackServerContext* c, const v1::QueryLedgersRequest*, v1::QueryLedgersResponse*) override {
    return refuse_.unary(c);
  }
  grpc::ServerWriteReactor<v1::BalancesEvent>* StreamBalances(CallbackServerContext*, const v1::StreamBalancesRequest*) override {
    return refuse_.stream<v1::BalancesEvent>();
  }

 private:
  Refuser refuse_;
};

class TradingPlaceholder final : public v1::Trading::CallbackService {
 public:
  explicit TradingPlaceholder(const Backend& b) : refuse_(b) {}
  ServerUnaryReactor* PlaceOrder(CallbackServerContext* c, const v1::PlaceOrderRequest*, v1::PlaceOrderResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* EditOrder(CallbackServerContext* c, const v1::EditOrderRequest*, v1::EditOrderResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* AmendOrder(CallbackServerContext* c, const v1::AmendOrderRequest*, v1::AmendOrderResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* CancelOrder(CallbackServerContext* c, const v1::CancelOrderRequest*, v1::CancelOrderResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* CancelAllOrders(CallbackServerContext* c, const v1::CancelAllOrdersRequest*,
                                      v1::CancelAllOrdersResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* CancelAllOrdersAfter(CallbackServerContext* c, const v1::CancelAllOrdersAfterRequest*,
                                           v1::CancelAllOrdersAfterResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* BatchAdd(CallbackServerContext* c, const v1::BatchAddRequest*, v1::BatchAddResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* BatchCancel(CallbackServerContext* c, const v1::BatchCancelRequest*, v1::BatchCancelResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* GetOrders(CallbackServerContext* c, const v1::GetOrdersRequest*, v1::GetOrdersResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* QueryOrders(CallbackServerContext* c, const v1::QueryOrdersRequest*, v1::QueryOrdersResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* GetClosedOrders(CallbackServerContext* c, const v1::GetClosedOrdersRequest*,
                                      v1::GetClosedOrdersResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* GetOrderAmends(CallbackServerContext* c, const v1::GetOrderAmendsRequest*,
                                     v1::GetOrderAmendsResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* GetTradesHistory(CallbackServerContext* c, const v1::GetTradesHistoryRequest*,
                                       v1::GetTradesHistoryResponse*) override {
    return refuse_.unary(c);
  }
  ServerUnaryReactor* QueryTrades(CallbackServerContext* c, const v1::QueryTradesRequest*, v1::QueryTradesResponse*) override {
    return refuse_.unary(c);
  }
  grpc::ServerWriteReactor<v1::ExecutionsEvent>* StreamExecutions(CallbackServerContext*,
                                                                   const v1::StreamExecutionsRequest*) override {
    return refuse_.stream<v1::ExecutionsEvent>();
  }

 private:
  Refuser refuse_;
};

}  // namespace

std::unique_ptr<grpc::Service> make_account_service(Backend& backend) {
  return std::make_unique<AccountPlaceholder>(backend);
}

std::unique_ptr<grpc::Service> make_trading_service(Backend& backend) {
  return std::make_unique<TradingPlaceholder>(backend);
}

}  // namespace kgw::gateway
