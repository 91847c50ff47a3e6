#pragma once
// What kgwctl prints: aligned tables for people, one JSON object per message with --json, and
// errors as the gateway sent them (Kraken's error strings verbatim, the field at fault), plus
// the small argument helpers every command shares.

#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>
#include <grpcpp/support/sync_stream.h>
#include <grpcpp/support/status.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "command.hpp"

namespace kgw::ctl {

// Column-aligned text table; the first row is the header.
class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print() const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

// One message as a JSON object on one line (the contract's field names).
void print_json(const google::protobuf::Message& m);
// Prints the failed call on stderr ("kgwctl: INVALID_ARGUMENT: pair: unknown pair 'X'", then
// Kraken's strings and the field from the ErrorDetail) and returns the exit code: 1, or 3 for an
// order whose outcome is unknown (the cl_ord_ids to look up are printed).
int report(const grpc::Status& status);
// Prints a usage problem on stderr and returns the exit code 2.
int usage(const std::string& problem);

// Reads a stream until it ends, `count` messages arrived (0: no limit), or the process is
// interrupted; each message as JSON or through `human`.
template <class Message, class Human>
int drain(grpc::ClientContext& ctx, grpc::ClientReader<Message>& reader, const Context& c, std::int64_t count, Human human) {
  Message m;
  std::int64_t n = 0;
  while ((count <= 0 || n < count) && reader.Read(&m)) {
    if (c.json) print_json(m);
    else human(m);
    std::fflush(stdout);
    ++n;
  }
  if (count > 0 && n >= count) {
    ctx.TryCancel();
    (void)reader.Finish();
    return 0;
  }
  const grpc::Status s = reader.Finish();
  return s.ok() ? 0 : report(s);
}

// The call's deadline from --timeout.
void prepare(grpc::ClientContext& ctx, const Context& c);

// One unary call: prints the response as JSON or with `human`, or reports the error.
template <class Response, class Call, class Human>
int unary(const Context& c, Call call, Human human) {
  grpc::ClientContext ctx;
  prepare(ctx, c);
  Response resp;
  const grpc::Status s = call(ctx, resp);
  if (!s.ok()) return report(s);
  if (c.json) print_json(resp);
  else human(resp);
  return 0;
}

// The read options every read request carries (--route).
void set_read(v1::ReadOptions& read, const Context& c);

// An integer option in [lo, hi]; false (usage printed) when present and not one.
bool integer_option(const Args& a, const std::string& name, std::int64_t lo, std::int64_t hi, std::int64_t& out);

// "cache 1.2ms", "rest", "rest (stale)" — where a read came from and how old it was.
std::string source_text(const v1::ReadMeta& meta);
// Unix nanoseconds as UTC "2024-05-01T12:00:00.123Z"; "-" for 0.
std::string time_text(std::int64_t unix_ns);
// Nanoseconds as "850us", "12.3ms", "4.0s".
std::string duration_text(std::int64_t ns);

}  // namespace kgw::ctl
