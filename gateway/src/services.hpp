#pragma once
// The gRPC services of kgw.v1, each built in its own translation unit (the generated service
// headers are slow to compile; nothing else includes them).

#include <memory>

namespace grpc {
class Service;
}

namespace kgw::gateway {

struct Backend;

std::unique_ptr<grpc::Service> make_market_data_service(Backend& backend);
std::unique_ptr<grpc::Service> make_gateway_service(Backend& backend);
// Over the order manager; without an API key every call is FAILED_PRECONDITION.
std::unique_ptr<grpc::Service> make_account_service(Backend& backend);
std::unique_ptr<grpc::Service> make_trading_service(Backend& backend);

}  // namespace kgw::gateway
