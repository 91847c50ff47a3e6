"""The SDK's three recipes (clients/python/examples), run unchanged by the build's kgw-worker
against kraken-gatewayd --sim, and what they did as the simulator records it (Kraken REST through
the gateway): the DCA buy filled for about $50, ten grid orders rest at the recipe's prices, and
the spread maker worked from a real bid and ask (and quoted inside it when it was wide)."""

import decimal
import json
import os
import tempfile
import time
import unittest

from kgw_testing import EXAMPLES, DaemonTestCase, run_worker, wait_until

from kraken_gateway import Kraken

D = decimal.Decimal


def read_state(path: str) -> dict:
    with open(path, encoding="utf-8") as f:
        return json.load(f)


class RecipeCase(DaemonTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.rest = Kraken(cls.addr, read="rest")

    @classmethod
    def tearDownClass(cls) -> None:
        cls.rest.close()
        super().tearDownClass()

    def setUp(self) -> None:
        self.dir = tempfile.mkdtemp(dir=self.workdir)

    def recipe(self, name: str, state: str, *args: str):
        run = run_worker([os.path.join(EXAMPLES, name), "--addr", self.addr, "--state", state, "--ticks", "1", *args])
        self.assertEqual(run.returncode, 0, run.stderr)
        return run


class LiveMarket(RecipeCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        wait_until(lambda: cls.rest.get_recent_trades("XBTUSD")["XXBTZUSD"], 30, 0.3)

    def tearDown(self) -> None:
        self.rest.cancel_all_orders()

    def test_dca_buys_fifty_dollars_once_an_hour_and_not_while_the_exchange_is_down(self) -> None:
        state = os.path.join(self.dir, "dca.json")
        self.recipe("dca_hourly.py", state)
        first = read_state(state)
        txid = first["last_order"]
        order = wait_until(lambda: self.rest.query_orders(txid)[txid]["status"] == "closed"
                           and self.rest.query_orders(txid)[txid], 10, 0.5)
        self.assertTrue(order, "the DCA market buy did not fill")
        self.assertEqual((order["descr"]["type"], order["descr"]["ordertype"]), ("buy", "market"))
        cost = D(order["cost"])
        self.assertGreater(cost, D("49.5"), order)
        self.assertLess(cost, D("50.5"), order)
        self.assertLessEqual(abs(D(order["vol"]) * D(order["price"]) - cost), D("0.01"))

        # Within the hour: no second buy.
        self.recipe("dca_hourly.py", state)
        self.assertEqual(read_state(state), first)

        # The exchange in maintenance an hour later: a warning, no buy.
        with open(state, "w", encoding="utf-8") as f:
            json.dump({**first, "last_buy": time.time() - 3601}, f)
        try:
            self.admin_post("/status?value=maintenance")
            wait_until(lambda: self.rest.get_system_status()["status"] == "maintenance")
            run = self.recipe("dca_hourly.py", state)
            self.assertIn("WARNING dca_hourly: exchange is maintenance, not buying", run.stderr)
            self.assertEqual(read_state(state)["last_order"], txid)
        finally:
            self.admin_post("/status?value=online")
        wait_until(lambda: self.rest.get_system_status()["status"] == "online")

        # Online again, an hour after the last buy: it buys.
        self.recipe("dca_hourly.py", state)
        self.assertNotEqual(read_state(state)["last_order"], txid)

    def test_layered_grid_rests_five_buys_and_five_sells_half_a_percent_apart(self) -> None:
        bid = D(self.rest.get_orderbook("XBTUSD")["XXBTZUSD"]["bids"][0][0])
        stale = self.rest.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=str((bid * D("0.8")).quantize(D("0.1"))))
        state = os.path.join(self.dir, "grid.json")
        self.recipe("layered_grid.py", state)
        px = read_state(state)["centre"]
        self.assertEqual(self.rest.query_orders(stale["txid"][0])[stale["txid"][0]]["status"], "canceled")
        step = px * 0.005
        want = {("buy", str(round(px - i * step, 1))) for i in range(1, 6)} | \
               {("sell", str(round(px + i * step, 1))) for i in range(1, 6)}
        open_orders = self.rest.get_orders()["open"].values()
        got = {(o["descr"]["type"], o["descr"]["price"]) for o in open_orders}
        self.assertEqual(got, want)
        self.assertEqual({o["vol"] for o in open_orders}, {"0.00050000"})
        self.assertEqual(sorted(read_state(state)["grid"]), sorted(self.rest.get_orders()["open"]))
        # The centre was the last trade's price when the grid was laid.
        self.assertIn(D(str(px)), {D(t[0]) for t in self.rest.get_recent_trades("XBTUSD")["XXBTZUSD"]})

    def test_spread_maker_works_from_a_real_bid_and_ask(self) -> None:
        state = os.path.join(self.dir, "spread.json")
        self.recipe("spread_maker.py", state)
        last = read_state(state)["last"]
        records = {(float(b), float(a)) for b, a, _ in self.rest.get_spread("XBTUSD")["XXBTZUSD"]}
        self.assertIn((last["bid"], last["ask"]), records)
        mid = (last["bid"] + last["ask"]) / 2
        self.assertAlmostEqual(last["spread_bps"], (last["ask"] - last["bid"]) / mid * 1e4, places=9)
        if last["spread_bps"] <= 5:  # the synthetic market's usual spread: it stays out
            self.assertNotIn("quotes", read_state(state))
            self.assertEqual(self.rest.get_orders(), {"open": {}})


class WideSpread(RecipeCase):
    """A frozen market whose book is the test's: a bid and an ask 50 USD (8 bps) apart."""

    frozen_market = True

    def test_spread_maker_quotes_one_tick_inside_a_wide_spread(self) -> None:
        self.rest.place_order("XBTUSD", "buy", "0.001", ordertype="limit", price="62800.0")
        self.rest.place_order("XBTUSD", "sell", "0.001", ordertype="limit", price="62850.0")
        self.assertEqual(self.rest.get_spread("XBTUSD")["XXBTZUSD"][-1][:2], ["62800.00000", "62850.00000"])
        state = os.path.join(self.dir, "spread.json")
        run = self.recipe("spread_maker.py", state)
        self.assertIn("quoting 62800.1 / 62849.9", run.stderr)
        s = read_state(state)
        self.assertEqual((s["last"]["bid"], s["last"]["ask"]), (62800.0, 62850.0))
        self.assertAlmostEqual(s["last"]["spread_bps"], 50 / 62825 * 1e4, places=9)
        quotes = self.rest.query_orders(s["quotes"])
        got = {(o["descr"]["type"], o["descr"]["price"], o["status"]) for o in quotes.values()}
        self.assertEqual(got, {("buy", "62800.1", "open"), ("sell", "62849.9", "open")})
        self.assertTrue(all("post" in o["oflags"] for o in quotes.values()))
        # It replaced what rested before (cancel_all_orders): only its quotes are open.
        self.assertEqual(set(self.rest.get_orders()["open"]), set(s["quotes"]))


if __name__ == "__main__":
    unittest.main()
