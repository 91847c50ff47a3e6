// Kraken REST hot functions: building and signing an AddOrder request, parsing Ticker and a
// 100-level Depth response (issue #4 asks for these in ns/op).

#include <benchmark/benchmark.h>

#include <string>

#include "kgw/core/kraken/json.hpp"
#include "kgw/core/kraken/nonce.hpp"
#include "kgw/core/kraken/rest_client.hpp"
#include "kgw/core/kraken/rest_types.hpp"
#include "kgw/core/kraken/signing.hpp"

namespace {

void BM_BuildAndSignAddOrder(benchmark::State& state) {
  const kgw::Secret secret("kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==");
  auto nonces = kgw::kraken::NonceAuthority::open("", kgw::SystemClock::instance()).value();
  kgw::kraken::OrderRequest p;
  p.pair = "XBTUSD";
  p.side = kgw::kraken::Side::buy;
  p.type = kgw::kraken::OrderType::limit;
  p.volume = "1.25000000";
  p.price = "37500.0";
  p.cl_ord_id = "f1d2a3b4-0000-4000-8000-000000000001";
  for (auto _ : state) {
    auto params = kgw::kraken::rest_add_order(p).value();
    const std::string nonce = std::to_string(nonces->next().value());
    std::string body = "nonce=" + nonce;
    for (const auto& [k, v] : params) body += "&" + kgw::kraken::KrakenRestTransport::form_escape(k) + "=" +
                                              kgw::kraken::KrakenRestTransport::form_escape(v);
    auto sig = kgw::kraken::api_sign(secret, "/0/private/AddOrder", nonce, body);
    benchmark::DoNotOptimize(sig);
  }
}
BENCHMARK(BM_BuildAndSignAddOrder);

void BM_ParseTicker(benchmark::State& state) {
  const std::string json =
      R"({"XXBTZUSD":{"a":["30300.10000","1","1.000"],"b":["30300.00000","1","1.000"],"c":["30303.20000","0.00067643"],"v":["4083.67001100","4412.73601799"],"p":["30706.77771","30689.13205"],"t":[34619,38907],"l":["29868.30000","29868.30000"],"h":["31631.00000","31631.00000"],"o":"30502.80000"}})";
  for (auto _ : state) benchmark::DoNotOptimize(kgw::kraken::parse_ticker(json));
}
BENCHMARK(BM_ParseTicker);

void BM_ParseDepth100(benchmark::State& state) {
  std::string json = R"({"XXBTZUSD":{"asks":[)";
  for (int i = 0; i < 100; ++i)
    json += (i ? "," : "") + std::string("[\"") + std::to_string(30384 + i) + ".10000\",\"2.05900000\",1688671659]";
  json += R"(],"bids":[)";
  for (int i = 0; i < 100; ++i)
    json += (i ? "," : "") + std::string("[\"") + std::to_string(30383 - i) + ".00000\",\"1.11500000\",1688671636]";
  json += "]}}";
  for (auto _ : state) benchmark::DoNotOptimize(kgw::kraken::parse_depth(json));
}
BENCHMARK(BM_ParseDepth100);

}  // namespace
