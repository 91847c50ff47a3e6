#include "kgw/core/json_writer.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

namespace kgw {
namespace {

TEST(JsonWriter, BuildsNestedDocumentsWithCommasInTheRightPlaces) {
  JsonWriter w;
  w.begin_object()
      .field("method", "add_order")
      .key("params")
      .begin_object()
      .field("order_qty", "x")
      .key("limit_price")
      .number(452852, 1)
      .key("list")
      .begin_array()
      .value(1)
      .value(true)
      .null()
      .end_array()
      .end_object()
      .field("req_id", 42)
      .end_object();
  EXPECT_EQ(w.str(), R"({"method":"add_order","params":{"order_qty":"x","limit_price":45285.2,"list":[1,true,null]},"req_id":42})");
}

TEST(JsonWriter, EscapesStringsSoAnyParserReadsThemBack) {
  JsonWriter w;
  const std::string nasty = "q\"b\\s\n\t\x01 end";
  w.begin_object().field("s", nasty).end_object();
  simdjson::dom::parser p;
  auto doc = p.parse(w.str());
  ASSERT_FALSE(doc.error());
  EXPECT_EQ(std::string(doc["s"].get_string().value()), nasty);
}

TEST(JsonWriter, WritesFixedPointAsNumberOrStringAtPrecision) {
  JsonWriter w;
  w.begin_array().number(100000, 8).decimal_string(303001, 1).number(-5, 1).end_array();
  EXPECT_EQ(w.str(), R"([0.00100000,"30300.1",-0.5])");
}

}  // namespace
}  // namespace kgw
