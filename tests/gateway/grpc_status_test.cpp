// The one mapping from kgw::Error to grpc::Status (DESIGN.md §5; common.proto ErrorDetail).

#include "grpc_status.hpp"

#include <gtest/gtest.h>

#include "kgw/gateway/errors.hpp"
#include "kgw/v1/common.pb.h"

namespace kgw::gateway {
namespace {

using grpc::StatusCode;

v1::ErrorDetail detail_of(const grpc::Status& s) {
  v1::RpcStatus rpc;
  v1::ErrorDetail d;
  EXPECT_TRUE(rpc.ParseFromString(s.error_details()));
  EXPECT_EQ(rpc.code(), static_cast<int>(s.error_code()));
  EXPECT_EQ(rpc.message(), s.error_message());
  EXPECT_EQ(rpc.details_size(), 1);
  if (rpc.details_size() == 1) {
    EXPECT_EQ(rpc.details(0).type_url(), "type.googleapis.com/kgw.v1.ErrorDetail");
    EXPECT_TRUE(rpc.details(0).UnpackTo(&d));
  }
  return d;
}

Error kraken_error(std::vector<std::string> strings, errc code = errc::exchange_error) {
  Error e(code);
  e.kraken = KrakenError::from_strings(std::move(strings));
  return e;
}

TEST(GrpcStatus, KrakensErrorStringsReachTheCallerVerbatimInTheMessageAndTheDetail) {
  const auto s = to_grpc_status(kraken_error({"EOrder:Insufficient funds", "WGeneral:Something"}), CallKind::order_entry);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(s.error_message(), "EOrder:Insufficient funds; WGeneral:Something");
  const auto d = detail_of(s);
  ASSERT_EQ(d.kraken_errors_size(), 1);
  EXPECT_EQ(d.kraken_errors(0), "EOrder:Insufficient funds");
  ASSERT_EQ(d.kraken_warnings_size(), 1);
  EXPECT_EQ(d.kraken_warnings(0), "WGeneral:Something");
  EXPECT_EQ(d.classification(), v1::ERROR_CLASS_REJECTED);
  EXPECT_EQ(d.gateway_code(), "exchange_error");
  EXPECT_EQ(d.message(), s.error_message());
}

TEST(GrpcStatus, EachKrakenErrorGetsTheContractsCode) {
  const std::pair<const char*, StatusCode> cases[] = {
      {"EQuery:Unknown asset pair", StatusCode::INVALID_ARGUMENT},
      {"EOrder:Tick size check failed", StatusCode::INVALID_ARGUMENT},
      {"EOrder:Unknown order", StatusCode::NOT_FOUND},
      {"EOrder:Margin allowance exceeded", StatusCode::FAILED_PRECONDITION},
      {"EAPI:Invalid key", StatusCode::PERMISSION_DENIED},
      {"EGeneral:Permission denied", StatusCode::PERMISSION_DENIED},
      {"EAPI:Rate limit exceeded", StatusCode::RESOURCE_EXHAUSTED},
      {"EService: Throttled: 1700000000", StatusCode::RESOURCE_EXHAUSTED},
      {"EService:Market in cancel_only mode", StatusCode::UNAVAILABLE},
      {"EService:Unavailable", StatusCode::UNAVAILABLE},  // a read: safe to retry
  };
  for (const auto& [text, code] : cases) EXPECT_EQ(to_grpc_status(kraken_error({text})).error_code(), code) << text;
}

TEST(GrpcStatus, AnUnknownOutcomeIsUnknownForOrderEntryButRetryableForARead) {
  const auto write = to_grpc_status(kraken_error({"EService:Busy"}, errc::unknown_outcome), CallKind::order_entry);
  EXPECT_EQ(write.error_code(), StatusCode::UNKNOWN);
  EXPECT_EQ(detail_of(write).classification(), v1::ERROR_CLASS_UNKNOWN_OUTCOME);
  EXPECT_EQ(detail_of(write).gateway_code(), "unknown_outcome");
  const auto read = to_grpc_status(kraken_error({"EService:Busy"}, errc::unknown_outcome), CallKind::read);
  EXPECT_EQ(read.error_code(), StatusCode::UNAVAILABLE);
  EXPECT_EQ(detail_of(read).classification(), v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED);
  const auto timeout = to_grpc_status(Error(errc::timeout, "no answer in 10 s"), CallKind::order_entry);
  EXPECT_EQ(timeout.error_code(), StatusCode::UNKNOWN);
}

TEST(GrpcStatus, AnUnknownOutcomeCarriesTheClOrdIdsToLookUp) {
  Error e(errc::unknown_outcome, "no answer from Kraken in 5000 ms");
  e.cl_ord_ids = {"order-1", "", "order-3"};
  const auto s = to_grpc_status(e, CallKind::order_entry);
  EXPECT_EQ(s.error_code(), StatusCode::UNKNOWN);
  const auto d = detail_of(s);
  EXPECT_EQ(d.classification(), v1::ERROR_CLASS_UNKNOWN_OUTCOME);
  ASSERT_EQ(d.cl_ord_ids_size(), 3);
  EXPECT_EQ(d.cl_ord_ids(0), "order-1");
  EXPECT_EQ(d.cl_ord_ids(1), "");  // an order tagged with a userref only
  EXPECT_EQ(d.cl_ord_ids(2), "order-3");
}

TEST(GrpcStatus, TheKillSwitchIsFailedPreconditionWithItsContractName) {
  const auto s = to_grpc_status(Error(errc::blocked, "kill switch: engaged"), CallKind::order_entry);
  EXPECT_EQ(s.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(detail_of(s).gateway_code(), "kill_switch");
  EXPECT_EQ(detail_of(s).classification(), v1::ERROR_CLASS_REJECTED);
}

TEST(GrpcStatus, InvalidArgumentNamesTheFieldFromTheGatewayOrFromKraken) {
  const auto own = invalid_argument("orders[1].volume", "not on the lot grid");
  EXPECT_EQ(own.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(own.error_message(), "orders[1].volume: not on the lot grid");
  EXPECT_EQ(detail_of(own).field(), "orders[1].volume");
  const auto from_detail = to_grpc_status(Error(errc::invalid_argument, "pairs[2]: unknown pair 'NOPE'"));
  EXPECT_EQ(detail_of(from_detail).field(), "pairs[2]");
  const auto from_kraken = to_grpc_status(kraken_error({"EGeneral:Invalid arguments:volume"}));
  EXPECT_EQ(from_kraken.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(detail_of(from_kraken).field(), "volume");
  EXPECT_EQ(from_kraken.error_message(), "EGeneral:Invalid arguments:volume");
}

TEST(GrpcStatus, AnUpstreamThatCannotBeReachedIsUnavailable) {
  for (errc e : {errc::connection_failed, errc::connection_closed, errc::tls_error}) {
    const auto s = to_grpc_status(Error(e, "connect 127.0.0.1:1: refused"));
    EXPECT_EQ(s.error_code(), StatusCode::UNAVAILABLE);
    EXPECT_EQ(detail_of(s).classification(), v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED);
  }
}

TEST(GrpcStatus, TheGatewaysOwnRefusalsHaveTheirCodesAndNames) {
  const auto key = to_grpc_status(fail(gateway_errc::no_api_key, "no Kraken API key configured"));
  EXPECT_EQ(key.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(key.error_message(), "no Kraken API key configured");
  EXPECT_EQ(detail_of(key).gateway_code(), "no_api_key");
  const auto miss = to_grpc_status(fail(gateway_errc::cache_miss, "pair: no fresh cached value"));
  EXPECT_EQ(miss.error_code(), StatusCode::UNAVAILABLE);
  EXPECT_EQ(detail_of(miss).classification(), v1::ERROR_CLASS_RETRYABLE_NOT_EXECUTED);
  EXPECT_EQ(to_grpc_status(fail(gateway_errc::not_streamed, "x")).error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(to_grpc_status(fail(gateway_errc::market_closed, "x")).error_code(), StatusCode::UNAVAILABLE);
  EXPECT_EQ(to_grpc_status(fail(gateway_errc::client_too_slow, "x")).error_code(), StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(to_grpc_status(fail(gateway_errc::shutting_down, "x")).error_code(), StatusCode::UNAVAILABLE);
}

TEST(GrpcStatus, RateLimitsAreResourceExhaustedWithTheTimeKrakenGave) {
  const auto s = to_grpc_status(kraken_error({"EService: Throttled: 1700000000"}));
  EXPECT_EQ(s.error_code(), StatusCode::RESOURCE_EXHAUSTED);
  const auto d = detail_of(s);
  ASSERT_TRUE(d.has_retry_after_time_ns());
  EXPECT_EQ(d.retry_after_time_ns(), 1'700'000'000'000'000'000);
  EXPECT_EQ(to_grpc_status(Error(errc::rate_limited, "governor")).error_code(), StatusCode::RESOURCE_EXHAUSTED);
}

}  // namespace
}  // namespace kgw::gateway
