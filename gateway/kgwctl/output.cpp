#include "output.hpp"

#include <fmt/format.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "kgw/core/decimal.hpp"

namespace kgw::ctl {

void Table::print() const {
  std::vector<std::size_t> width;
  for (const auto& row : rows_)
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], row[i].size());
    }
  for (const auto& row : rows_) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

void print_json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  o.always_print_primitive_fields = true;
  std::string out;
  if (auto s = google::protobuf::util::MessageToJsonString(m, &out, o); !s.ok()) out = "{}";
  std::printf("%s\n", out.c_str());
}

int report(const grpc::Status& status) {
  static const char* kNames[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
                                 "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                 "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
                                 "UNAUTHENTICATED"};
  const int code = status.error_code();
  const char* name = code >= 0 && code < 17 ? kNames[code] : "?";
  std::fprintf(stderr, "kgwctl: %s: %s\n", name, status.error_message().c_str());
  // The machine-readable form: Kraken's strings one per line, and the field at fault.
  v1::RpcStatus rpc;
  v1::ErrorDetail detail;
  if (!status.error_details().empty() && rpc.ParseFromString(status.error_details()) && rpc.details_size() > 0 &&
      rpc.details(0).UnpackTo(&detail)) {
    for (const auto& e : detail.kraken_errors()) std::fprintf(stderr, "  kraken: %s\n", e.c_str());
    if (!detail.field().empty()) std::fprintf(stderr, "  field: %s\n", detail.field().c_str());
    if (detail.classification() == v1::ERROR_CLASS_UNKNOWN_OUTCOME) {
      // Never send it again blindly: look it up first (kgwctl orders / closed-orders / query).
      std::fprintf(stderr, "  outcome unknown: look the order up before sending it again\n");
      for (const auto& id : detail.cl_ord_ids()) std::fprintf(stderr, "  cl_ord_id: %s\n", id.empty() ? "(userref)" : id.c_str());
      if (!detail.order_id().empty()) std::fprintf(stderr, "  order_id: %s\n", detail.order_id().c_str());
      return 3;
    }
  }
  return 1;
}

int usage(const std::string& problem) {
  std::fprintf(stderr, "kgwctl: %s\n", problem.c_str());
  return 2;
}

void prepare(grpc::ClientContext& ctx, const Context& c) { ctx.set_deadline(std::chrono::system_clock::now() + c.timeout); }

void set_read(v1::ReadOptions& read, const Context& c) { read.set_policy(c.route); }

bool integer_option(const Args& a, const std::string& name, std::int64_t lo, std::int64_t hi, std::int64_t& out) {
  const auto text = a.get(name);
  if (!text) return true;
  const auto v = parse_integer<std::int64_t>(*text);
  if (!v || *v < lo || *v > hi) {
    usage(fmt::format("--{}: expected an integer from {} to {}, not '{}'", name, lo, hi, *text));
    return false;
  }
  out = *v;
  return true;
}

std::string duration_text(std::int64_t ns) {
  if (ns < 1'000'000) return fmt::format("{}us", ns / 1000);
  if (ns < 1'000'000'000) return fmt::format("{:.1f}ms", static_cast<double>(ns) / 1e6);
  return fmt::format("{:.1f}s", static_cast<double>(ns) / 1e9);
}

std::string source_text(const v1::ReadMeta& m) {
  std::string s;
  switch (m.source()) {
    case v1::READ_SOURCE_WS_CACHE: s = "cache " + duration_text(m.age_ns()); break;
    case v1::READ_SOURCE_REST: s = "rest"; break;
    case v1::READ_SOURCE_GATEWAY: s = "gateway"; break;
    default: s = "?"; break;
  }
  if (!m.fallback_reason().empty()) s += " (" + m.fallback_reason() + ")";
  if (m.stale()) s += " STALE";
  return s;
}

std::string time_text(std::int64_t ns) {
  if (ns == 0) return "-";
  const std::time_t secs = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03}Z", buf, (ns / 1'000'000) % 1000);
}

}  // namespace kgw::ctl
