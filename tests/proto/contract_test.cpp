// Checks on the public gRPC contract (proto/kgw/v1): the RPC surface promised in DESIGN.md §6,
// documentation on every element (the .proto files are the public docs), and the numeric rules
// of DESIGN.md §4 (decimals are strings, never floating point).

#include "kgw/v1/account.grpc.pb.h"
#include "kgw/v1/common.pb.h"
#include "kgw/v1/gateway.grpc.pb.h"
#include "kgw/v1/market_data.grpc.pb.h"
#include "kgw/v1/trading.grpc.pb.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace pb = google::protobuf;

constexpr std::string_view kPackage = "kgw.v1";

// Joins failure lines so one assertion lists every offender.
std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += "\n  ";
    out += l;
  }
  return out;
}

bool blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c) != 0; });
}

// The contract's files as compiled into this binary. kgw_proto is a static library, so the
// linker keeps a file's generated code (and its registration in the generated pool) only if
// something refers to it: touch one type of each file first.
std::vector<const pb::FileDescriptor*> generated_contract_files() {
  for (const pb::Descriptor* anchor :
       {kgw::v1::ReadMeta::descriptor(), kgw::v1::GetTickerRequest::descriptor(),
        kgw::v1::GetBalanceRequest::descriptor(), kgw::v1::PlaceOrderRequest::descriptor(),
        kgw::v1::GetInfoRequest::descriptor()})
    EXPECT_NE(anchor, nullptr);
  std::vector<const pb::FileDescriptor*> files;
  for (const char* name : {"kgw/v1/common.proto", "kgw/v1/market_data.proto", "kgw/v1/account.proto",
                           "kgw/v1/trading.proto", "kgw/v1/gateway.proto"}) {
    const pb::FileDescriptor* f = pb::DescriptorPool::generated_pool()->FindFileByName(name);
    EXPECT_NE(f, nullptr) << name << " is not linked into the test";
    if (f != nullptr) files.push_back(f);
  }
  return files;
}

// Calls `fn` for every message of `file`, nested ones included.
void for_each_message(const pb::FileDescriptor* file, const std::function<void(const pb::Descriptor*)>& fn) {
  std::function<void(const pb::Descriptor*)> walk = [&](const pb::Descriptor* d) {
    fn(d);
    for (int i = 0; i < d->nested_type_count(); ++i) walk(d->nested_type(i));
  };
  for (int i = 0; i < file->message_type_count(); ++i) walk(file->message_type(i));
}

// Calls `fn` for every enum of `file`, nested ones included.
void for_each_enum(const pb::FileDescriptor* file, const std::function<void(const pb::EnumDescriptor*)>& fn) {
  for (int i = 0; i < file->enum_type_count(); ++i) fn(file->enum_type(i));
  for_each_message(file, [&](const pb::Descriptor* d) {
    for (int i = 0; i < d->enum_type_count(); ++i) fn(d->enum_type(i));
  });
}

const pb::ServiceDescriptor* find_service(const std::string& full_name) {
  generated_contract_files();  // links and registers every file
  return pb::DescriptorPool::generated_pool()->FindServiceByName(full_name);
}

// ------------------------------------------------------------------------------------------
// (1) The RPC surface.

struct ExpectedRpc {
  std::string service;  // full name, taken from the generated stubs
  const char* method;
  bool server_streaming;
};

std::vector<ExpectedRpc> expected_rpcs() {
  const std::string md = kgw::v1::MarketData::service_full_name();
  const std::string acct = kgw::v1::Account::service_full_name();
  const std::string trd = kgw::v1::Trading::service_full_name();
  const std::string gw = kgw::v1::Gateway::service_full_name();
  return {
      {md, "GetTicker", false},
      {md, "GetOrderBook", false},
      {md, "GetOhlc", false},
      {md, "GetRecentTrades", false},
      {md, "GetTrades", false},
      {md, "GetSpread", false},
      {md, "GetAssetPairs", false},
      {md, "GetAssets", false},
      {md, "GetSystemStatus", false},
      {md, "GetServerTime", false},
      {md, "StreamTicker", true},
      {md, "StreamBook", true},
      {md, "StreamTrades", true},
      {md, "StreamOhlc", true},
      {md, "StreamSystemStatus", true},
      {acct, "GetBalance", false},
      {acct, "GetBalanceEx", false},
      {acct, "GetTradeBalance", false},
      {acct, "GetPositions", false},
      {acct, "GetLedgers", false},
      {acct, "QueryLedgers", false},
      {acct, "StreamBalances", true},
      {trd, "PlaceOrder", false},
      {trd, "EditOrder", false},
      {trd, "AmendOrder", false},
      {trd, "CancelOrder", false},
      {trd, "CancelAllOrders", false},
      {trd, "CancelAllOrdersAfter", false},
      {trd, "BatchAdd", false},
      {trd, "BatchCancel", false},
      {trd, "GetOrders", false},
      {trd, "QueryOrders", false},
      {trd, "GetClosedOrders", false},
      {trd, "GetTradesHistory", false},
      {trd, "QueryTrades", false},
      {trd, "StreamExecutions", true},
      {gw, "GetInfo", false},
      {gw, "GetUpstreamStatus", false},
      {gw, "StreamUpstreamStatus", true},
      {gw, "GetCacheFreshness", false},
      {gw, "GetRateBudget", false},
      {gw, "GetDeadManSwitch", false},
      {gw, "GetKillSwitch", false},
      {gw, "EngageKillSwitch", false},
      {gw, "DisengageKillSwitch", false},
  };
}

TEST(ProtoContract, ServicesAreTheFourOfDesignSectionSixInPackageKgwV1) {
  EXPECT_EQ(std::string(kgw::v1::MarketData::service_full_name()), "kgw.v1.MarketData");
  EXPECT_EQ(std::string(kgw::v1::Account::service_full_name()), "kgw.v1.Account");
  EXPECT_EQ(std::string(kgw::v1::Trading::service_full_name()), "kgw.v1.Trading");
  EXPECT_EQ(std::string(kgw::v1::Gateway::service_full_name()), "kgw.v1.Gateway");
}

TEST(ProtoContract, EveryPromisedRpcExistsInItsServiceWithTheRightStreaming) {
  std::vector<std::string> problems;
  for (const auto& rpc : expected_rpcs()) {
    const pb::ServiceDescriptor* svc = find_service(rpc.service);
    if (svc == nullptr) {
      problems.push_back("missing service " + rpc.service);
      continue;
    }
    const pb::MethodDescriptor* m = svc->FindMethodByName(rpc.method);
    if (m == nullptr) {
      problems.push_back(rpc.service + "." + rpc.method + " is missing");
      continue;
    }
    if (m->server_streaming() != rpc.server_streaming)
      problems.push_back(rpc.service + "." + rpc.method +
                         (rpc.server_streaming ? " must be a server stream" : " must be unary"));
    if (m->client_streaming()) problems.push_back(rpc.service + "." + rpc.method + " must not be client-streaming");
  }
  EXPECT_TRUE(problems.empty()) << join(problems);
}

TEST(ProtoContract, NoRpcIsClientStreaming) {
  std::vector<std::string> problems;
  for (const auto* file : generated_contract_files())
    for (int s = 0; s < file->service_count(); ++s)
      for (int m = 0; m < file->service(s)->method_count(); ++m)
        if (file->service(s)->method(m)->client_streaming())
          problems.push_back(file->service(s)->method(m)->full_name());
  EXPECT_TRUE(problems.empty()) << join(problems);
}

// Every read (Get*/Query* and every stream in the three exchange-facing services) says where its
// answer came from; every unary read lets the caller choose the source.
TEST(ProtoContract, EveryReadTakesReadOptionsAndReturnsReadMeta) {
  std::vector<std::string> problems;
  for (const std::string& svc_name : {std::string(kgw::v1::MarketData::service_full_name()),
                                     std::string(kgw::v1::Account::service_full_name()),
                                     std::string(kgw::v1::Trading::service_full_name())}) {
    const pb::ServiceDescriptor* svc = find_service(svc_name);
    ASSERT_NE(svc, nullptr) << svc_name;
    for (int i = 0; i < svc->method_count(); ++i) {
      const pb::MethodDescriptor* m = svc->method(i);
      const std::string& name = m->name();
      const bool is_stream = m->server_streaming();
      const bool is_read = is_stream || name.rfind("Get", 0) == 0 || name.rfind("Query", 0) == 0;
      if (!is_read) continue;
      const pb::FieldDescriptor* meta = m->output_type()->FindFieldByName("meta");
      if (meta == nullptr || meta->message_type() == nullptr ||
          meta->message_type()->full_name() != "kgw.v1.ReadMeta")
        problems.push_back(m->full_name() + ": output lacks `ReadMeta meta`");
      if (is_stream) continue;
      const pb::FieldDescriptor* read = m->input_type()->FindFieldByName("read");
      if (read == nullptr || read->message_type() == nullptr ||
          read->message_type()->full_name() != "kgw.v1.ReadOptions")
        problems.push_back(m->full_name() + ": input lacks `ReadOptions read`");
    }
  }
  EXPECT_TRUE(problems.empty()) << join(problems);

  const pb::EnumDescriptor* policy = kgw::v1::ReadPolicy_descriptor();
  EXPECT_EQ(policy->FindValueByNumber(0)->name(), "READ_POLICY_AUTO") << "AUTO must be the default";
  EXPECT_NE(policy->FindValueByName("READ_POLICY_CACHE_ONLY"), nullptr);
  EXPECT_NE(policy->FindValueByName("READ_POLICY_REST_ONLY"), nullptr);
}

TEST(ProtoContract, EveryOrderEntryRpcTakesARoute) {
  const pb::ServiceDescriptor* svc = find_service(kgw::v1::Trading::service_full_name());
  ASSERT_NE(svc, nullptr);
  std::vector<std::string> problems;
  for (const char* name : {"PlaceOrder", "EditOrder", "AmendOrder", "CancelOrder", "CancelAllOrders",
                           "CancelAllOrdersAfter", "BatchAdd", "BatchCancel"}) {
    const pb::MethodDescriptor* m = svc->FindMethodByName(name);
    if (m == nullptr) {
      problems.push_back(std::string(name) + " is missing");
      continue;
    }
    const pb::FieldDescriptor* route = m->input_type()->FindFieldByName("route");
    if (route == nullptr || route->enum_type() == nullptr || route->enum_type()->full_name() != "kgw.v1.Route")
      problems.push_back(m->full_name() + ": input lacks `Route route`");
  }
  EXPECT_TRUE(problems.empty()) << join(problems);
  const pb::EnumDescriptor* route = kgw::v1::Route_descriptor();
  EXPECT_EQ(route->FindValueByNumber(0)->name(), "ROUTE_AUTO");
  EXPECT_NE(route->FindValueByName("ROUTE_WS"), nullptr);
  EXPECT_NE(route->FindValueByName("ROUTE_REST"), nullptr);
}

// ------------------------------------------------------------------------------------------
// (2) Documentation: the descriptor set built with --include_source_info.

pb::FileDescriptorSet load_descriptor_set() {
  pb::FileDescriptorSet set;
  std::ifstream in(KGW_PROTO_DESCRIPTOR_SET_PATH, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << KGW_PROTO_DESCRIPTOR_SET_PATH;
  EXPECT_TRUE(set.ParseFromIstream(&in)) << "cannot parse " << KGW_PROTO_DESCRIPTOR_SET_PATH;
  return set;
}

// Builds the files of `set` into `pool` (dependencies come first with --include_imports) and
// returns those of package kgw.v1.
std::vector<const pb::FileDescriptor*> build_contract(const pb::FileDescriptorSet& set, pb::DescriptorPool& pool) {
  std::vector<const pb::FileDescriptor*> files;
  for (const auto& proto : set.file()) {
    const pb::FileDescriptor* f = pool.BuildFile(proto);
    EXPECT_NE(f, nullptr) << "cannot build " << proto.name();
    if (f != nullptr && f->package() == kPackage) files.push_back(f);
  }
  return files;
}

template <typename D>
void require_comment(const D* d, const std::string& what, std::vector<std::string>& missing) {
  pb::SourceLocation loc;
  if (!d->GetSourceLocation(&loc)) {
    missing.push_back(what + " " + d->full_name() + " (no source info)");
    return;
  }
  if (blank(loc.leading_comments)) missing.push_back(what + " " + d->full_name());
}

TEST(ProtoContract, DescriptorSetHoldsEveryContractFileWithSourceInfo) {
  const pb::FileDescriptorSet set = load_descriptor_set();
  std::set<std::string> names;
  for (const auto& f : set.file()) {
    names.insert(f.name());
    if (f.package() == kPackage) {
      EXPECT_GT(f.source_code_info().location_size(), 0) << f.name() << " was built without source info";
    }
  }
  for (const char* want : {"kgw/v1/common.proto", "kgw/v1/market_data.proto", "kgw/v1/account.proto",
                           "kgw/v1/trading.proto", "kgw/v1/gateway.proto"})
    EXPECT_EQ(names.count(want), 1u) << want << " missing from the descriptor set";
}

// The descriptor set and the compiled-in code come from the same .proto text.
TEST(ProtoContract, DescriptorSetMatchesTheGeneratedCode) {
  const pb::FileDescriptorSet set = load_descriptor_set();
  for (const auto& from_set : set.file()) {
    if (from_set.package() != kPackage) continue;
    const pb::FileDescriptor* gen = pb::DescriptorPool::generated_pool()->FindFileByName(from_set.name());
    ASSERT_NE(gen, nullptr) << from_set.name();
    pb::FileDescriptorProto a = from_set;
    a.clear_source_code_info();
    pb::FileDescriptorProto b;
    gen->CopyTo(&b);
    gen->CopyJsonNameTo(&b);  // protoc writes json_name into descriptor sets; CopyTo leaves it out
    std::string diff;
    pb::util::MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(a, b)) << from_set.name() << " is stale in the descriptor set:\n" << diff;
  }
}

TEST(ProtoContract, EveryServiceRpcMessageFieldOneofEnumAndValueHasALeadingComment) {
  const pb::FileDescriptorSet set = load_descriptor_set();
  pb::DescriptorPool pool;
  const auto files = build_contract(set, pool);
  ASSERT_EQ(files.size(), 5u);

  std::vector<std::string> missing;
  std::size_t checked = 0;
  for (const auto* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const pb::ServiceDescriptor* svc = file->service(s);
      require_comment(svc, "service", missing);
      ++checked;
      for (int m = 0; m < svc->method_count(); ++m) {
        require_comment(svc->method(m), "rpc", missing);
        ++checked;
      }
    }
    for_each_message(file, [&](const pb::Descriptor* d) {
      require_comment(d, "message", missing);
      ++checked;
      for (int i = 0; i < d->field_count(); ++i) {
        require_comment(d->field(i), "field", missing);
        ++checked;
      }
      for (int i = 0; i < d->real_oneof_decl_count(); ++i) {
        require_comment(d->oneof_decl(i), "oneof", missing);
        ++checked;
      }
    });
    for_each_enum(file, [&](const pb::EnumDescriptor* e) {
      require_comment(e, "enum", missing);
      ++checked;
      for (int i = 0; i < e->value_count(); ++i) {
        require_comment(e->value(i), "enum value", missing);
        ++checked;
      }
    });
  }
  EXPECT_GT(checked, 500u) << "the walk saw suspiciously few elements";
  EXPECT_TRUE(missing.empty()) << missing.size() << " element(s) without a leading comment:" << join(missing);
}

// ------------------------------------------------------------------------------------------
// (3) Numbers: decimals are strings.

TEST(ProtoContract, NoFieldAnywhereIsFloatingPoint) {
  std::vector<std::string> problems;
  std::size_t fields = 0;
  for (const auto* file : generated_contract_files())
    for_each_message(file, [&](const pb::Descriptor* d) {
      for (int i = 0; i < d->field_count(); ++i) {
        ++fields;
        const auto t = d->field(i)->type();
        if (t == pb::FieldDescriptor::TYPE_DOUBLE || t == pb::FieldDescriptor::TYPE_FLOAT)
          problems.push_back(d->field(i)->full_name() + " is " + d->field(i)->type_name());
      }
    });
  EXPECT_GT(fields, 300u);
  EXPECT_TRUE(problems.empty()) << "decimals must be strings (DESIGN.md §4):" << join(problems);
}

std::vector<std::string> split_snake(const std::string& name) {
  std::vector<std::string> parts;
  std::stringstream ss(name);
  std::string part;
  while (std::getline(ss, part, '_')) parts.push_back(part);
  return parts;
}

// Names that denote money or quantities must be decimal strings, not integers either (an int64
// "price" would silently assume a scale). Counts, precisions, ids and times are exempt.
TEST(ProtoContract, FieldsNamedLikeDecimalsAreStrings) {
  const std::set<std::string> decimal_words = {"price", "price2", "qty", "volume", "vol", "cost", "fee",
                                               "balance", "amount", "equity", "valuation", "vwap", "bid",
                                               "ask", "low", "high", "open", "counter", "headroom"};
  const std::set<std::string> exempt_words = {"decimals", "precision", "count", "ns", "orders", "id", "ids",
                                              "seconds", "minutes", "index", "errors", "refused", "sent"};
  std::vector<std::string> problems;
  for (const auto* file : generated_contract_files())
    for_each_message(file, [&](const pb::Descriptor* d) {
      for (int i = 0; i < d->field_count(); ++i) {
        const pb::FieldDescriptor* f = d->field(i);
        if (f->type() == pb::FieldDescriptor::TYPE_MESSAGE || f->type() == pb::FieldDescriptor::TYPE_ENUM ||
            f->type() == pb::FieldDescriptor::TYPE_STRING)
          continue;
        const auto words = split_snake(f->name());
        const bool decimal = std::any_of(words.begin(), words.end(), [&](auto& w) { return decimal_words.count(w); });
        const bool exempt = std::any_of(words.begin(), words.end(), [&](auto& w) { return exempt_words.count(w); });
        if (decimal && !exempt) problems.push_back(f->full_name() + " is " + f->type_name());
      }
    });
  EXPECT_TRUE(problems.empty()) << join(problems);
}

// ------------------------------------------------------------------------------------------
// (4) PlaceOrderRequest can express every Kraken order.

const pb::FieldDescriptor* field_of(const pb::Descriptor* d, const char* name) { return d->FindFieldByName(name); }

TEST(ProtoContract, PlaceOrderRequestExposesEveryOrderTypeAndTimeInForce) {
  const pb::Descriptor* req = kgw::v1::PlaceOrderRequest::descriptor();

  const pb::FieldDescriptor* type = field_of(req, "order_type");
  ASSERT_NE(type, nullptr);
  ASSERT_NE(type->enum_type(), nullptr);
  EXPECT_EQ(type->enum_type()->full_name(), "kgw.v1.OrderType");
  std::vector<std::string> missing;
  // Kraken spellings (REST `ordertype`) and the enum value each must map to.
  for (const char* kraken : {"market", "limit", "iceberg", "stop-loss", "take-profit", "stop-loss-limit",
                             "take-profit-limit", "trailing-stop", "trailing-stop-limit", "settle-position"}) {
    std::string value = "ORDER_TYPE_";
    for (const char* c = kraken; *c; ++c) value += (*c == '-') ? '_' : static_cast<char>(std::toupper(*c));
    if (type->enum_type()->FindValueByName(value) == nullptr) missing.push_back(value + " (" + kraken + ")");
  }

  const pb::FieldDescriptor* tif = field_of(req, "time_in_force");
  ASSERT_NE(tif, nullptr);
  ASSERT_NE(tif->enum_type(), nullptr);
  EXPECT_EQ(tif->enum_type()->full_name(), "kgw.v1.TimeInForce");
  for (const char* value : {"TIME_IN_FORCE_GTC", "TIME_IN_FORCE_IOC", "TIME_IN_FORCE_GTD", "TIME_IN_FORCE_FOK"})
    if (tif->enum_type()->FindValueByName(value) == nullptr) missing.push_back(value);

  const pb::FieldDescriptor* oflags = field_of(req, "oflags");
  ASSERT_NE(oflags, nullptr);
  EXPECT_TRUE(oflags->is_repeated());
  ASSERT_NE(oflags->enum_type(), nullptr);
  for (const char* value : {"ORDER_FLAG_POST", "ORDER_FLAG_FCIB", "ORDER_FLAG_FCIQ", "ORDER_FLAG_VIQC",
                            "ORDER_FLAG_NOMPP"})
    if (oflags->enum_type()->FindValueByName(value) == nullptr) missing.push_back(value);

  for (const auto& [field, values] :
       std::vector<std::pair<const char*, std::vector<const char*>>>{
           {"trigger", {"TRIGGER_REFERENCE_LAST", "TRIGGER_REFERENCE_INDEX"}},
           {"stp_type",
            {"SELF_TRADE_PREVENTION_CANCEL_NEWEST", "SELF_TRADE_PREVENTION_CANCEL_OLDEST",
             "SELF_TRADE_PREVENTION_CANCEL_BOTH"}},
           {"side", {"SIDE_BUY", "SIDE_SELL"}},
           {"route", {"ROUTE_AUTO", "ROUTE_WS", "ROUTE_REST"}}}) {
    const pb::FieldDescriptor* f = field_of(req, field);
    if (f == nullptr || f->enum_type() == nullptr) {
      missing.push_back(std::string("enum field ") + field);
      continue;
    }
    for (const char* v : values)
      if (f->enum_type()->FindValueByName(v) == nullptr) missing.push_back(v);
  }
  EXPECT_TRUE(missing.empty()) << join(missing);

  // And the generated C++ can carry each of them through the wire.
  for (int i = 0; i < kgw::v1::OrderType_descriptor()->value_count(); ++i)
    for (int j = 0; j < kgw::v1::TimeInForce_descriptor()->value_count(); ++j) {
      kgw::v1::PlaceOrderRequest out;
      out.set_pair("XBTUSD");
      out.set_order_type(static_cast<kgw::v1::OrderType>(kgw::v1::OrderType_descriptor()->value(i)->number()));
      out.set_time_in_force(static_cast<kgw::v1::TimeInForce>(kgw::v1::TimeInForce_descriptor()->value(j)->number()));
      kgw::v1::PlaceOrderRequest in;
      ASSERT_TRUE(in.ParseFromString(out.SerializeAsString()));
      EXPECT_EQ(in.order_type(), out.order_type());
      EXPECT_EQ(in.time_in_force(), out.time_in_force());
    }
}

TEST(ProtoContract, PlaceOrderRequestHasAFieldForEveryKrakenAddOrderParameter) {
  const pb::Descriptor* req = kgw::v1::PlaceOrderRequest::descriptor();
  // Our field name for each Kraken AddOrder / add_order parameter (PROTOCOL.md §3.3, §6.6).
  std::vector<std::string> missing;
  for (const char* name : {"pair", "side", "volume", "order_type", "price", "price2", "trigger", "leverage",
                           "reduce_only", "stp_type", "oflags", "time_in_force", "start_time", "expire_time",
                           "post_only", "cl_ord_id", "userref", "display_volume", "close", "deadline", "validate",
                           "cash_order_qty", "margin", "asset_class", "broker", "sender_sub_id", "route"})
    if (req->FindFieldByName(name) == nullptr) missing.push_back(name);
  EXPECT_TRUE(missing.empty()) << join(missing);

  const pb::Descriptor* close = kgw::v1::ConditionalClose::descriptor();
  for (const char* name : {"order_type", "price", "price2"}) EXPECT_NE(close->FindFieldByName(name), nullptr) << name;
  EXPECT_TRUE(req->FindFieldByName("userref")->has_presence()) << "userref 0 is a valid tag: presence matters";
}

TEST(ProtoContract, BatchOrderCarriesEveryPerOrderFieldOfPlaceOrderRequest) {
  const pb::Descriptor* req = kgw::v1::PlaceOrderRequest::descriptor();
  const pb::Descriptor* batch = kgw::v1::BatchOrder::descriptor();
  const std::set<std::string> per_batch = {"pair", "deadline", "validate", "route", "asset_class", "broker"};
  std::vector<std::string> problems;
  for (int i = 0; i < req->field_count(); ++i) {
    const pb::FieldDescriptor* f = req->field(i);
    if (per_batch.count(f->name())) continue;
    const pb::FieldDescriptor* b = batch->FindFieldByName(f->name());
    if (b == nullptr)
      problems.push_back(f->name() + " missing");
    else if (b->type() != f->type() || b->is_repeated() != f->is_repeated() || b->has_presence() != f->has_presence())
      problems.push_back(f->name() + " differs in type, cardinality or presence");
  }
  EXPECT_TRUE(problems.empty()) << join(problems);
}

// ------------------------------------------------------------------------------------------
// Errors and enum hygiene.

TEST(ProtoContract, ErrorDetailTravelsInsideAGoogleRpcStatusCompatibleEnvelope) {
  kgw::v1::ErrorDetail detail;
  detail.add_kraken_errors("EOrder:Insufficient funds");
  detail.set_classification(kgw::v1::ERROR_CLASS_REJECTED);
  detail.set_field("volume");

  kgw::v1::RpcStatus status;
  status.set_code(9);  // FAILED_PRECONDITION
  status.set_message("EOrder:Insufficient funds");
  status.add_details()->PackFrom(detail);

  kgw::v1::RpcStatus decoded;
  ASSERT_TRUE(decoded.ParseFromString(status.SerializeAsString()));
  ASSERT_EQ(decoded.details_size(), 1);
  EXPECT_EQ(decoded.details(0).type_url(), "type.googleapis.com/kgw.v1.ErrorDetail");
  kgw::v1::ErrorDetail back;
  ASSERT_TRUE(decoded.details(0).UnpackTo(&back));
  EXPECT_EQ(back.kraken_errors(0), "EOrder:Insufficient funds");
  EXPECT_EQ(back.field(), "volume");

  // google.rpc.Status: int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3.
  const pb::Descriptor* d = kgw::v1::RpcStatus::descriptor();
  ASSERT_NE(d->FindFieldByNumber(1), nullptr);
  EXPECT_EQ(d->FindFieldByNumber(1)->type(), pb::FieldDescriptor::TYPE_INT32);
  ASSERT_NE(d->FindFieldByNumber(2), nullptr);
  EXPECT_EQ(d->FindFieldByNumber(2)->type(), pb::FieldDescriptor::TYPE_STRING);
  ASSERT_NE(d->FindFieldByNumber(3), nullptr);
  EXPECT_TRUE(d->FindFieldByNumber(3)->is_repeated());
  EXPECT_EQ(d->FindFieldByNumber(3)->message_type()->full_name(), "google.protobuf.Any");

  const pb::EnumDescriptor* cls = kgw::v1::ErrorClass_descriptor();
  for (const char* v : {"ERROR_CLASS_REJECTED", "ERROR_CLASS_RETRYABLE_NOT_EXECUTED", "ERROR_CLASS_UNKNOWN_OUTCOME"})
    EXPECT_NE(cls->FindValueByName(v), nullptr) << v;
}

std::string upper_snake(const std::string& camel) {
  std::string out;
  for (std::size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (std::isupper(static_cast<unsigned char>(c)) && i > 0) out += '_';
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// Enum values live in the package scope in C++ and Python: the prefix keeps them unique, and a
// zero value must exist as the documented default.
TEST(ProtoContract, EnumValuesArePrefixedWithTheirEnumName) {
  std::vector<std::string> problems;
  for (const auto* file : generated_contract_files())
    for_each_enum(file, [&](const pb::EnumDescriptor* e) {
      const std::string prefix = upper_snake(e->name()) + "_";
      for (int i = 0; i < e->value_count(); ++i)
        if (e->value(i)->name().rfind(prefix, 0) != 0) problems.push_back(e->value(i)->full_name());
      if (e->FindValueByNumber(0) == nullptr) problems.push_back(e->full_name() + " has no zero value");
    });
  EXPECT_TRUE(problems.empty()) << join(problems);
}

}  // namespace
