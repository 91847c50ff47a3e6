#include "kgw/sim/default_market.hpp"

#include <fmt/format.h>

#include <cmath>

namespace kgw::sim {
namespace {

Decimal dec(const char* s) { return Decimal::parse(s).value(); }

// Kraken's standard spot fee schedule (volume in USD -> percent), as AssetPairs lists it.
std::vector<FeeTier> taker_fees() {
  return {{dec("0"), dec("0.26")},       {dec("50000"), dec("0.24")},   {dec("100000"), dec("0.22")},
          {dec("250000"), dec("0.2")},   {dec("500000"), dec("0.18")},  {dec("1000000"), dec("0.16")},
          {dec("2500000"), dec("0.14")}, {dec("5000000"), dec("0.12")}, {dec("10000000"), dec("0.1")}};
}
std::vector<FeeTier> maker_fees() {
  return {{dec("0"), dec("0.16")},       {dec("50000"), dec("0.14")},   {dec("100000"), dec("0.12")},
          {dec("250000"), dec("0.1")},   {dec("500000"), dec("0.08")},  {dec("1000000"), dec("0.06")},
          {dec("2500000"), dec("0.04")}, {dec("5000000"), dec("0.02")}, {dec("10000000"), dec("0")}};
}

Instrument pair(const char* key, const char* alt, const char* ws, const char* base, const char* quote, int price_dp,
                int cost_dp, const char* ordermin, const char* costmin, std::int64_t tick, std::vector<int> leverage,
                std::int64_t long_limit, std::int64_t short_limit) {
  Instrument in;
  in.rest_key = key;
  in.altname = alt;
  in.wsname = ws;
  in.base_asset = base;
  in.quote_asset = quote;
  in.price_precision = price_dp;
  in.qty_precision = 8;
  in.cost_precision = cost_dp;
  in.price_increment = tick;
  in.qty_min = dec(ordermin).to_fixed(8).value();
  in.cost_min = dec(costmin);
  in.leverage_buy = leverage;
  in.leverage_sell = leverage;
  in.fees_taker = taker_fees();
  in.fees_maker = maker_fees();
  in.fee_volume_currency = "ZUSD";
  in.margin_call = 80;
  in.margin_stop = 40;
  in.long_position_limit = long_limit;
  in.short_position_limit = short_limit;
  in.has_index = true;
  in.margin_initial = dec("0.2");
  return in;
}

Asset asset(const char* id, const char* alt, int decimals, int display, const char* margin_rate) {
  Asset a;
  a.margin_rate = dec(margin_rate);
  a.id = id;
  a.altname = alt;
  a.decimals = decimals;
  a.display_decimals = display;
  a.collateral_value = dec("1");
  return a;
}

}  // namespace

std::vector<Asset> default_assets() {
  return {asset("XXBT", "XBT", 10, 5, "0.01"), asset("XETH", "ETH", 10, 5, "0.02"), asset("SOL", "SOL", 10, 5, "0.02"),
          asset("ZUSD", "USD", 4, 2, "0.015"), asset("ZEUR", "EUR", 4, 2, "0.015")};
}

std::vector<Instrument> default_instruments() {
  return {
      pair("XXBTZUSD", "XBTUSD", "XBT/USD", "XXBT", "ZUSD", 1, 5, "0.0001", "0.5", 1, {2, 3, 4, 5}, 250, 200),
      pair("XETHZUSD", "ETHUSD", "ETH/USD", "XETH", "ZUSD", 2, 5, "0.002", "0.5", 1, {2, 3, 4, 5}, 2000, 1500),
      pair("SOLUSD", "SOLUSD", "SOL/USD", "SOL", "ZUSD", 2, 5, "0.02", "0.5", 1, {2, 3, 4}, 20000, 15000),
      pair("XXBTZEUR", "XBTEUR", "XBT/EUR", "XXBT", "ZEUR", 1, 5, "0.0001", "0.5", 1, {2, 3, 4, 5}, 250, 200),
      pair("XETHXXBT", "ETHXBT", "ETH/XBT", "XETH", "XXBT", 5, 6, "0.01", "0.00002", 1, {2, 3, 4, 5}, 1100, 400),
  };
}

std::vector<Asset> catalogue_assets() {
  auto out = default_assets();
  for (auto a : {asset("ADA", "ADA", 8, 6, "0.03"), asset("DOT", "DOT", 10, 8, "0.03"), asset("XXRP", "XRP", 8, 5, "0.03"),
                 asset("XLTC", "LTC", 10, 5, "0.03"), asset("XXDG", "XDG", 8, 2, "0.03"), asset("LINK", "LINK", 10, 5, "0.03"),
                 asset("MATIC", "MATIC", 10, 5, "0.03"), asset("ALGO", "ALGO", 8, 5, "0.03"), asset("ATOM", "ATOM", 8, 6, "0.03"),
                 asset("AVAX", "AVAX", 10, 5, "0.03"), asset("UNI", "UNI", 10, 5, "0.03"), asset("XXLM", "XLM", 8, 5, "0.03"),
                 asset("BCH", "BCH", 10, 5, "0.03"), asset("USDT", "USDT", 8, 4, "0.015"), asset("TRX", "TRX", 6, 6, "0.03")})
    out.push_back(a);
  return out;
}

std::vector<Instrument> catalogue_instruments() {
  auto out = default_instruments();
  const std::vector<int> none, some{2, 3};
  for (auto in : {
           pair("ADAUSD", "ADAUSD", "ADA/USD", "ADA", "ZUSD", 6, 8, "15", "0.5", 1, some, 1000000, 500000),
           pair("DOTUSD", "DOTUSD", "DOT/USD", "DOT", "ZUSD", 4, 8, "2", "0.5", 1, some, 100000, 50000),
           pair("XXRPZUSD", "XRPUSD", "XRP/USD", "XXRP", "ZUSD", 5, 8, "10", "0.5", 1, some, 1000000, 500000),
           pair("XLTCZUSD", "LTCUSD", "LTC/USD", "XLTC", "ZUSD", 2, 5, "0.05", "0.5", 1, some, 10000, 5000),
           pair("XDGUSD", "XDGUSD", "XDG/USD", "XXDG", "ZUSD", 7, 8, "30", "0.5", 1, some, 10000000, 5000000),
           pair("LINKUSD", "LINKUSD", "LINK/USD", "LINK", "ZUSD", 5, 8, "0.5", "0.5", 1, some, 100000, 50000),
           pair("MATICUSD", "MATICUSD", "MATIC/USD", "MATIC", "ZUSD", 4, 8, "10", "0.5", 1, none, 0, 0),
           pair("ALGOUSD", "ALGOUSD", "ALGO/USD", "ALGO", "ZUSD", 5, 8, "20", "0.5", 1, none, 0, 0),
           pair("ATOMUSD", "ATOMUSD", "ATOM/USD", "ATOM", "ZUSD", 4, 8, "1", "0.5", 1, some, 100000, 50000),
           pair("AVAXUSD", "AVAXUSD", "AVAX/USD", "AVAX", "ZUSD", 2, 5, "0.1", "0.5", 1, some, 50000, 25000),
           pair("UNIUSD", "UNIUSD", "UNI/USD", "UNI", "ZUSD", 3, 5, "1", "0.5", 1, none, 0, 0),
           pair("XXLMZUSD", "XLMUSD", "XLM/USD", "XXLM", "ZUSD", 6, 8, "40", "0.5", 1, some, 1000000, 500000),
           pair("BCHUSD", "BCHUSD", "BCH/USD", "BCH", "ZUSD", 2, 5, "0.02", "0.5", 1, some, 5000, 2500),
           pair("USDTZUSD", "USDTUSD", "USDT/USD", "USDT", "ZUSD", 4, 8, "5", "0.5", 1, none, 0, 0),
           pair("TRXUSD", "TRXUSD", "TRX/USD", "TRX", "ZUSD", 6, 8, "50", "0.5", 1, none, 0, 0),
           pair("SOLEUR", "SOLEUR", "SOL/EUR", "SOL", "ZEUR", 2, 5, "0.02", "0.5", 1, some, 20000, 15000),
           pair("XETHZEUR", "ETHEUR", "ETH/EUR", "XETH", "ZEUR", 2, 5, "0.002", "0.5", 1, {2, 3, 4, 5}, 2000, 1500),
       })
    out.push_back(in);
  return out;
}

namespace {
std::string synthetic_code(std::size_t i) { return fmt::format("S{:04}", i + 1); }
}  // namespace

std::vector<Asset> synthetic_assets(std::size_t n) {
  std::vector<Asset> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string code = synthetic_code(i);
    out.push_back(asset(code.c_str(), code.c_str(), 8, 5, "0.03"));
  }
  return out;
}

std::vector<Instrument> synthetic_instruments(std::size_t n) {
  std::vector<Instrument> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::string code = synthetic_code(i), key = code + "USD", ws = code + "/USD";
    out.push_back(pair(key.c_str(), key.c_str(), ws.c_str(), code.c_str(), "ZUSD", 4, 8, "1", "0.5", 1, {}, 0, 0));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> synthetic_reference_prices(std::size_t n) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(n);
  // 0.5 .. ~500: a price of 0.5 * 1.0047^(i mod 1470), four decimals.
  for (std::size_t i = 0; i < n; ++i) {
    const double px = 0.5 * std::pow(1.0047, static_cast<double>(i % 1470));
    out.emplace_back(synthetic_code(i) + "USD", fmt::format("{:.4f}", px));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> default_demo_balances() {
  return {{"ZUSD", "100000.0000"}, {"ZEUR", "50000.0000"}, {"XXBT", "2.0000000000"}, {"XETH", "25.0000000000"}};
}

std::vector<std::pair<std::string, std::string>> default_reference_prices() {
  return {{"XXBTZUSD", "62800.0"}, {"XETHZUSD", "3120.00"}, {"SOLUSD", "145.00"}, {"XXBTZEUR", "58100.0"},
          {"XETHXXBT", "0.04970"},
          // The catalogue's other pairs.
          {"ADAUSD", "0.450000"}, {"DOTUSD", "6.5000"}, {"XXRPZUSD", "0.52000"}, {"XLTCZUSD", "72.00"},
          {"XDGUSD", "0.1200000"}, {"LINKUSD", "14.00000"}, {"MATICUSD", "0.5600"}, {"ALGOUSD", "0.10000"},
          {"ATOMUSD", "8.0000"}, {"AVAXUSD", "35.00"}, {"UNIUSD", "7.000"}, {"XXLMZUSD", "0.110000"},
          {"BCHUSD", "380.00"}, {"USDTZUSD", "1.0000"}, {"TRXUSD", "0.120000"}, {"SOLEUR", "134.00"},
          {"XETHZEUR", "2890.00"}};
}

}  // namespace kgw::sim
