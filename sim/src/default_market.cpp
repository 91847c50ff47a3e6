#include "kgw/sim/default_market.hpp"

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

std::vector<std::pair<std::string, std::string>> default_demo_balances() {
  return {{"ZUSD", "100000.0000"}, {"ZEUR", "50000.0000"}, {"XXBT", "2.0000000000"}, {"XETH", "25.0000000000"}};
}

std::vector<std::pair<std::string, std::string>> default_reference_prices() {
  return {{"XXBTZUSD", "62800.0"}, {"XETHZUSD", "3120.00"}, {"SOLUSD", "145.00"}, {"XXBTZEUR", "58100.0"},
          {"XETHXXBT", "0.04970"}};
}

}  // namespace kgw::sim
