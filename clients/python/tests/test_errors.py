"""What Kraken raises: KrakenAPIError with Kraken's own strings (from the simulator, verbatim, or
the string Kraken gives for a rule the gateway checked first), NoApiKeyError from a gateway
without a key, GatewayUnavailableError when nothing listens, and ValueError/TypeError for
arguments the client can tell are wrong before sending anything."""

import decimal
import os
import shutil
import tempfile
import time
import unittest

import grpc
from kgw_testing import GATEWAYD, SIM, DaemonTestCase, Process, wait_until

from kraken_gateway import ExchangeAPIError, GatewayUnavailableError, Kraken, KrakenAPIError, NoApiKeyError


class KrakenErrors(DaemonTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.k = Kraken(cls.addr)
        wait_until(lambda: cls.k.get_recent_trades("XBTUSD")["XXBTZUSD"], 30, 0.3)
        bid = decimal.Decimal(cls.k.get_orderbook("XBTUSD")["XXBTZUSD"]["bids"][0][0])
        cls.far_bid = str((bid * decimal.Decimal("0.9")).quantize(decimal.Decimal("0.1")))

    @classmethod
    def tearDownClass(cls) -> None:
        cls.k.close()
        super().tearDownClass()

    def assertKraken(self, errors, call, *args, **kwargs) -> KrakenAPIError:
        with self.assertRaises(KrakenAPIError) as caught:
            call(*args, **kwargs)
        self.assertIsInstance(caught.exception, ExchangeAPIError)
        self.assertEqual(caught.exception.errors, errors, str(caught.exception))
        return caught.exception

    def test_an_order_below_ordermin_raises_order_minimum_not_met(self) -> None:
        e = self.assertKraken(["EOrder:Order minimum not met"], self.k.place_order, "XBTUSD", "buy", 3e-05)
        self.assertEqual(e.field, "volume")
        self.assertEqual(e.code, grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("0.00003", str(e))  # the float went out as the decimal it prints as

    def test_an_unknown_pair_raises_unknown_asset_pair(self) -> None:
        self.assertKraken(["EQuery:Unknown asset pair"], self.k.get_ticker, "NOPE")
        self.assertKraken(["EQuery:Unknown asset pair"], self.k.place_order, "NOPE", "buy", "1")

    def test_kraken_refusals_arrive_verbatim(self) -> None:
        self.assertKraken(["EOrder:Insufficient funds"], self.k.place_order, "XBTUSD", "buy", "100",
                          ordertype="limit", price=self.far_bid)
        # Kraken (and the simulator) answer a cancel of an unknown or closed order this way.
        self.assertKraken(["EOrder:Invalid order"], self.k.cancel_order, "OAAAAA-BBBBB-CCCCCC")
        self.assertEqual(self.k.get_orders(), {"open": {}})

    def test_an_error_injected_in_the_simulator_reaches_the_caller_with_its_classification(self) -> None:
        self.admin_post("/rest/error?error=EGeneral:Permission%20denied&count=1")
        e = self.assertKraken(["EGeneral:Permission denied"], self.k.get_recent_trades, "XBTUSD")
        self.assertEqual(e.code, grpc.StatusCode.PERMISSION_DENIED)
        self.assertEqual(e.classification, "rejected")

    def test_orders_in_maintenance_raise_service_unavailable(self) -> None:
        try:
            self.admin_post("/status?value=maintenance")
            wait_until(lambda: self.k.get_system_status()["status"] == "maintenance")
            e = self.assertKraken(["EService:Unavailable"], self.k.place_order, "XBTUSD", "buy", "0.001")
            self.assertEqual(e.classification, "retryable_not_executed")
        finally:
            self.admin_post("/status?value=online")

    def test_bad_arguments_raise_before_anything_is_sent(self) -> None:
        k = self.k
        cases = [
            (ValueError, k.place_order, ("XBTUSD", "hold", "1"), {}),
            (ValueError, k.place_order, ("XBTUSD", "buy", "1"), {"ordertype": "limt"}),
            (ValueError, k.place_order, ("XBTUSD", "buy", "abc"), {}),
            (ValueError, k.place_order, ("XBTUSD", "buy", "1e-5"), {}),
            (ValueError, k.place_order, ("XBTUSD", "buy", -1), {}),
            (ValueError, k.place_order, ("XBTUSD", "buy", float("nan")), {}),
            (TypeError, k.place_order, ("XBTUSD", "buy", True), {}),
            (TypeError, k.place_order, ("XBTUSD", "buy", None), {}),
            (ValueError, k.place_order, ("XBTUSD", "buy", "1"), {"leverage": 7}),
            (ValueError, k.place_order, ("XBTUSD", "buy", "1"), {"time_in_force": "DAY"}),
            (ValueError, k.place_order, ("", "buy", "1"), {}),
            (ValueError, k.get_ohlc, ("XBTUSD", 2), {}),
            (ValueError, k.query_orders, ([],), {}),
            (ValueError, k.cancel_order, ("",), {}),
            (ValueError, k.batch_add, ([{"ordertype": "limit", "type": "buy", "volume": "1", "price": "1"}] * 16,
                                       "XBTUSD"), {}),
            (TypeError, k.batch_add, ({"ordertype": "limit", "type": "buy", "volume": "1"}, "XBTUSD"), {}),
            (ValueError, k.get_ledgers, (), {"ledger_type": "gift"}),
            (ValueError, k.stream_book, ("XBTUSD", 7), {}),
        ]
        for exc, call, args, kwargs in cases:
            with self.subTest(call=call.__name__, args=args, kwargs=kwargs):
                with self.assertRaises(exc):
                    result = call(*args, **kwargs)
                    next(iter(result)) if call.__name__.startswith("stream_") else None
        self.assertEqual(k.get_orders(), {"open": {}})


class NoKey(unittest.TestCase):
    """The daemon against a simulator of its own (kraken-sim), without an API key."""

    @classmethod
    def setUpClass(cls) -> None:
        cls.workdir = tempfile.mkdtemp(prefix="kgw-py-nokey-")
        cls.sim = Process([SIM, "--rest-port", "0", "--ws-port", "0", "--ws-private-port", "0", "--admin-port", "0"],
                          cls.workdir, "kraken-sim")
        env = {k: v for k, v in os.environ.items()
               if k not in ("KRAKEN_API_KEY", "KRAKEN_API_SECRET", "CREDENTIALS_DIRECTORY")}
        try:
            cls.daemon = Process([GATEWAYD, "--rest-url", cls.sim.line("rest"), "--ws-public-url", cls.sim.line("ws-public"),
                                  "--ws-private-url", cls.sim.line("ws-private"), "--grpc-port", "0", "--metrics-port", "0",
                                  "--unix-socket", os.path.join(cls.workdir, "gw.sock")],
                                 cls.workdir, "kraken-gatewayd", env=env)
        except Exception:
            cls.sim.stop()
            shutil.rmtree(cls.workdir, ignore_errors=True)
            raise
        cls.k = Kraken("unix:" + os.path.join(cls.workdir, "gw.sock"))

    @classmethod
    def tearDownClass(cls) -> None:
        cls.k.close()
        cls.daemon.stop()
        cls.sim.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    def test_market_data_works_without_a_key(self) -> None:
        self.assertEqual(self.k.get_system_status()["status"], "online")
        self.assertIn("XXBTZUSD", self.k.get_asset_pairs("XBTUSD"))

    def test_account_and_order_calls_raise_a_runtime_error_saying_so_in_one_sentence(self) -> None:
        calls = [self.k.get_balance, self.k.get_trade_balance, self.k.get_ledgers, self.k.get_orders,
                 self.k.get_closed_orders, self.k.cancel_all_orders,
                 lambda: self.k.place_order("XBTUSD", "buy", "0.001"),
                 lambda: next(iter(self.k.stream_executions()))]
        for call in calls:
            with self.subTest(call=getattr(call, "__name__", "lambda")):
                with self.assertRaises(NoApiKeyError) as caught:
                    call()
                e = caught.exception
                self.assertIsInstance(e, RuntimeError)
                self.assertNotIsInstance(e, KrakenAPIError)
                text = str(e)
                self.assertIn("has no Kraken API key configured", text)
                self.assertTrue(text.endswith(".") and text.count(". ") == 0, text)


class GatewayDown(unittest.TestCase):
    def test_calls_raise_a_connection_error_that_is_a_runtime_error_naming_the_address(self) -> None:
        workdir = tempfile.mkdtemp(prefix="kgw-py-down-")
        addr = "unix:" + os.path.join(workdir, "nobody.sock")
        try:
            k = Kraken(addr, timeout=3)
            for call in (k.get_ticker, k.get_balance, lambda: next(iter(k.stream_ticker("XBTUSD")))):
                t0 = time.monotonic()
                with self.assertRaises(GatewayUnavailableError) as caught:
                    call()
                self.assertLess(time.monotonic() - t0, 3.5)
                self.assertIsInstance(caught.exception, ConnectionError)
                self.assertIsInstance(caught.exception, RuntimeError)
                self.assertIn(addr, str(caught.exception))
            k.close()
            tcp = Kraken("127.0.0.1:1", timeout=3)
            with self.assertRaises(GatewayUnavailableError):
                tcp.get_system_status()
            tcp.close()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
