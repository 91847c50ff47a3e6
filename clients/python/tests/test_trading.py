"""Every order and account method of Kraken against kraken-gatewayd --sim (the simulator's demo
account): the shape of Kraken's documentation example for the endpoint, and what the simulator
then holds (read back through Kraken REST, not the gateway's caches)."""

import decimal
import unittest

from kgw_testing import DaemonTestCase, ShapeAssertions, wait_until

from kraken_gateway import Kraken

D = decimal.Decimal


class Trading(DaemonTestCase, ShapeAssertions):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.k = Kraken(cls.addr)
        cls.rest = Kraken(cls.addr, read="rest")
        wait_until(lambda: cls.rest.get_recent_trades("XBTUSD")["XXBTZUSD"], 30, 0.2)
        cls.bid = D(cls.rest.get_orderbook("XBTUSD")["XXBTZUSD"]["bids"][0][0])

    @classmethod
    def tearDownClass(cls) -> None:
        cls.k.close()
        cls.rest.close()
        super().tearDownClass()

    def tearDown(self) -> None:
        self.k.cancel_all_orders()

    def far_bid(self, pct: int = 10) -> str:
        """A buy price ``pct`` % under the market, on BTC/USD's tick of 0.1."""
        return str((self.bid * (100 - pct) / 100).quantize(D("0.1")))

    def test_place_order_market_has_the_shape_of_add_order_and_fills(self) -> None:
        r = self.k.place_order("XBTUSD", "buy", 0.0002)
        self.assertShape("rest/docs_AddOrder.json", r)
        self.assertEqual(r["descr"]["order"], "buy 0.00020000 XBTUSD @ market")
        txid = r["txid"][0]
        o = wait_until(lambda: self.rest.query_orders(txid)[txid]["status"] == "closed" and self.rest.query_orders(txid),
                       every=0.5)
        self.assertTrue(o, "the market order did not fill")
        self.assertEqual(o[txid]["vol_exec"], "0.00020000")

    def test_place_order_sends_a_float_volume_as_the_decimal_it_prints_as(self) -> None:
        r = self.k.place_order("XBTUSD", "buy", 1.5e-4, ordertype="limit", price=float(self.far_bid()))
        txid = r["txid"][0]
        o = self.rest.query_orders(txid)[txid]
        self.assertEqual(o["vol"], "0.00015000")
        self.assertEqual(o["descr"]["price"], self.far_bid())
        self.assertEqual(o["status"], "open")

    def test_place_order_limit_with_time_in_force_post_only_and_cl_ord_id(self) -> None:
        r = self.k.place_order("XBTUSD", "buy", "0.0003", ordertype="limit", price=self.far_bid(), time_in_force="GTC",
                               post_only=True, cl_ord_id="py-limit-1")
        self.assertEqual(r["cl_ord_id"], "py-limit-1")
        o = self.rest.query_orders(r["txid"][0])[r["txid"][0]]
        self.assertIn("post", o["oflags"])
        self.assertEqual(o["cl_ord_id"], "py-limit-1")
        ioc = self.k.place_order("XBTUSD", "buy", "0.0003", ordertype="limit", price=self.far_bid(), time_in_force="IOC")
        tx = ioc["txid"][0]
        self.assertEqual(wait_until(lambda: self.rest.query_orders(tx)[tx]["status"] == "canceled", every=0.5), True)

    def test_place_order_triggered_types_gtd_and_validate(self) -> None:
        stop = self.k.place_order("XBTUSD", "sell", "0.0002", ordertype="stop-loss", price=self.far_bid())
        self.assertEqual(stop["descr"]["order"], f"sell 0.00020000 XBTUSD @ stop loss {self.far_bid()}")
        tp = self.k.place_order("XBTUSD", "sell", "0.0002", ordertype="take-profit-limit",
                                price=str(self.bid * 2), price2=str(self.bid * 2))
        gtd = self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=self.far_bid(),
                                 time_in_force="GTD", expire_time="+3600")
        got = self.rest.query_orders([stop["txid"][0], tp["txid"][0], gtd["txid"][0]])
        self.assertEqual([o["descr"]["ordertype"] for o in got.values()], ["stop-loss", "take-profit-limit", "limit"])
        self.assertEqual({o["status"] for o in got.values()}, {"open"})
        g = got[gtd["txid"][0]]
        self.assertAlmostEqual(g["expiretm"] - g["opentm"], 3600, delta=2)
        checked = self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=self.far_bid(), validate=True)
        self.assertNotIn("txid", checked)
        self.assertEqual(len(self.rest.get_orders()["open"]), 3)

    def test_place_order_with_leverage_opens_a_margin_position(self) -> None:
        self.k.place_order("XBTUSD", "buy", "0.0004", leverage=2)
        positions = wait_until(lambda: self.k.get_positions(), 40, 0.2)
        self.assertShape("rest/docs_OpenPositions.json", positions)
        self.assertEqual({p["pair"] for p in positions.values()}, {"XXBTZUSD"})
        self.assertShape("rest/docs_OpenPositions.json", self.rest.get_positions())
        # With a position, TradeBalance has every field of the documentation example (ml too).
        tb = self.k.get_trade_balance()
        self.assertShape("rest/docs_TradeBalance.json", tb)
        self.assertGreater(D(tb["m"]), 0)
        self.k.place_order("XBTUSD", "sell", "0.0004", leverage=2, reduce_only=True)
        self.assertEqual(wait_until(lambda: not self.rest.get_positions(), 20, 0.5), True)

    def test_edit_order_amends_in_place_keeping_the_order_id(self) -> None:
        r = self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=self.far_bid())
        txid = r["txid"][0]
        amended = self.k.edit_order(txid, "XBTUSD", volume="0.0003", price=self.far_bid(11))
        self.assertShape("rest/docs_AmendOrder.json", amended)
        o = self.rest.query_orders(txid)[txid]  # the same id: an amend, not a cancel/replace
        self.assertEqual((o["status"], o["vol"], o["descr"]["price"]), ("open", "0.00030000", self.far_bid(11)))
        self.assertIn("amended", o["misc"])
        with self.assertRaises(ValueError):
            self.k.edit_order(txid, "XBTUSD")

    def test_cancel_order_by_txid_cl_ord_id_and_userref(self) -> None:
        a = self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=self.far_bid())["txid"][0]
        c = self.k.cancel_order(a)
        self.assertShape("rest/docs_CancelOrder.json", c)
        self.assertEqual(c["count"], 1)
        self.assertEqual(self.rest.query_orders(a)[a]["status"], "canceled")
        self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=self.far_bid(), cl_ord_id="py-cancel-me")
        self.assertEqual(self.k.cancel_order("py-cancel-me")["count"], 1)

    def test_cancel_all_orders_cancels_every_open_order(self) -> None:
        for pct in (10, 11, 12):
            self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=self.far_bid(pct))
        r = self.k.cancel_all_orders()
        self.assertShape("rest/docs_CancelAll.json", r)
        self.assertEqual(r["count"], 3)
        self.assertEqual(self.rest.get_orders(), {"open": {}})

    def test_batch_add_places_up_to_fifteen_orders_and_one_order_works_too(self) -> None:
        orders = [{"ordertype": "limit", "type": "buy", "volume": "0.0002", "price": self.far_bid(10 + i)} for i in range(15)]
        r = self.k.batch_add(orders, pair="XBTUSD")
        self.assertShape("rest/docs_AddOrderBatch.json", r)
        self.assertEqual(len(r["orders"]), 15)
        open_orders = self.rest.get_orders()["open"]
        self.assertEqual(sorted(o["descr"]["price"] for o in open_orders.values()), sorted(o["price"] for o in orders))
        one = self.k.batch_add([{"ordertype": "limit", "type": "buy", "volume": "0.0002", "price": self.far_bid(30)}],
                               pair="XBTUSD")
        self.assertShape("rest/docs_AddOrderBatch.json", one)
        self.assertIn(one["orders"][0]["txid"], self.rest.get_orders()["open"])
        with self.assertRaises(ValueError):
            self.k.batch_add(orders + orders[:1], pair="XBTUSD")
        with self.assertRaises(ValueError):
            self.k.batch_add([{"ordertype": "limit", "type": "buy", "volume": "1", "prize": "1"}], pair="XBTUSD")

    def test_batch_add_validate_places_nothing(self) -> None:
        orders = [{"ordertype": "limit", "type": "buy", "volume": "0.0002", "price": self.far_bid(10 + i)} for i in range(2)]
        r = self.k.batch_add(orders, pair="XBTUSD", validate=True)
        self.assertEqual(len(r["orders"]), 2)
        self.assertNotIn("txid", r["orders"][0])
        self.assertEqual(self.rest.get_orders(), {"open": {}})

    def test_batch_cancel_cancels_the_orders_named(self) -> None:
        orders = [{"ordertype": "limit", "type": "buy", "volume": "0.0002", "price": self.far_bid(10 + i)} for i in range(3)]
        ids = [o["txid"] for o in self.k.batch_add(orders, pair="XBTUSD")["orders"]]
        r = self.k.batch_cancel(ids[:2])
        self.assertShape("rest/docs_CancelOrderBatch.json", r)
        self.assertEqual(r["count"], 2)
        self.assertEqual(list(self.rest.get_orders()["open"]), ids[2:])

    def test_get_orders_has_the_shape_of_open_orders_from_the_cache_and_from_rest(self) -> None:
        tx = self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=self.far_bid())["txid"][0]
        cached = wait_until(lambda: tx in self.k.get_orders()["open"] and self.k.get_orders())
        for orders in (cached, self.rest.get_orders()):
            self.assertShape("rest/docs_OpenOrders.json", orders)
            o = orders["open"][tx]
            self.assertEqual((o["status"], o["descr"]["pair"], o["descr"]["type"], o["descr"]["ordertype"]),
                             ("open", "XBTUSD", "buy", "limit"))
            self.assertEqual(o["descr"]["order"], f"buy 0.00020000 XBTUSD @ limit {self.far_bid()}")

    def test_query_orders_takes_one_txid_or_a_list(self) -> None:
        a = self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=self.far_bid())["txid"][0]
        b = self.k.place_order("XBTUSD", "buy", "0.0002")["txid"][0]
        one = self.k.query_orders(a)
        self.assertEqual(list(one), [a])
        # The documentation's example holds closed orders; an open one has OpenOrders' fields.
        self.assertShape("rest/docs_OpenOrders.json", {"open": one})
        both = wait_until(lambda: self.k.query_orders([a, b], trades=True)[b]["status"] == "closed"
                          and self.k.query_orders([a, b], trades=True), every=0.5)
        self.assertEqual(list(both), [a, b])
        self.assertShape("rest/docs_QueryOrders.json", {b: both[b]})
        self.assertTrue(both[b]["trades"])

    def test_get_closed_orders_has_the_shape_of_closed_orders(self) -> None:
        tx = self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=self.far_bid())["txid"][0]
        self.k.cancel_order(tx)
        closed = self.k.get_closed_orders()
        self.assertShape("rest/docs_ClosedOrders.json", closed)
        self.assertEqual(closed["closed"][tx]["status"], "canceled")
        self.assertEqual(closed["closed"][tx]["reason"], "User requested")
        self.assertGreaterEqual(closed["count"], 1)

    def test_get_trades_history_has_the_shape_of_trades_history(self) -> None:
        tx = self.k.place_order("XBTUSD", "sell", "0.0002")["txid"][0]
        history = wait_until(lambda: any(t["ordertxid"] == tx for t in self.k.get_trades_history()["trades"].values())
                             and self.k.get_trades_history(), every=1.0)
        self.assertShape("rest/docs_TradesHistory.json", history)
        mine = [t for t in history["trades"].values() if t["ordertxid"] == tx]
        self.assertEqual(sum(D(t["vol"]) for t in mine), D("0.0002"))
        self.assertEqual({t["type"] for t in mine}, {"sell"})
        self.assertEqual(self.k.get_trades_history("no position", start=0)["count"], history["count"])
        with self.assertRaises(ValueError):
            self.k.get_trades_history("some")

    def test_get_balance_has_the_shape_of_balance(self) -> None:
        for k in (self.k, self.rest):
            b = k.get_balance()
            self.assertShape("rest/docs_Balance.json", b)
            self.assertGreater(D(b["ZUSD"]), 0)
            self.assertGreater(D(b["XXBT"]), 0)

    def test_get_ledgers_filters_by_asset_type_and_time(self) -> None:
        ledgers = self.k.get_ledgers()
        self.assertShape("rest/docs_Ledgers.json", ledgers)
        deposits = self.k.get_ledgers(ledger_type="deposit")["ledger"]
        self.assertTrue(deposits)
        self.assertEqual({e["type"] for e in deposits.values()}, {"deposit"})
        usd = self.k.get_ledgers(asset="ZUSD", ledger_type="deposit")["ledger"]
        self.assertEqual({e["asset"] for e in usd.values()}, {"ZUSD"})
        newest = max(e["time"] for e in ledgers["ledger"].values())
        self.assertEqual(self.k.get_ledgers(start=int(newest) + 1)["ledger"], {})
        with self.assertRaises(ValueError):
            self.k.get_ledgers(ledger_type="gift")


if __name__ == "__main__":
    unittest.main()
