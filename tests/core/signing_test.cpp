#include "kgw/core/kraken/signing.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "kgw_test_fixtures.hpp"

namespace kgw::kraken {
namespace {

// Every REST API-Sign vector in shared/kraken/vectors.json (official, third-party and the
// self-computed JSON-body cross-check), read from the file so nothing is retyped.
TEST(ApiSign, ReproducesEveryVectorInVectorsJson) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.load(test::shared_path("kraken/vectors.json"));
  int checked = 0;
  for (const char* list : {"vectors", "self_computed_cross_checks"}) {
    for (simdjson::dom::element v : doc[list].get_array()) {
      if (v["expected"]["API-Sign"].error()) continue;  // not a signature vector
      simdjson::dom::element in = v["inputs"];
      const std::string id(v["id"].get_string().value_unsafe());
      const std::string secret(in["private_key_base64"].get_string().value_unsafe());
      const std::string nonce(in["nonce"].get_string().value_unsafe());
      const std::string body(in["post_data"].get_string().value_unsafe());
      const std::string path(in["uri_path"].get_string().value_unsafe());
      const std::string expected(v["expected"]["API-Sign"].get_string().value_unsafe());
      auto sig = api_sign(Secret(secret), path, nonce, body);
      ASSERT_TRUE(sig) << id;
      EXPECT_EQ(*sig, expected) << id;
      EXPECT_TRUE(signatures_equal(*sig, expected));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 3);  // two published vectors and the JSON-body cross-check
}

TEST(ApiSign, ChangingAnyInputChangesTheSignature) {
  const Secret s("kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==");
  const auto base = api_sign(s, "/0/private/AddOrder", "1", "nonce=1").value();
  EXPECT_NE(api_sign(s, "/0/private/CancelOrder", "1", "nonce=1").value(), base);
  EXPECT_NE(api_sign(s, "/0/private/AddOrder", "2", "nonce=1").value(), base);
  EXPECT_NE(api_sign(s, "/0/private/AddOrder", "1", "nonce=2").value(), base);
  EXPECT_FALSE(signatures_equal(base, base.substr(1)));
}

TEST(ApiSign, RejectsASecretThatIsNotBase64WithoutEchoingIt) {
  auto r = api_sign(Secret("not*base64!"), "/0/private/Balance", "1", "nonce=1");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message().find("not*base64"), std::string::npos);
}

TEST(Base64, RoundTripsAllLengths) {
  std::string bytes;
  for (int i = 0; i < 70; ++i) {
    EXPECT_EQ(base64_decode(base64_encode(bytes)).value(), bytes);
    bytes.push_back(static_cast<char>(i * 37));
  }
  EXPECT_FALSE(base64_decode("abc"));
}

}  // namespace
}  // namespace kgw::kraken
