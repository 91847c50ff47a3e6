// kraken-sim under hostile input, as a process: it will run inside the daemon, so whatever takes
// it down takes the product down. Each test sends what a hostile or broken client could send
// (deep nesting, huge and binary frames, invalid UTF-8, every field of a documented request with
// the wrong JSON type, seeded random mutations) to every port that reads a client's bytes, then
// asserts the process is alive, still answers a normal request on each port, and has not grown.

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "kgw/core/kraken/signing.hpp"
#include "kgw/core/secret.hpp"
#include "kgw_capture.hpp"
#include "kgw_process.hpp"
#include "kgw_raw_peer.hpp"
#include "kgw_test_fixtures.hpp"

namespace kgw::test {
namespace {

using namespace std::chrono_literals;

// How much a hostile request may leave behind in the simulator's resident memory (a release
// build settles ~2.3 MiB above its baseline after all of this suite's rounds). The sanitizers'
// shadow memory and allocators grow with every page touched, so their builds get more room.
// AddressSanitizer's quarantine holds freed memory on purpose (hundreds of MiB): there RSS
// measures the sanitizer, not the simulator, and the bound is not checked.
#if defined(__SANITIZE_ADDRESS__)
constexpr long kRssSlackKib = -1;
#elif defined(__SANITIZE_THREAD__)
constexpr long kRssSlackKib = 48 * 1024;
#else
constexpr long kRssSlackKib = 8 * 1024;
#endif

std::string nested_arrays(std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }
std::string nested_objects(std::size_t depth) {
  std::string s;
  for (std::size_t i = 0; i < depth; ++i) s += R"({"a":)";
  s += "1";
  s += std::string(depth, '}');
  return s;
}

class HostileInput : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{KGW_SIM_EXE, "--rest-port", "0", "--ws-port", "0", "--ws-private-port", "0",
                                 "--admin-port", "0", "--no-flow", "--log-level", "error"},
        20s);
    ASSERT_TRUE(sim_->ready()) << "kraken-sim did not print ready";
    rest_ = sim_->port("rest");
    ws_public_ = sim_->port("ws-public");
    ws_private_ = sim_->port("ws-private");
    admin_ = sim_->port("admin");
    // Warm every path once, so the baseline includes what a first normal request allocates.
    expect_serving();
    baseline_kib_ = sim_->rss_kib();
    ASSERT_GT(baseline_kib_, 0);
  }

  // The process is alive, every port still answers a normal request, and memory is back near
  // the baseline.
  void expect_serving(const std::string& after = "") {
    ASSERT_TRUE(sim_->alive()) << "kraken-sim died (" << sim_->how_it_ended() << ") " << after;
    const auto time = raw_http(rest_, "GET", "/0/public/Time");
    EXPECT_EQ(time.status, 200) << after;
    EXPECT_NE(time.body.find("unixtime"), std::string::npos) << after;
    for (unsigned short port : {ws_public_, ws_private_}) {
      RawWebSocket ws(port);
      ASSERT_TRUE(ws.open()) << "port " << port << " " << after;
      ASSERT_TRUE(ws.send_text(R"({"method":"ping","req_id":77})"));
      EXPECT_TRUE(ws.read_text_containing(R"("pong")")) << "port " << port << " " << after;
    }
    EXPECT_EQ(raw_http(admin_, "GET", "/health").status, 200) << after;
    if (baseline_kib_ > 0 && kRssSlackKib > 0) {
      EXPECT_LT(sim_->rss_kib() - baseline_kib_, kRssSlackKib) << after;
    }
  }

  // A signed private REST call with any body and content type (nonce first in the body's text,
  // as the caller wrote it).
  RawHttpResponse private_post(const std::string& method, const std::string& nonce, const std::string& body,
                               const std::string& content_type) {
    const std::string path = "/0/private/" + method;
    auto sig = kraken::api_sign(Secret(sim_->line("api-secret")), path, nonce, body);
    EXPECT_TRUE(sig);
    return raw_http(rest_, "POST", path,
                    {{"API-Key", sim_->line("api-key")}, {"API-Sign", sig ? *sig : ""}, {"Content-Type", content_type}},
                    body);
  }
  std::string next_nonce() { return std::to_string(++nonce_); }

  std::string websocket_token() {
    const std::string nonce = next_nonce();
    auto r = private_post("GetWebSocketsToken", nonce, "nonce=" + nonce, "application/x-www-form-urlencoded");
    const auto at = r.body.find(R"("token":")");
    EXPECT_NE(at, std::string::npos) << r.body;
    if (at == std::string::npos) return {};
    const auto from = at + 9;
    return r.body.substr(from, r.body.find('"', from) - from);
  }

  std::unique_ptr<ChildProcess> sim_;
  unsigned short rest_ = 0, ws_public_ = 0, ws_private_ = 0, admin_ = 0;
  long baseline_kib_ = 0;
  std::uint64_t nonce_ = 1;
};

TEST_F(HostileInput, DeepNestingOnThePublicWebSocketIsRefusedAsMalformed) {
  for (std::size_t depth : {10'000u, 100'000u}) {
    for (const std::string& frame : {nested_arrays(depth), nested_objects(depth)}) {
      RawWebSocket ws(ws_public_);
      ASSERT_TRUE(ws.open());
      ASSERT_TRUE(ws.send_text(frame));
      const auto reply = ws.read_text_containing(R"("success":false)");
      ASSERT_TRUE(reply) << "no refusal for nesting " << depth;
      EXPECT_NE(reply->find("Malformed request"), std::string::npos) << *reply;
      // The connection stays usable after a refusal.
      ASSERT_TRUE(ws.send_text(R"({"method":"ping","req_id":1})"));
      EXPECT_TRUE(ws.read_text_containing(R"("pong")"));
    }
    expect_serving("after nesting " + std::to_string(depth));
  }
}

TEST_F(HostileInput, DeepNestingOnThePrivateWebSocketBeforeAuthIsRefused) {
  for (std::size_t depth : {10'000u, 100'000u}) {
    RawWebSocket ws(ws_private_);
    ASSERT_TRUE(ws.open());
    ASSERT_TRUE(ws.send_text(R"({"method":"add_order","params":)" + nested_objects(depth) + "}"));
    EXPECT_TRUE(ws.read_text_containing(R"("success":false)")) << "nesting " << depth;
    expect_serving("after private nesting " + std::to_string(depth));
  }
}

TEST_F(HostileInput, DeepNestingInASignedRestJsonBodyIsInvalidArguments) {
  for (std::size_t depth : {10'000u, 100'000u}) {
    const std::string nonce = next_nonce();
    const std::string body = R"({"nonce":)" + nonce + R"(,"pair":)" + nested_arrays(depth) + "}";
    const auto r = private_post("AddOrder", nonce, body, "application/json");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, R"({"error":["EGeneral:Invalid arguments"]})");
    expect_serving("after REST nesting " + std::to_string(depth));
  }
}

TEST_F(HostileInput, AWideRequestIsRefusedBeforeItGrowsMemory) {
  // 60,000 distinct keys in one frame under the 1 MiB message limit.
  std::string frame = R"({"method":"subscribe","params":{)";
  for (int i = 0; i < 60'000; ++i) frame += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
  frame += "}}";
  ASSERT_LT(frame.size(), std::size_t{1} << 20);
  for (int i = 0; i < 5; ++i) {
    RawWebSocket ws(ws_public_);
    ASSERT_TRUE(ws.open());
    ASSERT_TRUE(ws.send_text(frame));
    const auto reply = ws.read_text_containing(R"("success":false)");
    ASSERT_TRUE(reply);
    EXPECT_NE(reply->find("Malformed request"), std::string::npos) << *reply;
  }
  expect_serving("after wide requests");
}

TEST_F(HostileInput, AKrakenShapedRequestFiveLevelsDeepIsStillRead) {
  // A batch order with a conditional close: the deepest request Kraken documents must pass the
  // nesting bound (it is refused for its token, which is the handler speaking, not the parser).
  RawWebSocket ws(ws_private_);
  ASSERT_TRUE(ws.open());
  ASSERT_TRUE(ws.send_text(kraken_fixture("ws_v2/docs_batch_add_request.json")));
  const auto reply = ws.read_text_containing(R"("success":false)");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->find("Malformed request"), std::string::npos) << *reply;
  EXPECT_NE(reply->find(R"("method":"batch_add")"), std::string::npos) << *reply;
}

TEST_F(HostileInput, NestedAndOversizedAdminRequestsAreRefusedWithA400) {
  for (std::size_t depth : {10'000u, 100'000u}) {
    const auto r = raw_http(admin_, "POST", "/rest/error", {{"Content-Type", "application/x-www-form-urlencoded"}},
                            "count=" + nested_arrays(depth));
    EXPECT_EQ(r.status, 400) << r.body.substr(0, 200);
  }
  const auto huge = raw_http(admin_, "POST", "/rest/delay", {}, std::string(4 << 20, 'x'));
  EXPECT_TRUE(huge.status == 413 || huge.status == 0) << huge.status;
  expect_serving("after hostile admin requests");
}

TEST_F(HostileInput, FramesOfOneFourAndSixteenMegabytesAreRefusedAndTheServerCarriesOn) {
  for (std::size_t mib : {1u, 4u, 16u}) {
    RawWebSocket ws(ws_public_);
    ASSERT_TRUE(ws.open());
    // A JSON request padded to the size, so one that fits is parsed in full.
    std::string frame = R"({"method":"ping","req_id":5,"pad":")";
    frame += std::string((mib << 20) - frame.size() - 2, 'x');
    frame += "\"}";
    ws.send_text(frame);  // the server may close before it has read it all
    std::optional<std::uint16_t> code;
    for (int i = 0; i < 3 && !code; ++i) {
      auto m = ws.read();
      if (!m) break;
      if (m->opcode == RawWebSocket::kClose)
        code = m->payload.size() >= 2 ? static_cast<std::uint16_t>((static_cast<std::uint8_t>(m->payload[0]) << 8) |
                                                                    static_cast<std::uint8_t>(m->payload[1]))
                                      : 1005;
      else if (m->payload.find("pong") != std::string::npos)
        code = 0;  // it fit and was answered
    }
    if (mib > 1) {
      EXPECT_EQ(code.value_or(1009), 1009) << mib << " MiB";  // too big: 1009 or a plain close
    }
    expect_serving("after a " + std::to_string(mib) + " MiB frame");
  }
  // A header that announces 16 MiB and then nothing: refused at the header, nothing buffered.
  RawWebSocket liar(ws_public_);
  ASSERT_TRUE(liar.open());
  liar.send_frame(RawWebSocket::kText, "{", true, std::uint64_t{16} << 20);
  EXPECT_EQ(liar.read_close_code().value_or(1009), 1009);
  expect_serving("after a lying frame header");
}

TEST_F(HostileInput, BinaryFramesAndInvalidUtf8GetAnErrorNotACrash) {
  RawWebSocket ws(ws_public_);
  ASSERT_TRUE(ws.open());
  const std::string bad_utf8 = "{\"method\":\"subscribe\",\"params\":{\"channel\":\"ticker\",\"symbol\":[\"\xC3\x28\xff\"]}}";
  ASSERT_TRUE(ws.send_text(bad_utf8));
  ws.read();  // Beast itself may close on invalid UTF-8 in a text frame (1007); either is fine
  RawWebSocket bin(ws_public_);
  ASSERT_TRUE(bin.open());
  ASSERT_TRUE(bin.send_frame(RawWebSocket::kBinary, std::string("\x00\x01\x02{\"method\":", 13)));
  bin.read();
  RawWebSocket bin_json(ws_public_);
  ASSERT_TRUE(bin_json.open());
  ASSERT_TRUE(bin_json.send_frame(RawWebSocket::kBinary, R"({"method":"ping","req_id":3})"));
  bin_json.read();
  expect_serving("after binary and invalid UTF-8 frames");
  // The same bytes in a signed REST body.
  const std::string nonce = next_nonce();
  const auto r = private_post("Balance", nonce, "nonce=" + nonce + "&asset=\xC3\x28\xff", "application/x-www-form-urlencoded");
  EXPECT_EQ(r.status, 200);
  expect_serving("after invalid UTF-8 on REST");
}

// Every value of a documented request, in turn, replaced with each JSON type.
class FieldPaths {
 public:
  explicit FieldPaths(const std::string& json) : doc_(parser_.parse(json).value()) { collect(doc_, {}); }
  const std::vector<std::vector<std::string>>& paths() const { return paths_; }
  // The document re-written with the value at `path` replaced by `replacement` (raw JSON).
  std::string with(const std::vector<std::string>& path, const std::string& replacement) const {
    std::string out;
    write(doc_, path, 0, replacement, out);
    return out;
  }

 private:
  void collect(simdjson::dom::element e, std::vector<std::string> at) {
    if (!at.empty()) paths_.push_back(at);
    if (e.is_object()) {
      const simdjson::dom::object o = e.get_object();
      for (auto [k, v] : o) {
        auto next = at;
        next.emplace_back(k);
        collect(v, next);
      }
    } else if (e.is_array()) {
      const simdjson::dom::array a = e.get_array();
      std::size_t i = 0;
      for (auto v : a) {
        auto next = at;
        next.push_back("#" + std::to_string(i++));
        collect(v, next);
      }
    }
  }
  static void write(simdjson::dom::element e, const std::vector<std::string>& path, std::size_t depth,
                    const std::string& replacement, std::string& out) {
    const bool on_path = depth <= path.size();
    if (on_path && depth == path.size()) {
      out += replacement;
      return;
    }
    if (e.is_object()) {
      out += '{';
      bool first = true;
      const simdjson::dom::object o = e.get_object();
      for (auto [k, v] : o) {
        if (!first) out += ',';
        first = false;
        out += '"';
        out += k;
        out += "\":";
        if (depth < path.size() && path[depth] == k) write(v, path, depth + 1, replacement, out);
        else out += simdjson::minify(v);
      }
      out += '}';
    } else if (e.is_array()) {
      out += '[';
      std::size_t i = 0;
      const simdjson::dom::array a = e.get_array();
      for (auto v : a) {
        if (i) out += ',';
        if (depth < path.size() && path[depth] == "#" + std::to_string(i)) write(v, path, depth + 1, replacement, out);
        else out += simdjson::minify(v);
        ++i;
      }
      out += ']';
    } else {
      out += simdjson::minify(e);
    }
  }

  simdjson::dom::parser parser_;
  simdjson::dom::element doc_;
  std::vector<std::vector<std::string>> paths_;
};

const std::vector<std::string> kWrongValues = {
    "0", "-1", "1.5e308", "1e400", "18446744073709551616", "\"\"", "\"x\"", "true", "null", "[]", "{}",
    "[[[1]]]", R"({"a":{"b":[1]}})", R"("\u0000")", "\"" + std::string(5000, 'y') + "\""};

// Sends every mutation of `fixture` on one connection; each must be answered (a refusal or an
// acceptance), and the connection must still answer a ping at the end.
void every_field_wrongly_typed(unsigned short port, const std::string& fixture, const std::string& token) {
  std::string request = kraken_fixture(fixture);
  if (const auto at = request.find(R"("token":")"); at != std::string::npos && !token.empty()) {
    const auto from = at + 9;
    request.replace(from, request.find('"', from) - from, token);
  }
  FieldPaths fields(request);
  RawWebSocket ws(port);
  ASSERT_TRUE(ws.open());
  std::size_t sent = 0;
  for (const auto& path : fields.paths())
    for (const auto& wrong : kWrongValues) {
      ASSERT_TRUE(ws.send_text(fields.with(path, wrong))) << fixture;
      ++sent;
    }
  // Every request gets an answer (a subscribe's may come after later pings: acks of a
  // subscription are sent with its snapshot), and then a ping still gets its pong: the
  // connection survived them all. Reads end at the socket's timeout, so this is bounded.
  std::size_t answered = 0;
  while (answered < sent) {
    auto t = ws.read_text();
    ASSERT_TRUE(t) << fixture << ": no more answers after " << answered << " of " << sent;
    if (t->rfind(R"({"channel":)", 0) != 0) ++answered;  // not channel data: an answer to a request
  }
  ASSERT_TRUE(ws.send_text(R"({"method":"ping","req_id":424242})"));
  EXPECT_TRUE(ws.read_text_containing("424242")) << fixture;
}

TEST_F(HostileInput, WrongJsonTypesInEveryFieldOfSubscribeAreAnswered) {
  every_field_wrongly_typed(ws_public_, "ws_v2/docs_book_subscribe_request.json", "");
  every_field_wrongly_typed(ws_public_, "ws_v2/docs_ticker_subscribe_request.json", "");
  every_field_wrongly_typed(ws_public_, "ws_v2/docs_ohlc_subscribe_request.json", "");
  expect_serving("after wrongly typed subscribes");
}

TEST_F(HostileInput, WrongJsonTypesInEveryFieldOfAddOrderAndFriendsAreAnswered) {
  const std::string token = websocket_token();
  ASSERT_FALSE(token.empty());
  for (const char* f : {"ws_v2/docs_add_order_request_limit.json", "ws_v2/docs_add_order_request_oto.json",
                        "ws_v2/docs_amend_order_request_advanced.json", "ws_v2/docs_edit_order_request.json",
                        "ws_v2/docs_cancel_order_request.json", "ws_v2/docs_batch_add_request.json",
                        "ws_v2/docs_batch_cancel_request.json", "ws_v2/docs_cancel_all_orders_after_request.json",
                        "ws_v2/docs_executions_subscribe_request.json"})
    every_field_wrongly_typed(ws_private_, f, token);
  expect_serving("after wrongly typed orders");
}

// Byte-level mutations: replace a byte, insert a structural character, truncate, duplicate a
// span, or wrap in deep nesting. `ascii` keeps the text valid UTF-8, so a WebSocket text frame
// reaches the simulator's parser instead of being closed by the transport's UTF-8 check.
std::string mutate(const std::string& in, std::mt19937_64& rng, bool ascii) {
  std::string s = in;
  auto pick = [&](std::size_t n) { return n == 0 ? std::size_t{0} : static_cast<std::size_t>(rng() % n); };
  static constexpr char kStructural[] = "{}[]\":,\\0123456789-.eE tfn";
  const int edits = 1 + static_cast<int>(pick(4));
  for (int i = 0; i < edits; ++i) {
    switch (pick(6)) {
      case 0:
        if (!s.empty()) s[pick(s.size())] = ascii ? static_cast<char>(0x20 + pick(0x5f)) : static_cast<char>(rng());
        break;
      case 1:
        s.insert(pick(s.size() + 1), 1, kStructural[pick(sizeof kStructural - 1)]);
        break;
      case 2:
        s.resize(pick(s.size() + 1));
        break;
      case 3:
        if (!s.empty()) {
          const std::size_t from = pick(s.size()), len = pick(s.size() - from + 1);
          s.insert(pick(s.size() + 1), s.substr(from, len));
        }
        break;
      case 4: {
        const std::size_t depth = 1 + pick(3000);
        s.insert(pick(s.size() + 1), nested_arrays(depth));
        break;
      }
      default:
        if (!s.empty()) s.erase(pick(s.size()), 1 + pick(8));
    }
  }
  return s;
}

TEST_F(HostileInput, SeededRandomMutationsOfDocumentedRequestsAndTheCaptureNeverTakeItDown) {
  std::vector<std::string> seeds;
  for (const char* f :
       {"ws_v2/docs_book_subscribe_request.json", "ws_v2/docs_ticker_subscribe_request.json",
        "ws_v2/docs_trade_subscribe_request.json", "ws_v2/docs_ohlc_subscribe_request.json",
        "ws_v2/docs_instrument_subscribe_request.json", "ws_v2/docs_ping_request.json",
        "ws_v2/docs_add_order_request_limit.json", "ws_v2/docs_add_order_request_oto.json",
        "ws_v2/docs_add_order_request_stop_loss.json", "ws_v2/docs_amend_order_request_advanced.json",
        "ws_v2/docs_edit_order_request.json", "ws_v2/docs_cancel_order_request.json",
        "ws_v2/docs_cancel_all_request.json", "ws_v2/docs_batch_add_request.json",
        "ws_v2/docs_batch_cancel_request.json", "ws_v2/docs_executions_subscribe_request.json",
        "ws_v2/docs_balances_subscribe_request.json"})
    seeds.push_back(kraken_fixture(f));
  const auto& capture = capture_frames();
  for (std::size_t i = 0; i < capture.size(); i += 50) seeds.push_back(capture[i]);
  const std::string token = websocket_token();
  for (auto& s : seeds)
    if (const auto at = s.find(R"("token":")"); at != std::string::npos) {
      const auto from = at + 9;
      s.replace(from, s.find('"', from) - from, token);
    }

  std::mt19937_64 rng(20261203);
  constexpr int kRounds = 4;           // a fresh connection per round and port
  constexpr int kPerConnection = 400;  // bounded: ~5,000 mutated requests in all
  for (int round = 0; round < kRounds; ++round) {
    for (unsigned short port : {ws_public_, ws_private_}) {
      RawWebSocket ws(port);
      ASSERT_TRUE(ws.open()) << "round " << round;
      for (int i = 0; i < kPerConnection; ++i) ASSERT_TRUE(ws.send_text(mutate(seeds[rng() % seeds.size()], rng, true)));
      // Requests are answered in order: the pong says every mutation was read, on a live connection.
      ASSERT_TRUE(ws.send_text(R"({"method":"ping","req_id":515151})"));
      EXPECT_TRUE(ws.read_text_containing("515151")) << "round " << round << " port " << port;
    }
    for (int i = 0; i < 100; ++i) {
      const std::string nonce = next_nonce();
      const std::string body = mutate(R"({"nonce":)" + nonce + R"(,"pair":"XBTUSD","type":"buy","ordertype":"limit",)"
                                      R"("price":"100.0","volume":"0.01","validate":true})",
                                      rng, false);
      private_post("AddOrder", nonce, body, "application/json");
      raw_http(rest_, "GET", "/0/public/" + mutate("Depth?pair=XBTUSD&count=5", rng, true));
      raw_http(admin_, "POST", mutate("/book/corrupt_checksum?symbol=BTC/USD&count=0", rng, true));
    }
    expect_serving("after mutation round " + std::to_string(round));
  }
}

}  // namespace
}  // namespace kgw::test
