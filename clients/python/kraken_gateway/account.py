"""Account methods of ``Kraken`` (the SDK's names and defaults) over the gateway's Account
service. They need the gateway to hold a Kraken API key (or run with ``--sim``)."""

from __future__ import annotations

from typing import Any, Dict, Optional

from kgw.v1 import account_pb2

from . import kraken_shapes as shapes
from .connection import Connection
from .values import id_list, time_or_id

LEDGER_TYPES = tuple(shapes.words(account_pb2.LedgerType))


class AccountMethods:
    _conn: Connection

    def get_balance(self) -> Dict[str, str]:
        """Cash balance of every asset, net of pending withdrawals, keyed by Kraken's REST asset
        id: ``{"ZUSD": "1234.56", "XXBT": "0.5"}``. From the gateway's balances cache when
        fresh, else Kraken REST."""
        req = account_pb2.GetBalanceRequest(read=self._conn.read_options())
        return shapes.balances(self._conn.call(self._conn.account.GetBalance, req))

    def get_trade_balance(self, asset: str = "ZUSD") -> Dict[str, str]:
        """Margin account summary in ``asset`` (any spelling): ``eb`` equivalent balance, ``tb``
        trade balance, ``m`` margin used, ``n`` unrealized P&L, ``c`` cost basis, ``v``
        valuation, ``e`` equity, ``mf`` free margin, and ``ml`` margin level (only with open
        positions, as Kraken sends it). Always Kraken REST."""
        if not isinstance(asset, str) or not asset:
            raise ValueError(f"asset: an asset name such as 'ZUSD', not {asset!r}")
        req = account_pb2.GetTradeBalanceRequest(asset=asset)
        req.read.CopyFrom(self._conn.rest_read_options())
        return shapes.trade_balance(self._conn.call(self._conn.account.GetTradeBalance, req))

    def get_positions(self) -> Dict[str, Dict[str, Any]]:
        """Open margin positions keyed by position id, in the shape of REST OpenPositions (with
        the ``value`` and ``net`` profit/loss calculations). Empty dict without positions."""
        req = account_pb2.GetPositionsRequest(docalcs=True, read=self._conn.read_options())
        resp = self._conn.call(self._conn.account.GetPositions, req)
        return {p.position_id: shapes.position(p) for p in resp.positions}

    def get_ledgers(self, asset: Optional[str] = None, ledger_type: str = "all", start: Any = None,
                    end: Any = None) -> Dict[str, Any]:
        """Ledger entries, newest first: ``{"ledger": {ledger_id: {refid, time, type, subtype,
        aclass, asset, amount, fee, balance}}, "count": n}`` (Kraken's first page of 50).

        ``asset``: one asset, a comma-separated string or a list; None for all. ``ledger_type``:
        all | deposit | withdrawal | trade | margin (or another of Kraken's ledger types).
        ``start`` (exclusive) and ``end`` (inclusive): unix seconds or a ledger id.
        """
        if not isinstance(ledger_type, str) or ledger_type not in LEDGER_TYPES:
            raise ValueError(f"ledger_type: one of {', '.join(LEDGER_TYPES)}, not {ledger_type!r}")
        req = account_pb2.GetLedgersRequest(type=shapes.value_of(account_pb2.LedgerType, ledger_type))
        if asset is not None:
            req.assets.extend(id_list(asset, "asset"))
        if (s := time_or_id(start, "start")) is not None:
            req.start.CopyFrom(s)
        if (e := time_or_id(end, "end")) is not None:
            req.end.CopyFrom(e)
        req.read.CopyFrom(self._conn.rest_read_options())
        resp = self._conn.call(self._conn.account.GetLedgers, req)
        out: Dict[str, Any] = {"ledger": {e.ledger_id: shapes.ledger_entry(e) for e in resp.entries}}
        out["count"] = resp.count if resp.HasField("count") else len(resp.entries)
        return out
