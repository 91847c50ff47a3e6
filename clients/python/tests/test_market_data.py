"""Every market-data method of Kraken against kraken-gatewayd --sim: the return shape of Kraken's
documentation example for the endpoint, from the cache and from REST alike, and what the values
say (pair ids as keys, string decimals, the spread's SDK order)."""

import decimal
import unittest

from kgw_testing import DaemonTestCase, ShapeAssertions, fixture, shape_problems, wait_until

from kraken_gateway import Kraken


class MarketData(DaemonTestCase, ShapeAssertions):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.k = Kraken(cls.addr)
        cls.rest = Kraken(cls.addr, read="rest")
        cache = Kraken(cls.addr, read="cache")
        # The feed is up once cached reads succeed, and the synthetic market has traded.
        wait_until(lambda: _ok(lambda: cache.get_ticker("XBTUSD")) and _ok(lambda: cache.get_orderbook("XBTUSD"))
                   and _ok(lambda: cache.get_ohlc("XBTUSD")) and cls.rest.get_recent_trades("XBTUSD")["XXBTZUSD"]
                   and cache.get_trades("BTC/USD")["XXBTZUSD"], 30, 0.2)
        cls.cache = cache

    @classmethod
    def tearDownClass(cls) -> None:
        for k in (cls.k, cls.rest, cls.cache):
            k.close()
        super().tearDownClass()

    def test_get_ticker_has_the_shape_of_rest_ticker_from_the_cache_and_from_rest(self) -> None:
        for k in (self.cache, self.rest):
            t = k.get_ticker("XBTUSD")
            self.assertEqual(list(t), ["XXBTZUSD"])
            self.assertShape("rest/docs_Ticker.json", t)
            x = t["XXBTZUSD"]
            self.assertLess(decimal.Decimal(x["b"][0]), decimal.Decimal(x["a"][0]))
            self.assertGreater(decimal.Decimal(x["c"][0]), 0)

    def test_get_ticker_takes_every_spelling_and_several_pairs(self) -> None:
        for spelling in ("XBTUSD", "XXBTZUSD", "XBT/USD", "BTC/USD"):
            self.assertEqual(list(self.k.get_ticker(spelling)), ["XXBTZUSD"], spelling)
        self.assertEqual(sorted(self.k.get_ticker(["XBTUSD", "ETHUSD"])), ["XETHZUSD", "XXBTZUSD"])
        self.assertEqual(sorted(self.k.get_ticker("XBTUSD,SOLUSD")), ["SOLUSD", "XXBTZUSD"])

    def test_get_orderbook_has_the_shape_of_rest_depth_best_first(self) -> None:
        for k in (self.cache, self.rest):
            b = k.get_orderbook("XBTUSD")
            self.assertShape("rest/docs_Depth.json", b)
            asks = [decimal.Decimal(a[0]) for a in b["XXBTZUSD"]["asks"]]
            bids = [decimal.Decimal(x[0]) for x in b["XXBTZUSD"]["bids"]]
            self.assertEqual(asks, sorted(asks))
            self.assertEqual(bids, sorted(bids, reverse=True))
            self.assertLess(bids[0], asks[0])

    def test_get_ohlc_has_the_shape_of_rest_ohlc_for_each_interval(self) -> None:
        for k in (self.cache, self.rest):
            o = k.get_ohlc("XBTUSD")
            self.assertShape("rest/docs_OHLC.json", o)
            self.assertIsInstance(o["last"], int)
        five = self.rest.get_ohlc("XBTUSD", interval=5)["XXBTZUSD"]
        self.assertTrue(all(row[0] % 300 == 0 for row in five), five[:3])
        with self.assertRaises(ValueError):
            self.k.get_ohlc("XBTUSD", interval=2)

    def test_get_recent_trades_has_the_shape_of_rest_trades_and_pages_with_last(self) -> None:
        t = self.k.get_recent_trades("XBTUSD")
        self.assertShape("rest/docs_Trades.json", t)
        self.assertIsInstance(t["last"], str)
        later = self.k.get_recent_trades("XBTUSD", since=t["last"])
        seen = {row[6] for row in t["XXBTZUSD"]}
        self.assertFalse(seen & {row[6] for row in later["XXBTZUSD"]})

    def test_get_spread_gives_records_in_the_sdks_order_bid_ask_ts(self) -> None:
        s = self.k.get_spread("XBTUSD")
        docs = fixture("rest/docs_Spread.json")
        # The documented deviation: Kraken's [ts, bid, ask] becomes [bid, ask, ts].
        sdk_docs = {"XXBTZUSD": [[bid, ask, ts] for ts, bid, ask in docs["XXBTZUSD"]], "last": docs["last"]}
        self.assertEqual(shape_problems(sdk_docs, s), [])
        bid, ask, ts = s["XXBTZUSD"][-1]
        self.assertLess(decimal.Decimal(bid), decimal.Decimal(ask))
        self.assertIsInstance(ts, int)
        self.assertLessEqual(ts, s["last"] + 1)

    def test_get_asset_pairs_has_the_shape_of_rest_asset_pairs_and_is_fetched_once(self) -> None:
        k = Kraken(self.addr)
        calls = lambda: self.metric("kgw_rpc_duration_seconds_count", code="0",  # noqa: E731
                                    method="/kgw.v1.MarketData/GetAssetPairs")
        before = calls()
        every = k.get_asset_pairs()
        self.assertShape("rest/docs_AssetPairs.json", every)
        self.assertIn("XXBTZUSD", every)
        btc = k.get_asset_pairs("XBTUSD")
        self.assertEqual(list(btc), ["XXBTZUSD"])
        self.assertEqual(k.get_asset_pairs(["BTC/USD", "ETHUSD"]).keys(), {"XXBTZUSD", "XETHZUSD"})
        x = btc["XXBTZUSD"]
        self.assertEqual((x["pair_decimals"], x["lot_decimals"], x["tick_size"], x["ordermin"], x["status"]),
                         (1, 8, "0.1", "0.00010000", "online"))
        self.assertEqual(calls() - before, 1)  # cached after the first call
        k.close()

    def test_get_trades_has_the_shape_of_rest_trades_from_the_trade_stream_cache(self) -> None:
        t = wait_until(lambda: self.k.get_trades("BTC/USD")["XXBTZUSD"] and self.k.get_trades("BTC/USD"), 20)
        self.assertShape("rest/docs_Trades.json", t)
        self.assertRegex(t["last"], r"^\d+$")
        self.assertEqual(int(t["last"]) // 10**9, int(t["XXBTZUSD"][-1][2]))

    def test_get_system_status_follows_the_simulators_status(self) -> None:
        s = self.k.get_system_status()
        self.assertShape("rest/docs_SystemStatus.json", s)
        self.assertEqual(s["status"], "online")
        self.assertRegex(s["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        try:
            self.admin_post("/status?value=post_only")
            self.assertEqual(wait_until(lambda: self.k.get_system_status()["status"] == "post_only"), True)
            self.assertEqual(self.rest.get_system_status()["status"], "post_only")
        finally:
            self.admin_post("/status?value=online")
        self.assertTrue(wait_until(lambda: self.k.get_system_status()["status"] == "online"))


def _ok(f) -> bool:
    try:
        f()
        return True
    except Exception:
        return False


if __name__ == "__main__":
    unittest.main()
