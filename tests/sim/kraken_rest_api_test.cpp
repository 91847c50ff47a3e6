// The simulator's REST front-end: authentication, nonce, permissions, call counter, faults, and
// the body encodings Kraken accepts.

#include <gtest/gtest.h>

#include "kgw/core/kraken/signing.hpp"
#include "kgw/sim/default_market.hpp"
#include "kgw/sim/kraken_rest_api.hpp"

namespace kgw::sim {
namespace {

class RestApi : public ::testing::Test {
 protected:
  ManualClock clock_;
  Exchange ex_{{default_assets(), default_instruments(), 5, kraken::Tier::intermediate}, clock_};
  MarketData md_{ex_};
  TokenStore tokens_{5};
  Faults faults_;
  KrakenRestApi api_{ex_, md_, tokens_, faults_};
  const std::string secret_ = "q+INlIikVemcqFtJu9CZk0QIXBMYRFpwKblA/N9iP61uGCMpsMa06ycI8VuwdxeqAvXnGPAnMIBYeiY1AoG67w==";
  AccountId id_ = 0;
  std::uint64_t nonce_ = 1000;

  void SetUp() override {
    id_ = ex_.add_account("demo", "KEY", Secret(secret_));
    for (auto& [a, v] : default_demo_balances()) ASSERT_TRUE(ex_.deposit(id_, a, v));
  }

  RestReply call(const std::string& method, const std::string& body, std::string key = "KEY", std::string sig = "",
                 const std::string& content_type = "") {
    const std::string path = "/0/private/" + method;
    if (sig.empty()) {
      const auto nonce_pos = body.find("nonce");
      std::string nonce = std::to_string(nonce_);
      if (nonce_pos != std::string::npos) {
        auto start = body.find_first_of("0123456789", nonce_pos);
        nonce = body.substr(start, body.find_first_not_of("0123456789", start) - start);
      }
      sig = kraken::api_sign(Secret(secret_), path, nonce, body).value();
    }
    return api_.handle(
        "POST", path,
        [&](std::string_view h) -> std::string_view {
          if (h == "API-Key") return key;
          if (h == "API-Sign") return sig;
          if (h == "Content-Type") return content_type;
          return "";
        },
        body);
  }
  std::string form(const std::string& rest = "") { return "nonce=" + std::to_string(++nonce_) + (rest.empty() ? "" : "&" + rest); }
};

TEST_F(RestApi, RejectsAnUnknownKeyABadSignatureAndAReusedNonce) {
  EXPECT_EQ(call("Balance", form(), "NOPE").body, R"({"error":["EAPI:Invalid key"]})");
  EXPECT_EQ(call("Balance", form(), "KEY", "AAAA").body, R"({"error":["EAPI:Invalid signature"]})");
  const std::string body = form();
  EXPECT_NE(call("Balance", body).body.find(R"("error":[])"), std::string::npos);
  EXPECT_EQ(call("Balance", body).body, R"({"error":["EAPI:Invalid nonce"]})");
  // A lower nonce is refused too.
  EXPECT_EQ(call("Balance", "nonce=5").body, R"({"error":["EAPI:Invalid nonce"]})");
}

TEST_F(RestApi, SignatureCoversTheExactBodyBytes) {
  const std::string body = form("asset=ZUSD");
  const std::string sig = kraken::api_sign(Secret(secret_), "/0/private/TradeBalance", std::to_string(nonce_), body).value();
  // Same signature, body re-encoded (order changed): rejected.
  const std::string reordered = "asset=ZUSD&nonce=" + std::to_string(nonce_);
  EXPECT_EQ(call("TradeBalance", reordered, "KEY", sig).body, R"({"error":["EAPI:Invalid signature"]})");
  EXPECT_NE(call("TradeBalance", body, "KEY", sig).body.find(R"("error":[])"), std::string::npos);
}

TEST_F(RestApi, AcceptsJsonBodiesSignedAsSent) {
  const std::string body = R"({"nonce":")" + std::to_string(++nonce_) +
                           R"(","ordertype":"limit","pair":"XBTUSD","price":"37500","type":"buy","volume":"1.25"})";
  auto r = call("AddOrder", body, "KEY", "", "application/json");
  EXPECT_NE(r.body.find(R"("txid":[")"), std::string::npos) << r.body;
}

TEST_F(RestApi, PermissionsAreEnforcedPerKey) {
  Permissions ro;
  ro.trade = false;
  ex_.add_account("readonly", "RO", Secret(secret_), ro);
  auto r = call("AddOrder", form("pair=XBTUSD&type=buy&ordertype=limit&volume=1&price=100.0"), "RO");
  EXPECT_EQ(r.body, R"({"error":["EGeneral:Permission denied"]})");
}

TEST_F(RestApi, CallCounterRefusesPastTheTierMaximumAndDecays) {
  // Intermediate: max 20, decay 0.5/s; Ledgers costs 2.
  int refused = 0;
  for (int i = 0; i < 15; ++i)
    if (call("Ledgers", form()).body == R"({"error":["EAPI:Rate limit exceeded"]})") ++refused;
  EXPECT_EQ(refused, 5);
  clock_.advance(std::chrono::seconds(10));  // 5 units decayed
  EXPECT_NE(call("Balance", form()).body.find(R"("error":[])"), std::string::npos);
  // Order entry does not use the REST counter.
  EXPECT_NE(call("AddOrder", form("pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=100.0")).body.find("txid"),
            std::string::npos);
}

TEST_F(RestApi, BatchOrdersInFormEncodingWithNestedKeys) {
  auto r = call("AddOrderBatch",
                form("pair=XBTUSD&orders[0][ordertype]=limit&orders[0][type]=buy&orders[0][volume]=0.01&orders[0][price]=100.0"
                     "&orders[1][ordertype]=limit&orders[1][type]=buy&orders[1][volume]=0.01&orders[1][price]=101.0"));
  EXPECT_NE(r.body.find(R"("orders":[{"txid")"), std::string::npos) << r.body;
  EXPECT_EQ(ex_.open_orders(id_).size(), 2u);
}

TEST_F(RestApi, FaultsAreAppliedAndCounted) {
  faults_.http_status = 502;
  faults_.http_status_count = 1;
  auto r = call("Balance", form());
  EXPECT_EQ(r.status, 502u);
  EXPECT_EQ(faults_.fired["http_status"], 1u);

  faults_.rest_error = "EService:Busy";
  faults_.rest_error_count = 1;
  EXPECT_EQ(call("Balance", form()).body, R"({"error":["EService:Busy"]})");
  EXPECT_EQ(faults_.fired["rest_error"], 1u);

  // Applied but the response is dropped: the order exists.
  faults_.rest_drop_response_count = 1;
  auto dropped = call("AddOrder", form("pair=XBTUSD&type=buy&ordertype=limit&volume=0.01&price=100.0&cl_ord_id=abc"));
  EXPECT_TRUE(dropped.drop);
  EXPECT_EQ(faults_.fired["rest_drop_response"], 1u);
  ASSERT_EQ(ex_.open_orders(id_).size(), 1u);
  EXPECT_EQ(*ex_.open_orders(id_)[0]->cl_ord_id, "abc");
  // Next call is normal.
  EXPECT_FALSE(call("Balance", form()).drop);
}

TEST_F(RestApi, PublicCallsNeedNoKeyAndUnknownPairsFail) {
  auto pub = [&](const std::string& t) {
    return api_.handle("GET", t, [](std::string_view) { return std::string_view(); }, "").body;
  };
  EXPECT_EQ(pub("/0/public/Ticker?pair=NOPE"), R"({"error":["EQuery:Unknown asset pair"]})");
  EXPECT_NE(pub("/0/public/Ticker?pair=BTC/USD").find("XXBTZUSD"), std::string::npos);
  EXPECT_NE(pub("/0/public/AssetPairs?pair=XBT/USD&info=margin").find(R"("margin_call":80)"), std::string::npos);
  EXPECT_EQ(api_.handle("GET", "/0/public/Nope", [](std::string_view) { return std::string_view(); }, "").status, 404u);
}

TEST_F(RestApi, WebSocketTokenIsValidFor15MinutesUnlessInUse) {
  auto r = call("GetWebSocketsToken", form());
  const auto pos = r.body.find(R"("token":")");
  ASSERT_NE(pos, std::string::npos);
  const std::string token = r.body.substr(pos + 9, 43);
  EXPECT_EQ(tokens_.validate(token, clock_.wall_now()), id_);
  clock_.advance(std::chrono::seconds(901));
  EXPECT_FALSE(tokens_.validate(token, clock_.wall_now()).has_value());
}

}  // namespace
}  // namespace kgw::sim
