"""Stream methods of ``Kraken``: iterators over the gateway's server streams, each message in
the shape of a Kraken WebSocket v2 message (``{"channel", "type", "data": [...]}``, decimals as
strings, times as RFC 3339 text).

Leaving the ``for`` loop (``break``, an exception, or the iterator being garbage collected)
cancels the stream. The account streams (executions, balances) survive a lost connection: they
reconnect with backoff for up to ``reconnect_window`` seconds and resume after the last
(epoch, sequence) received, so no event is lost or repeated while the gateway still holds it;
when it does not (its ring moved on, or it restarted) the stream starts again with a snapshot.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Union

import grpc

from kgw.v1 import account_pb2, market_data_pb2, trading_pb2

from . import kraken_shapes as shapes
from .connection import Connection
from .errors import GatewayUnavailableError, error_from_rpc
from .market import OHLC_INTERVALS, _pair_arg
from .values import id_list

BOOK_DEPTHS = (10, 25, 100, 500, 1000)
# A dropped connection and the end of a stream the gateway was asked to keep open.
_RECONNECTABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.RESOURCE_EXHAUSTED, grpc.StatusCode.INTERNAL,
                  grpc.StatusCode.UNKNOWN)


def _pairs(pair: Union[str, List[str]]) -> List[str]:
    return [_pair_arg(p) for p in id_list(pair, "pair")]


class StreamMethods:
    _conn: Connection
    reconnect_window: float

    def _stream(self, start: Callable[[], Any], shape: Callable[[Any], Dict[str, Any]]) -> Iterator[Dict[str, Any]]:
        call = start()
        try:
            for event in call:
                yield shape(event)
        except grpc.RpcError as e:
            raise error_from_rpc(e, self._conn.addr) from None
        finally:
            call.cancel()

    def stream_ticker(self, pair: Union[str, List[str]] = "XBTUSD") -> Iterator[Dict[str, Any]]:
        """Ticker messages of one or more pairs: the current ticker first, then every update
        (``{"channel": "ticker", "type": "snapshot"|"update", "data": [{"symbol", "bid",
        "bid_qty", "ask", "ask_qty", "last", "volume", "vwap", "low", "high", "change",
        "change_pct", "timestamp"}]}``). A slow reader gets the latest ticker, never a backlog."""
        req = market_data_pb2.StreamTickerRequest(pairs=_pairs(pair))
        return self._stream(lambda: self._conn.market.StreamTicker(req), shapes.ticker_event)

    def stream_book(self, pair: Union[str, List[str]] = "XBTUSD", depth: int = 10) -> Iterator[Dict[str, Any]]:
        """Order books, each message the whole checksum-verified book to ``depth`` levels
        (10, 25, 100, 500 or 1000): ``{"channel": "book", "type": "snapshot", "data":
        [{"symbol", "bids": [{"price", "qty"}], "asks": [...], "checksum", "timestamp"}]}``."""
        if isinstance(depth, bool) or depth not in BOOK_DEPTHS:
            raise ValueError(f"depth: one of {', '.join(map(str, BOOK_DEPTHS))}, not {depth!r}")
        req = market_data_pb2.StreamBookRequest(pairs=_pairs(pair), depth=depth)
        return self._stream(lambda: self._conn.market.StreamBook(req), shapes.book_event)

    def stream_trades(self, pair: Union[str, List[str]] = "XBTUSD", snapshot: bool = False) -> Iterator[Dict[str, Any]]:
        """Public trades as they happen: ``{"channel": "trade", "type", "data": [{"symbol",
        "side", "price", "qty", "ord_type", "trade_id", "timestamp"}]}``; with ``snapshot``
        first the trades the gateway holds."""
        req = market_data_pb2.StreamTradesRequest(pairs=_pairs(pair), snapshot=bool(snapshot))
        return self._stream(lambda: self._conn.market.StreamTrades(req), shapes.trades_event)

    def stream_ohlc(self, pair: Union[str, List[str]] = "XBTUSD", interval: int = 1) -> Iterator[Dict[str, Any]]:
        """Candle updates (``{"channel": "ohlc", "type", "data": [{"symbol", "open", "high",
        "low", "close", "trades", "volume", "vwap", "interval_begin", "interval",
        "committed"}]}``) for an ``interval`` the gateway streams (its ``[feed]
        ohlc_intervals``)."""
        if isinstance(interval, bool) or interval not in OHLC_INTERVALS:
            raise ValueError(f"interval: one of {', '.join(map(str, OHLC_INTERVALS))} minutes, not {interval!r}")
        req = market_data_pb2.StreamOhlcRequest(pairs=_pairs(pair), interval_minutes=interval)
        return self._stream(lambda: self._conn.market.StreamOhlc(req), shapes.ohlc_event)

    def stream_executions(self, snap_orders: bool = True, snap_trades: bool = False,
                          pair: Optional[Union[str, List[str]]] = None) -> Iterator[Dict[str, Any]]:
        """The account's order and fill events (``{"channel": "executions", "type":
        "snapshot"|"update", "data": [{"exec_type", "order_id", "order_status", ...}],
        "sequence", "epoch"}``): first the open orders (``snap_orders``) and recent fills
        (``snap_trades``), then every event. Survives reconnects (see the module docstring)."""
        pairs = [] if pair is None else _pairs(pair)

        def request(epoch: Optional[int], sequence: Optional[int]) -> trading_pb2.StreamExecutionsRequest:
            req = trading_pb2.StreamExecutionsRequest(snap_orders=bool(snap_orders), snap_trades=bool(snap_trades),
                                                      pairs=pairs)
            if epoch is not None:
                req.resume_after_epoch, req.resume_after_sequence = epoch, sequence
            return req

        return self._resuming(lambda e, s: self._conn.trading.StreamExecutions(request(e, s)), shapes.executions_event)

    def stream_balances(self) -> Iterator[Dict[str, Any]]:
        """Balances: a snapshot of every asset (``{"channel": "balances", "type": "snapshot",
        "data": [{"asset", "asset_class", "balance", "wallets"}]}``), then one update per ledger
        transaction (``"data": [{"ledger_id", "ref_id", "timestamp", "type", "asset", "amount",
        "fee", "balance", ...}]``). Survives reconnects (see the module docstring)."""

        def request(epoch: Optional[int], sequence: Optional[int]) -> account_pb2.StreamBalancesRequest:
            req = account_pb2.StreamBalancesRequest(snapshot=True)
            if epoch is not None:
                req.resume_after_epoch, req.resume_after_sequence = epoch, sequence
            return req

        return self._resuming(lambda e, s: self._conn.account.StreamBalances(request(e, s)), shapes.balances_event)

    def _resuming(self, start: Callable[[Optional[int], Optional[int]], Any],
                  shape: Callable[[Any], Dict[str, Any]]) -> Iterator[Dict[str, Any]]:
        epoch: Optional[int] = None
        sequence: Optional[int] = None
        backoff = 0.1
        lost_at: Optional[float] = None
        while True:
            call = start(epoch, sequence)
            try:
                for event in call:
                    epoch, sequence = event.epoch, event.sequence
                    lost_at, backoff = None, 0.1
                    yield shape(event)
                failure: Optional[grpc.RpcError] = None
            except grpc.RpcError as e:
                failure = e
            finally:
                call.cancel()
            # Only a stream that delivered something is resumed; a first call that fails is the
            # caller's error to see (no key, gateway down, bad argument).
            if epoch is None or (failure is not None and failure.code() not in _RECONNECTABLE):
                if failure is None:
                    return
                raise error_from_rpc(failure, self._conn.addr) from None
            now = time.monotonic()
            lost_at = lost_at if lost_at is not None else now
            if now - lost_at > self.reconnect_window:
                raise GatewayUnavailableError(
                    f"kraken-gatewayd at {self._conn.addr} did not come back within {self.reconnect_window:g} s "
                    f"of losing the stream (last epoch {epoch}, sequence {sequence})."
                )
            time.sleep(backoff)
            backoff = min(backoff * 2, 2.0)
            try:
                grpc.channel_ready_future(self._conn.channel).result(
                    timeout=max(0.1, self.reconnect_window - (time.monotonic() - lost_at)))
            except grpc.FutureTimeoutError:
                pass  # the window check above decides on the next round
