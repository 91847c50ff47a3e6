"""Order methods of ``Kraken`` (the SDK's names and defaults) over the gateway's Trading
service. They need the gateway to hold a Kraken API key (or run with ``--sim``).

Orders travel the gateway's default route (the private WebSocket when it is up, else REST) and
are never resent by the gateway: after an error whose ``classification`` is
``"unknown_outcome"``, look the order up by ``cl_ord_id`` before sending it again.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Iterable, List, Optional, Union

from kgw.v1 import common_pb2, trading_pb2

from . import kraken_shapes as shapes
from .connection import Connection
from .market import _pair_arg
from .values import decimal_text, id_list, positive_text, time_or_id, time_spec

ORDER_TYPES = tuple(shapes.words(common_pb2.OrderType, "-"))
TIME_IN_FORCE = ("GTC", "IOC", "GTD", "FOK")
TRADE_TYPES = tuple(shapes.words(trading_pb2.TradeHistoryType, " "))
MAX_BATCH = 15

_TXID = re.compile(r"^[A-Z0-9]{6}-[A-Z0-9]{5}-[A-Z0-9]{6}$")
# Kraken REST AddOrderBatch order keys this client takes (docs.kraken.com AddOrderBatch).
_BATCH_KEYS = {"ordertype", "type", "volume", "price", "price2", "leverage", "reduce_only", "timeinforce", "oflags",
               "cl_ord_id", "userref", "expiretm", "starttm", "displayvol", "stptype", "trigger"}


def _side(side: Any, what: str = "side") -> int:
    if side not in ("buy", "sell"):
        raise ValueError(f"{what}: 'buy' or 'sell', not {side!r}")
    return common_pb2.SIDE_BUY if side == "buy" else common_pb2.SIDE_SELL


def _order_type(ordertype: Any, what: str = "ordertype") -> int:
    if not isinstance(ordertype, str) or ordertype not in ORDER_TYPES:
        raise ValueError(f"{what}: one of {', '.join(ORDER_TYPES)}, not {ordertype!r}")
    return shapes.value_of(common_pb2.OrderType, ordertype)


def _tif(tif: Any, what: str = "time_in_force") -> int:
    if tif is None:
        return common_pb2.TIME_IN_FORCE_UNSPECIFIED
    if not isinstance(tif, str) or tif.upper() not in TIME_IN_FORCE:
        raise ValueError(f"{what}: one of {', '.join(TIME_IN_FORCE)}, not {tif!r}")
    return shapes.value_of(common_pb2.TimeInForce, tif)


def _leverage(leverage: Any, what: str = "leverage") -> str:
    if leverage is None or leverage == "none":
        return ""
    text = str(leverage).split(":")[0] if isinstance(leverage, str) else leverage
    try:
        n = int(text)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: None (spot) or 2 to 5, not {leverage!r}") from None
    if isinstance(leverage, bool) or not 2 <= n <= 5 or (isinstance(leverage, float) and leverage != n):
        raise ValueError(f"{what}: None (spot) or 2 to 5, not {leverage!r}")
    return str(n)


def _flag(value: Any, what: str) -> bool:
    if value in (True, False, "true", "false"):
        return value in (True, "true")
    raise ValueError(f"{what}: True or False, not {value!r}")


class TradingMethods:
    _conn: Connection

    # -- order entry ------------------------------------------------------------------------

    def place_order(self, pair: str, side: str, volume: Union[str, float, int], ordertype: str = "market",
                    price: Optional[Union[str, float, int]] = None, leverage: Optional[Union[int, str]] = None,
                    reduce_only: bool = False, time_in_force: Optional[str] = None, post_only: bool = False,
                    cl_ord_id: Optional[str] = None, *, price2: Optional[Union[str, float, int]] = None,
                    expire_time: Optional[Union[int, str]] = None, validate: bool = False) -> Dict[str, Any]:
        """Places an order; returns Kraken's AddOrder result ``{"descr": {"order": "buy
        0.00080 XBTUSD @ market"}, "txid": ["OU22CG-KLAF2-FWUDD7"]}`` (no ``txid`` when
        ``validate``), plus ``cl_ord_id``.

        ``side`` buy | sell; ``volume`` in base currency; ``ordertype`` market, limit, iceberg,
        stop-loss, take-profit, stop-loss-limit, take-profit-limit, trailing-stop,
        trailing-stop-limit or settle-position; ``price`` the limit price (limit) or trigger
        price (stop/take-profit; Kraken's relative ``+``/``-``/``#``/``%`` forms allowed);
        ``leverage`` None for spot, 2 to 5 for margin; ``time_in_force`` GTC (Kraken's
        default), IOC or GTD (needs ``expire_time``). Floats are sent as the decimal they print
        as (``3e-05`` -> ``"0.00003"``). Keyword-only extras beyond the SDK: ``price2`` (limit
        price of the *-limit types), ``expire_time`` (unix seconds or ``"+SECONDS"``),
        ``validate`` (Kraken checks the order without placing it).
        """
        req = trading_pb2.PlaceOrderRequest(
            pair=_pair_arg(pair),
            side=_side(side),
            order_type=_order_type(ordertype),
            volume=decimal_text(volume, "volume") if ordertype == "settle-position" else positive_text(volume, "volume"),
            leverage=_leverage(leverage),
            reduce_only=_flag(reduce_only, "reduce_only"),
            time_in_force=_tif(time_in_force),
            post_only=_flag(post_only, "post_only"),
            validate=_flag(validate, "validate"),
        )
        if price is not None:
            req.price = decimal_text(price, "price", allow_relative=True)
        if price2 is not None:
            req.price2 = decimal_text(price2, "price2", allow_relative=True)
        if cl_ord_id is not None:
            if not isinstance(cl_ord_id, str) or not cl_ord_id:
                raise ValueError(f"cl_ord_id: a UUID or up to 18 ASCII characters, not {cl_ord_id!r}")
            req.cl_ord_id = cl_ord_id
        if (t := time_spec(expire_time, "expire_time")) is not None:
            req.expire_time.CopyFrom(t)
        resp = self._conn.call(self._conn.trading.PlaceOrder, req)
        descr = resp.descr.order or shapes.descr_text(side, req.volume, self._conn.pair(pair), ordertype, req.price,
                                                      f"{req.leverage}:1" if req.leverage else "")
        out: Dict[str, Any] = {"descr": {"order": descr}}
        if resp.descr.close:
            out["descr"]["close"] = resp.descr.close
        if not resp.validated_only:
            out["txid"] = list(resp.txids) or [resp.order_id]
        if resp.cl_ord_id:
            out["cl_ord_id"] = resp.cl_ord_id
        return out

    def edit_order(self, order_id: str, pair: str, volume: Optional[Union[str, float, int]] = None,
                   price: Optional[Union[str, float, int]] = None, post_only: Optional[bool] = None) -> Dict[str, Any]:
        """Modifies an unfilled (or partly filled) open order in place, keeping its id and its
        queue priority where Kraken can: this is Kraken's AmendOrder, not the legacy
        cancel-and-replace EditOrder. Returns ``{"amend_id": "TEZA4R-DSDGT-IJBOJK"}``.

        ``order_id``: the Kraken txid (or the order's cl_ord_id); ``pair``: the order's pair
        (sent to Kraken for xStocks, which need it); ``volume``: the new total quantity;
        ``price``: the new limit price; ``post_only``: refuse a new price that would take
        liquidity. Fields left None keep their value.
        """
        p = self._conn.pair(_pair_arg(pair))
        if volume is None and price is None:
            raise ValueError("edit_order: give volume, price or both")
        req = trading_pb2.AmendOrderRequest()
        self._target(req, order_id, allow_userref=False)
        if volume is not None:
            req.order_qty = positive_text(volume, "volume")
        if price is not None:
            req.limit_price = decimal_text(price, "price", allow_relative=True)
        if post_only is not None:
            req.post_only = _flag(post_only, "post_only")
        if p.aclass_base == "tokenized_asset":
            req.pair = p.pair
        resp = self._conn.call(self._conn.trading.AmendOrder, req)
        return {"amend_id": resp.amend_id}

    def cancel_order(self, order_id: Union[str, int]) -> Dict[str, Any]:
        """Cancels an open order: ``order_id`` is a Kraken txid, a cl_ord_id, or an integer
        userref (which cancels every order carrying it). Returns ``{"count": n}`` (plus
        ``"pending": True`` while Kraken is still cancelling)."""
        req = trading_pb2.CancelOrderRequest()
        self._target(req, order_id, allow_userref=True)
        resp = self._conn.call(self._conn.trading.CancelOrder, req)
        out: Dict[str, Any] = {"count": resp.count}
        if resp.pending:
            out["pending"] = True
        return out

    def cancel_all_orders(self) -> Dict[str, Any]:
        """Cancels every open order of the account; returns ``{"count": n}``."""
        resp = self._conn.call(self._conn.trading.CancelAllOrders, trading_pb2.CancelAllOrdersRequest())
        out: Dict[str, Any] = {"count": resp.count}
        if resp.pending:
            out["pending"] = True
        return out

    def batch_add(self, orders: List[Dict[str, Any]], pair: str, validate: bool = False) -> Dict[str, Any]:
        """Places 1 to 15 orders on one pair at once; returns Kraken's AddOrderBatch result
        ``{"orders": [{"txid": ..., "descr": {"order": ...}}, ...]}`` in request order, where an
        order the engine refused alone reads ``{"error": "EOrder:Insufficient funds"}``.

        Each order is a dict with Kraken's keys and string values: ``ordertype``, ``type``
        (buy | sell), ``volume``, ``price``, and optionally ``price2``, ``leverage``,
        ``reduce_only``, ``timeinforce``, ``oflags`` (comma list: post, fcib, fciq, viqc),
        ``cl_ord_id``, ``userref``, ``expiretm``, ``starttm``, ``displayvol``, ``stptype``,
        ``trigger``. A batch Kraken refuses as a whole raises KrakenAPIError naming the order.
        """
        if isinstance(orders, dict):
            raise TypeError("orders: a list of order dicts, not one dict")
        orders = list(orders)
        if not 1 <= len(orders) <= MAX_BATCH:
            raise ValueError(f"orders: 1 to {MAX_BATCH} orders, not {len(orders)}")
        batch = [self._batch_order(o, i) for i, o in enumerate(orders)]
        info = self._conn.pair(_pair_arg(pair))
        if len(batch) == 1:
            # Kraken's batch needs two orders at least; one order is one PlaceOrder.
            one = self._place_batch_order(batch[0], pair, validate)
            return {"orders": [one]}
        req = trading_pb2.BatchAddRequest(pair=pair, orders=batch, validate=_flag(validate, "validate"))
        resp = self._conn.call(self._conn.trading.BatchAdd, req)
        out: List[Dict[str, Any]] = []
        for r in sorted(resp.results, key=lambda r: r.index):
            if r.HasField("error"):
                out.append({"error": "; ".join(r.error.kraken_errors) or r.error.message})
                continue
            o = batch[r.index]
            item: Dict[str, Any] = {
                "descr": {"order": r.order.descr.order or shapes.descr_text(
                    shapes.word(common_pb2.Side, o.side), o.volume, info,
                    shapes.word(common_pb2.OrderType, o.order_type, "-"), o.price)},
            }
            if r.order.order_id:
                item["txid"] = r.order.order_id
            if r.order.cl_ord_id:
                item["cl_ord_id"] = r.order.cl_ord_id
            out.append(item)
        return {"orders": out}

    def _batch_order(self, o: Any, i: int) -> trading_pb2.BatchOrder:
        where = f"orders[{i}]"
        if not isinstance(o, dict):
            raise TypeError(f"{where}: an order dict, not {type(o).__name__}")
        unknown = sorted(set(o) - _BATCH_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)} (takes {', '.join(sorted(_BATCH_KEYS))})")
        for key in ("ordertype", "type", "volume"):
            if key not in o:
                raise ValueError(f"{where}: '{key}' is required")
        b = trading_pb2.BatchOrder(
            side=_side(o["type"], f"{where}.type"),
            order_type=_order_type(o["ordertype"], f"{where}.ordertype"),
            volume=positive_text(o["volume"], f"{where}.volume"),
            time_in_force=_tif(o.get("timeinforce"), f"{where}.timeinforce"),
            leverage=_leverage(o.get("leverage"), f"{where}.leverage"),
            reduce_only=_flag(o.get("reduce_only", False), f"{where}.reduce_only"),
        )
        if "price" in o:
            b.price = decimal_text(o["price"], f"{where}.price", allow_relative=True)
        if "price2" in o:
            b.price2 = decimal_text(o["price2"], f"{where}.price2", allow_relative=True)
        if "displayvol" in o:
            b.display_volume = positive_text(o["displayvol"], f"{where}.displayvol")
        if "cl_ord_id" in o:
            b.cl_ord_id = str(o["cl_ord_id"])
        if "userref" in o:
            b.userref = int(o["userref"])
        if "oflags" in o:
            for f in str(o["oflags"]).split(","):
                flag = shapes.value_of(common_pb2.OrderFlag, f)
                if not flag:
                    raise ValueError(f"{where}.oflags: {f!r} is not one of post, fcib, fciq, viqc, nompp")
                b.oflags.append(flag)
        if "stptype" in o:
            b.stp_type = shapes.value_of(common_pb2.SelfTradePrevention, str(o["stptype"]))
            if not b.stp_type:
                raise ValueError(f"{where}.stptype: cancel-newest, cancel-oldest or cancel-both, not {o['stptype']!r}")
        if "trigger" in o:
            b.trigger = shapes.value_of(common_pb2.TriggerReference, str(o["trigger"]))
            if not b.trigger:
                raise ValueError(f"{where}.trigger: last or index, not {o['trigger']!r}")
        if (t := time_spec(o.get("expiretm"), f"{where}.expiretm")) is not None:
            b.expire_time.CopyFrom(t)
        if (t := time_spec(o.get("starttm"), f"{where}.starttm")) is not None:
            b.start_time.CopyFrom(t)
        return b

    def _place_batch_order(self, b: trading_pb2.BatchOrder, pair: str, validate: bool) -> Dict[str, Any]:
        req = trading_pb2.PlaceOrderRequest(pair=pair, validate=_flag(validate, "validate"))
        # BatchOrder's fields are PlaceOrderRequest's of the same names (trading.proto).
        for field, value in b.ListFields():
            if field.label == field.LABEL_REPEATED:
                getattr(req, field.name).extend(value)
            elif field.type == field.TYPE_MESSAGE:
                getattr(req, field.name).CopyFrom(value)
            else:
                setattr(req, field.name, value)
        resp = self._conn.call(self._conn.trading.PlaceOrder, req)
        item: Dict[str, Any] = {"descr": {"order": resp.descr.order or shapes.descr_text(
            shapes.word(common_pb2.Side, b.side), b.volume, self._conn.pair(pair),
            shapes.word(common_pb2.OrderType, b.order_type, "-"), b.price)}}
        if resp.order_id:
            item["txid"] = resp.order_id
        if resp.cl_ord_id:
            item["cl_ord_id"] = resp.cl_ord_id
        return item

    def batch_cancel(self, order_ids: Iterable[Union[str, int]]) -> Dict[str, Any]:
        """Cancels up to 50 orders at once: txids, cl_ord_ids or integer userrefs. Returns
        ``{"count": n}``."""
        req = trading_pb2.BatchCancelRequest()
        for oid in id_list(order_ids, "order_ids"):
            if isinstance(oid, int) and not isinstance(oid, bool):
                req.userrefs.append(oid)
            elif isinstance(oid, str) and _TXID.match(oid):
                req.txids.append(oid)
            elif isinstance(oid, str) and oid:
                req.cl_ord_ids.append(oid)
            else:
                raise ValueError(f"order_ids: {oid!r} is not a txid, cl_ord_id or userref")
        if len(req.txids) + len(req.userrefs) + len(req.cl_ord_ids) > 50:
            raise ValueError("order_ids: at most 50")
        resp = self._conn.call(self._conn.trading.BatchCancel, req)
        return {"count": resp.count}

    @staticmethod
    def _target(req: Any, order_id: Any, allow_userref: bool) -> None:
        if isinstance(order_id, int) and not isinstance(order_id, bool) and allow_userref:
            req.userref = order_id
        elif isinstance(order_id, str) and _TXID.match(order_id):
            req.txid = order_id
        elif isinstance(order_id, str) and order_id:
            req.cl_ord_id = order_id
        else:
            raise ValueError(f"order_id: a Kraken txid or cl_ord_id{' or userref' if allow_userref else ''}, "
                             f"not {order_id!r}")

    # -- order and trade queries ----------------------------------------------------------

    def get_orders(self) -> Dict[str, Dict[str, Any]]:
        """Open orders: ``{"open": {txid: order}}`` in the shape of REST OpenOrders, newest
        first. From the gateway's executions cache when fresh, else Kraken REST."""
        req = trading_pb2.GetOrdersRequest(read=self._conn.read_options())
        resp = self._conn.call(self._conn.trading.GetOrders, req)
        return {"open": {o.order_id: shapes.order(o, self._conn.pair_of) for o in resp.orders}}

    def query_orders(self, txids: Union[str, List[str]], trades: bool = False) -> Dict[str, Dict[str, Any]]:
        """Orders by txid, open or closed: ``{txid: order}`` (REST QueryOrders). ``txids``: one
        txid, a comma-separated string or a list (at most 50); ``trades``: include the trade
        ids of each order's fills."""
        ids = id_list(txids, "txids")
        if len(ids) > 50 or not all(isinstance(t, str) and t for t in ids):
            raise ValueError("txids: 1 to 50 order txids")
        req = trading_pb2.QueryOrdersRequest(txids=ids, trades=_flag(trades, "trades"), read=self._conn.read_options())
        resp = self._conn.call(self._conn.trading.QueryOrders, req)
        return {o.order_id: shapes.order(o, self._conn.pair_of) for o in resp.orders}

    def get_closed_orders(self) -> Dict[str, Any]:
        """Closed orders (filled, cancelled, expired), newest first, Kraken's first page of
        50: ``{"closed": {txid: order}, "count": n}``."""
        req = trading_pb2.GetClosedOrdersRequest()
        req.read.CopyFrom(self._conn.rest_read_options())
        resp = self._conn.call(self._conn.trading.GetClosedOrders, req)
        out: Dict[str, Any] = {"closed": {o.order_id: shapes.order(o, self._conn.pair_of) for o in resp.orders}}
        out["count"] = resp.count if resp.HasField("count") else len(resp.orders)
        return out

    def get_trades_history(self, trade_type: str = "all", start: Any = None, end: Any = None) -> Dict[str, Any]:
        """The account's trades, newest first, Kraken's first page of 50: ``{"trades": {txid:
        trade}, "count": n}`` (REST TradesHistory). ``trade_type``: all | any position |
        closed position | closing position | no position; ``start`` (exclusive) and ``end``
        (inclusive): unix seconds or a trade txid."""
        if not isinstance(trade_type, str) or trade_type not in TRADE_TYPES:
            raise ValueError(f"trade_type: one of {', '.join(TRADE_TYPES)}, not {trade_type!r}")
        req = trading_pb2.GetTradesHistoryRequest(type=shapes.value_of(trading_pb2.TradeHistoryType, trade_type))
        if (s := time_or_id(start, "start")) is not None:
            req.start.CopyFrom(s)
        if (e := time_or_id(end, "end")) is not None:
            req.end.CopyFrom(e)
        req.read.CopyFrom(self._conn.rest_read_options())
        resp = self._conn.call(self._conn.trading.GetTradesHistory, req)
        out: Dict[str, Any] = {"trades": {t.trade_txid: shapes.trade(t) for t in resp.trades}}
        out["count"] = resp.count if resp.HasField("count") else len(resp.trades)
        return out
