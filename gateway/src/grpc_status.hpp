#pragma once
// The one mapping from kgw::Error to grpc::Status (DESIGN.md §5, common.proto ErrorDetail): the
// status code, a human message carrying Kraken's error[] strings verbatim (joined by "; "), and
// the `grpc-status-details-bin` trailer (an RpcStatus holding one packed kgw.v1.ErrorDetail with
// the same strings, the classification, the request field at fault and the gateway's code).
// Pure; thread-safe.

#include <grpcpp/support/status.h>

#include <string>

#include "kgw/core/error.hpp"

namespace kgw::gateway {

// Reads are safe to retry whatever happened; an order-entry call whose outcome is unknown is not
// (UNKNOWN, ERROR_CLASS_UNKNOWN_OUTCOME: look the order up first).
enum class CallKind : unsigned char { read, order_entry };

// `field`: the request field at fault when the caller knows it better than the error's detail
// ("pairs[2]"); empty: taken from an invalid_argument detail of the form "<field>: ...", or
// from Kraken's `EGeneral:Invalid arguments:<field>`.
grpc::Status to_grpc_status(const Error& error, CallKind kind = CallKind::read, std::string field = {});

// The request field an error names: the "<field>: ..." of the gateway's own detail, or the
// <field> of Kraken's `EGeneral:Invalid arguments:<field>`; empty when it names none.
std::string invalid_field(const Error& error);

// INVALID_ARGUMENT naming `field` (the gateway's own checks, before anything is sent).
inline grpc::Status invalid_argument(std::string field, const std::string& problem) {
  return to_grpc_status(Error(errc::invalid_argument, field + ": " + problem), CallKind::read, field);
}

}  // namespace kgw::gateway
