#pragma once
// The answer of every call that needs the order manager until it exists (issue #11):
// FAILED_PRECONDITION "no Kraken API key configured" without a key, else UNIMPLEMENTED
// "order manager not built yet". Defined in order_manager_placeholders.cpp.

#include <grpcpp/support/status.h>

namespace kgw::gateway {

grpc::Status order_manager_placeholder(bool api_key);

}  // namespace kgw::gateway
