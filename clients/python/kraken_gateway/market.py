"""Market-data methods of ``Kraken`` (the SDK's names and defaults) over the gateway's
MarketData service. See ``Kraken`` for the class as a whole."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Union

from kgw.v1 import common_pb2, market_data_pb2

from . import kraken_shapes as shapes
from .connection import Connection
from .values import id_list

OHLC_INTERVALS = (1, 5, 15, 30, 60, 240, 1440, 10080, 21600)

Pairs = Union[str, List[str], None]


def _pair_arg(pair: Any, what: str = "pair") -> str:
    if not isinstance(pair, str) or not pair.strip():
        raise ValueError(f"{what}: a pair name such as 'XBTUSD' or 'BTC/USD', not {pair!r}")
    return pair.strip()


class MarketDataMethods:
    _conn: Connection

    def get_ticker(self, pair: Pairs = "XBTUSD") -> Dict[str, Dict[str, Any]]:
        """Ticker of one or more pairs, keyed by Kraken's REST pair id.

        ``pair``: a pair in any Kraken spelling (``XBTUSD``, ``XXBTZUSD``, ``XBT/USD``,
        ``BTC/USD``), a comma-separated string or a list of them; None for every pair.
        Returns ``{"XXBTZUSD": {"a": [ask, whole_lot_vol, lot_vol], "b": [...], "c": [last_price,
        last_lot], "v": [today, 24h], "p": [...], "t": [today, 24h], "l": [...], "h": [...],
        "o": open_today}}`` with string decimals (``t`` holds integers).

        Served from the gateway's WebSocket cache when it is fresh (no network hop), else by
        Kraken REST. The WebSocket ticker has no since-midnight values: from the cache, both
        halves of v/p/l/h are the rolling 24 h values, ``t`` is ``[0, 0]``, ``o`` is the price
        24 h ago and ``c[1]`` the size of the newest trade in the gateway's trade cache.
        """
        names = [] if pair is None else id_list(pair, "pair")
        req = market_data_pb2.GetTickerRequest(pairs=[_pair_arg(p) for p in names], read=self._conn.read_options())
        resp = self._conn.call(self._conn.market.GetTicker, req)
        out: Dict[str, Dict[str, Any]] = {}
        for t in resp.tickers:
            out[t.pair] = shapes.ticker(t, self._last_lot(t) if t.HasField("ws") else "0")
        return out

    def _last_lot(self, t: market_data_pb2.Ticker) -> str:
        """Size of the newest cached trade at the ticker's last price ("0" when unknown)."""
        req = market_data_pb2.GetTradesRequest(
            pair=t.pair, limit=1, read=common_pb2.ReadOptions(policy=common_pb2.READ_POLICY_CACHE_ONLY)
        )
        try:
            trades = self._conn.call(self._conn.market.GetTrades, req).trades
        except Exception:  # the lot is a courtesy; the ticker stands without it
            return "0"
        return trades[-1].volume if trades and trades[-1].price == t.ws.last else "0"

    def get_orderbook(self, pair: str = "XBTUSD") -> Dict[str, Dict[str, List[List[Any]]]]:
        """Order book of a pair: ``{"XXBTZUSD": {"asks": [[price, volume, timestamp], ...],
        "bids": [...]}}``, best first. From the cache: every level of the subscribed depth,
        checksum-verified; from REST: Kraken's default 100 levels."""
        req = market_data_pb2.GetOrderBookRequest(pair=_pair_arg(pair), read=self._conn.read_options())
        return shapes.book(self._conn.call(self._conn.market.GetOrderBook, req))

    def get_ohlc(self, pair: str = "XBTUSD", interval: int = 1) -> Dict[str, Any]:
        """OHLC candles: ``{"XXBTZUSD": [[time, open, high, low, close, vwap, volume, count],
        ...], "last": time}``, oldest first; the last candle may still be forming. ``interval``
        in minutes: 1, 5, 15, 30, 60, 240, 1440, 10080 or 21600."""
        if isinstance(interval, bool) or interval not in OHLC_INTERVALS:
            raise ValueError(f"interval: one of {', '.join(map(str, OHLC_INTERVALS))} minutes, not {interval!r}")
        req = market_data_pb2.GetOhlcRequest(pair=_pair_arg(pair), interval_minutes=interval,
                                             read=self._conn.read_options())
        return shapes.ohlc(self._conn.call(self._conn.market.GetOhlc, req))

    def get_recent_trades(self, pair: str = "XBTUSD", since: Optional[Union[str, int]] = None) -> Dict[str, Any]:
        """Public trades from Kraken REST: ``{"XXBTZUSD": [[price, volume, time, "b"|"s",
        "m"|"l", misc, trade_id], ...], "last": "<ns cursor>"}``, oldest first. ``since``: a
        previous answer's ``last`` (or unix seconds) to page forward."""
        req = market_data_pb2.GetRecentTradesRequest(pair=_pair_arg(pair))
        if since is not None:
            if isinstance(since, bool) or not isinstance(since, (str, int)):
                raise TypeError(f"since: a cursor string or unix seconds, not {since!r}")
            req.since = str(since)
        req.read.CopyFrom(self._conn.rest_read_options())
        resp = self._conn.call(self._conn.market.GetRecentTrades, req)
        return shapes.recent_trades(resp.pair, resp.trades, resp.last)

    def get_spread(self, pair: str = "XBTUSD", since: Optional[int] = None) -> Dict[str, Any]:
        """Recent best bid/ask of a pair from Kraken REST: ``{"XXBTZUSD": [[bid, ask, time],
        ...], "last": time}``, oldest first.

        Deviation from Kraken's REST, on purpose: Kraken sends each record as ``[time, bid,
        ask]``; the SDK documents ``[bid, ask, ts]`` and its users unpack ``bid, ask, _ =
        records[-1]``, so this client returns ``[bid, ask, ts]``. ``since``: unix seconds
        (a previous answer's ``last``).
        """
        req = market_data_pb2.GetSpreadRequest(pair=_pair_arg(pair))
        if since is not None:
            if isinstance(since, bool) or not isinstance(since, int):
                raise TypeError(f"since: unix seconds as an int, not {since!r}")
            req.since = since
        req.read.CopyFrom(self._conn.rest_read_options())
        return shapes.spread(self._conn.call(self._conn.market.GetSpread, req))

    def get_asset_pairs(self, pair: Pairs = None) -> Dict[str, Dict[str, Any]]:
        """Tradable pairs and their rules, keyed by REST pair id: altname, wsname, base, quote,
        pair_decimals, lot_decimals, cost_decimals, tick_size, ordermin, costmin, status, fee
        schedules, leverage levels, ... The table is fetched once and kept for the life of this
        object (later calls cost nothing). ``pair``: any spelling, a comma-separated string or a
        list; None for every pair."""
        names = None if pair is None else [_pair_arg(p) for p in id_list(pair, "pair")]
        return {p.pair: shapes.asset_pair(p) for p in self._conn.asset_pairs(names)}

    def get_trades(self, pair: str = "BTC/USD") -> Dict[str, Any]:
        """Recent public trades held by the gateway (fed by the WebSocket trade stream; no
        network hop; Kraken REST on a cache miss), in the shape of REST Trades:
        ``{"XXBTZUSD": [[price, volume, time, "b"|"s", "m"|"l", misc, trade_id], ...],
        "last": "<ns of the newest trade>"}``, oldest first."""
        req = market_data_pb2.GetTradesRequest(pair=_pair_arg(pair), read=self._conn.read_options())
        resp = self._conn.call(self._conn.market.GetTrades, req)
        last = str(resp.trades[-1].time_ns) if resp.trades else "0"
        return shapes.recent_trades(resp.pair, resp.trades, last)

    def get_system_status(self) -> Dict[str, str]:
        """Exchange status: ``{"status": "online" | "maintenance" | "cancel_only" |
        "post_only", "timestamp": "2023-07-06T18:52:00Z"}``."""
        req = market_data_pb2.GetSystemStatusRequest(read=self._conn.read_options())
        return shapes.system_status(self._conn.call(self._conn.market.GetSystemStatus, req))
