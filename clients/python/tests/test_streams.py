"""The stream iterators of Kraken against kraken-gatewayd --sim: each message in the shape of
Kraken's WebSocket v2 documentation example for its channel (decimals as strings), leaving the
loop cancels the stream, and the executions stream resumes after a lost connection without
losing or repeating an event."""

import queue
import socket
import threading
import time
import unittest
from typing import Any, Dict, Iterator, List, Optional

from kgw_testing import DaemonTestCase, ShapeAssertions, fixture, shape_problems, wait_until

from kraken_gateway import Kraken


class Collector:
    """Reads an iterator on a thread of its own, so that tests wait on it with a bound."""

    def __init__(self, it: Iterator[Dict[str, Any]]) -> None:
        self.messages: "queue.Queue[Dict[str, Any]]" = queue.Queue()
        self.error: Optional[BaseException] = None
        self._thread = threading.Thread(target=self._run, args=(it,), daemon=True)
        self._thread.start()

    def _run(self, it: Iterator[Dict[str, Any]]) -> None:
        try:
            for m in it:
                self.messages.put(m)
        except BaseException as e:  # the test reads it
            self.error = e

    def until(self, pred, limit: float = 15.0) -> List[Dict[str, Any]]:
        """Messages up to and including the first that satisfies ``pred``; fails after ``limit``."""
        got: List[Dict[str, Any]] = []
        deadline = time.monotonic() + limit
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no such message within {limit:g} s (error {self.error!r}); got {got[-3:]}")
            try:
                m = self.messages.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            got.append(m)
            if pred(m):
                return got


class TcpProxy:
    """A loopback TCP relay in front of the daemon whose connections a test can cut."""

    def __init__(self, target: str) -> None:
        host, port = target.rsplit(":", 1)
        self.target = (host, int(port))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.conns: List[socket.socket] = []
        self.accepted = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target, timeout=5)
            upstream.settimeout(None)
            with self.lock:
                self.conns += [client, upstream]
                self.accepted += 1
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        with self.lock:
            conns, self.conns = self.conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self.listener.close()
        self.cut()


class Streams(DaemonTestCase, ShapeAssertions):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.k = Kraken(cls.addr)
        wait_until(lambda: cls.k.get_recent_trades("XBTUSD")["XXBTZUSD"], 30, 0.3)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.k.close()
        super().tearDownClass()

    def first(self, it: Iterator[Dict[str, Any]], pred=lambda m: True, limit: float = 15.0) -> Dict[str, Any]:
        c = Collector(it)
        return c.until(pred, limit)[-1]

    def test_stream_ticker_yields_v2_ticker_messages(self) -> None:
        m = self.first(self.k.stream_ticker("XBTUSD"))
        self.assertEqual(m["type"], "snapshot")
        self.assertEqual(m["data"][0]["symbol"], "BTC/USD")
        self.assertShape("ws_v2/docs_ticker_update_ALGOUSD.json", {**m, "type": "update"}, decimal_strings=True)

    def test_stream_book_yields_whole_checksummed_books(self) -> None:
        m = self.first(self.k.stream_book(["XBTUSD", "ETH/USD"], depth=10), lambda m: m["data"][0]["bids"])
        self.assertShape("ws_v2/docs_book_update_MATICUSD.json", {**m, "type": "update"}, decimal_strings=True)
        book = m["data"][0]
        self.assertEqual((len(book["bids"]), len(book["asks"])), (10, 10))
        self.assertLess(float(book["bids"][0]["price"]), float(book["asks"][0]["price"]))

    def test_stream_trades_yields_v2_trade_messages(self) -> None:
        m = self.first(self.k.stream_trades("XBTUSD"), lambda m: m["data"], 30)
        self.assertShape("ws_v2/docs_trade_update_MATICUSD.json", {**m, "type": "update"}, decimal_strings=True)
        self.assertIn(m["data"][0]["side"], ("buy", "sell"))

    def test_stream_ohlc_yields_v2_candles(self) -> None:
        m = self.first(self.k.stream_ohlc("XBTUSD", interval=1), lambda m: m["data"])
        self.assertShape("ws_v2/docs_ohlc_update_MATICUSD.json", {**m, "type": "update"}, decimal_strings=True)
        self.assertEqual(m["data"][0]["interval"], 1)

    def test_leaving_the_loop_cancels_the_stream(self) -> None:
        it = self.k.stream_ticker("XBTUSD")
        next(it)
        it.close()  # what `break` does to the generator
        with self.assertRaises(StopIteration):
            next(it)

    def test_stream_executions_and_balances_follow_an_order(self) -> None:
        executions = Collector(self.k.stream_executions())
        balances = Collector(self.k.stream_balances())
        snap = balances.until(lambda m: m["type"] == "snapshot")[-1]
        self.assertShape("ws_v2/docs_balances_snapshot.json", snap, decimal_strings=True)
        executions.until(lambda m: m["type"] == "snapshot")
        txid = self.k.place_order("XBTUSD", "buy", "0.0002")["txid"][0]
        trade = executions.until(lambda m: any(x.get("order_id") == txid and x.get("exec_type") == "trade"
                                               for x in m["data"]))[-1]
        # One "trade" item per fill, with the fill's fields and the order's state, as Kraken sends.
        items = [x for x in trade["data"] if x["exec_type"] == "trade" and x["order_id"] == txid]
        self.assertEqual(len(items), 1, trade)
        item: Dict[str, Any] = items[0]
        docs = fixture("ws_v2/docs_executions_update_trade.json")
        del docs["data"][0]["order_userref"]  # only orders placed with a userref carry it
        self.assertEqual(shape_problems(docs, {**trade, "data": [item]}, decimal_strings=True), [])
        self.assertEqual((item["symbol"], item["side"], item["order_type"]), ("BTC/USD", "buy", "market"))
        update = balances.until(lambda m: m["type"] == "update")[-1]
        self.assertShape("ws_v2/docs_balances_update_deposit.json", {**update, "data": update["data"][:1]},
                         decimal_strings=True)
        self.assertEqual(update["data"][0]["type"], "trade")

    def test_stream_executions_resumes_after_a_lost_connection_without_losing_or_repeating(self) -> None:
        proxy = TcpProxy(self.tcp)
        far = Kraken(f"127.0.0.1:{proxy.port}", reconnect_window=20)
        try:
            c = Collector(far.stream_executions())
            c.until(lambda m: m["type"] == "snapshot")
            bid = float(self.k.get_orderbook("XBTUSD")["XXBTZUSD"]["bids"][0][0])
            price = str(round(bid * 0.9, 1))
            a = self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=price)["txid"][0]
            before = c.until(lambda m: any(x.get("order_id") == a for x in m["data"]))
            proxy.cut()
            # While the stream is down: an order it must not miss.
            b = self.k.place_order("XBTUSD", "buy", "0.0002", ordertype="limit", price=price)["txid"][0]
            after = c.until(lambda m: any(x.get("order_id") == b for x in m["data"]), 30)
            self.assertEqual([m["type"] for m in after], ["update"] * len(after), after)  # resumed, no snapshot
            seqs = [m["sequence"] for m in before + after if m["type"] == "update"]
            self.assertEqual(seqs, sorted(set(seqs)), "an event was repeated or reordered")
            self.assertEqual(len({m["epoch"] for m in before + after}), 1)
            self.assertGreaterEqual(proxy.accepted, 2)  # it really reconnected
        finally:
            self.k.cancel_all_orders()
            far.close()
            proxy.close()


if __name__ == "__main__":
    unittest.main()
