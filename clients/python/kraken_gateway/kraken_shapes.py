"""The contract's typed answers rebuilt as the dicts Kraken's REST API and WebSocket v2 return.

REST shapes are the ``result`` of each endpoint (docs.kraken.com, the examples in
``../shared/kraken/fixtures/rest``): decimals stay the gateway's strings (Kraken's own digits when
REST answered), times become Kraken's numbers (whole or fractional unix seconds), enums Kraken's
words. Stream messages take the WebSocket v2 message shape (``channel``, ``type``, ``data``) with
decimals as strings and times as RFC 3339 text. This is the only module that knows Kraken's JSON
shapes. Pure functions; any thread.
"""

from __future__ import annotations

import decimal
import math
from typing import Any, Callable, Dict, List

from google.protobuf import descriptor as _descriptor

from kgw.v1 import account_pb2, common_pb2, market_data_pb2, trading_pb2

from .values import float_seconds, rfc3339, seconds_of

# ---------------------------------------------------------------------------------------------
# Kraken's words from the contract's enums. Every kgw.v1 enum standing for a Kraken word names
# its values as that word upper-cased behind the enum's prefix (gateway/src/contract_words.hpp),
# so the word is read off the value's name; no table of Kraken's words is kept here.


def _prefix(enum: _descriptor.EnumDescriptor) -> str:
    zero = enum.values_by_number[0].name
    return zero[: zero.rfind("UNSPECIFIED")] if "UNSPECIFIED" in zero else ""


def word(enum_wrapper: Any, value: int, sep: str = "_", upper: bool = False) -> str:
    """``SIDE_BUY`` -> ``"buy"``, ``ORDER_TYPE_STOP_LOSS`` -> ``"stop-loss"`` with sep "-";
    "" for the zero value or an unknown number."""
    desc = enum_wrapper.DESCRIPTOR
    v = desc.values_by_number.get(value)
    if v is None or value == 0:
        return ""
    text = v.name[len(_prefix(desc)):].replace("_", sep)
    return text if upper else text.lower()


def value_of(enum_wrapper: Any, kraken_word: str) -> int:
    """Kraken's word (any case, ``-``, ``_`` or space between parts) as the enum's value; 0 when
    the enum has no such word."""
    name = _prefix(enum_wrapper.DESCRIPTOR) + kraken_word.strip().upper().replace("-", "_").replace(" ", "_")
    v = enum_wrapper.DESCRIPTOR.values_by_name.get(name)
    return v.number if v is not None else 0


def words(enum_wrapper: Any, sep: str = "_") -> List[str]:
    """Every Kraken word of an enum (its non-zero values)."""
    return [word(enum_wrapper, n, sep) for n in sorted(enum_wrapper.DESCRIPTOR.values_by_number) if n != 0]


def _side(v: int) -> str:
    return word(common_pb2.Side, v)


def _order_type(v: int) -> str:
    return word(common_pb2.OrderType, v, "-")


def _dec(text: str, absent: str = "0") -> str:
    """A decimal field as Kraken prints it; Kraken sends "0"-like text where the contract's
    string is empty (e.g. stopprice of an order that has none)."""
    return text if text else absent


def _number(text: str) -> Any:
    """Decimal text as the JSON number Kraken prints for it (AssetPairs fee tiers)."""
    if not text:
        return 0
    d = decimal.Decimal(text)
    return int(d) if d == d.to_integral_value() else float(d)


def _tm(ns: int) -> Any:
    """An optional Kraken time (starttm, expiretm): 0 when unset, else fractional seconds."""
    return float_seconds(ns) if ns else 0


# ---------------------------------------------------------------------------------------------
# Market data


def ticker(t: market_data_pb2.Ticker, last_lot: str = "0") -> Dict[str, Any]:
    """One REST Ticker entry. A cached (WebSocket v2) ticker has no "today" values, no trade
    counts and no last-trade lot: both halves of v/p/l/h carry the rolling 24 h value, ``t`` is
    [0, 0], ``o`` is the price 24 h ago (last - change), ``c[1]`` is ``last_lot``."""
    if t.HasField("rest"):
        r = t.rest
        return {
            "a": [r.ask.price, r.ask.whole_lot_volume, r.ask.lot_volume],
            "b": [r.bid.price, r.bid.whole_lot_volume, r.bid.lot_volume],
            "c": [r.last_trade.price, r.last_trade.lot_volume],
            "v": [r.volume.today, r.volume.last_24h],
            "p": [r.vwap.today, r.vwap.last_24h],
            "t": [r.trade_count.today, r.trade_count.last_24h],
            "l": [r.low.today, r.low.last_24h],
            "h": [r.high.today, r.high.last_24h],
            "o": r.open,
        }
    w = t.ws
    open_24h = _dec(w.last)
    if w.last and w.change:
        open_24h = _same_scale(decimal.Decimal(w.last) - decimal.Decimal(w.change), w.last)
    return {
        "a": [w.ask, _whole_lots(w.ask_qty), w.ask_qty],
        "b": [w.bid, _whole_lots(w.bid_qty), w.bid_qty],
        "c": [w.last, last_lot],
        "v": [w.volume, w.volume],
        "p": [w.vwap, w.vwap],
        "t": [0, 0],
        "l": [w.low, w.low],
        "h": [w.high, w.high],
        "o": open_24h,
    }


def _whole_lots(qty: str) -> str:
    """Kraken's "whole lot volume" of a quantity: the quantity rounded up to a whole lot."""
    if not qty:
        return "0"
    return str(max(1, math.ceil(decimal.Decimal(qty))))


def _same_scale(d: decimal.Decimal, like: str) -> str:
    places = len(like.split(".")[1]) if "." in like else 0
    return format(d.quantize(decimal.Decimal(1).scaleb(-places)), "f")


def book(r: market_data_pb2.GetOrderBookResponse) -> Dict[str, Any]:
    """REST Depth: ``{pair: {"asks": [[price, volume, ts]], "bids": [...]}}``; cached levels
    (which Kraken does not time-stamp) carry the book's exchange time."""
    fallback = seconds_of(r.meta.exchange_time_ns or r.meta.receive_time_ns)

    def levels(side: Any) -> List[List[Any]]:
        return [[lv.price, lv.qty, seconds_of(lv.time_ns) if lv.time_ns else fallback] for lv in side]

    return {r.pair: {"asks": levels(r.asks), "bids": levels(r.bids)}}


def ohlc(r: market_data_pb2.GetOhlcResponse) -> Dict[str, Any]:
    """REST OHLC: ``{pair: [[time, open, high, low, close, vwap, volume, count]], "last": t}``."""
    rows = [[seconds_of(k.time_ns), k.open, k.high, k.low, k.close, k.vwap, k.volume, k.count] for k in r.candles]
    last = r.last
    if not last and r.candles:
        committed = [k.time_ns for k in r.candles if k.committed]
        last = seconds_of(max(committed) if committed else r.candles[-1].time_ns)
    return {r.pair: rows, "last": last}


def public_trade(t: market_data_pb2.PublicTrade) -> List[Any]:
    """One REST Trades entry: [price, volume, time, "b"|"s", "m"|"l", misc, trade_id]."""
    side = "b" if t.side == common_pb2.SIDE_BUY else "s"
    kind = "m" if t.ord_type == common_pb2.ORDER_TYPE_MARKET else "l"
    return [t.price, t.volume, float_seconds(t.time_ns), side, kind, t.misc, t.trade_id]


def recent_trades(pair: str, trades: Any, last: str) -> Dict[str, Any]:
    """REST Trades: ``{pair: [entries], "last": "<ns>"}``."""
    return {pair: [public_trade(t) for t in trades], "last": last}


def spread(r: market_data_pb2.GetSpreadResponse) -> Dict[str, Any]:
    """Spread in the SDK's order: ``{pair: [[bid, ask, ts]], "last": t}`` (Kraken's REST sends
    ``[ts, bid, ask]``; the SDK documents and unpacks ``[bid, ask, ts]``)."""
    return {r.pair: [[e.bid, e.ask, seconds_of(e.time_ns)] for e in r.entries], "last": r.last}


def asset_pair(p: market_data_pb2.AssetPair) -> Dict[str, Any]:
    """One REST AssetPairs entry."""
    out: Dict[str, Any] = {
        "altname": p.altname,
        "wsname": p.wsname,
        "aclass_base": p.aclass_base,
        "base": p.base,
        "aclass_quote": p.aclass_quote,
        "quote": p.quote,
        "lot": p.lot or "unit",
        "cost_decimals": p.cost_decimals,
        "pair_decimals": p.pair_decimals,
        "lot_decimals": p.lot_decimals,
        "lot_multiplier": p.lot_multiplier,
        "leverage_buy": list(p.leverage_buy),
        "leverage_sell": list(p.leverage_sell),
        "fees": [[_number(f.volume), _number(f.percent)] for f in p.fees],
        "fees_maker": [[_number(f.volume), _number(f.percent)] for f in p.fees_maker],
        "fee_volume_currency": p.fee_volume_currency,
        "margin_call": p.margin_call,
        "margin_stop": p.margin_stop,
        "ordermin": p.ordermin,
        "costmin": p.costmin,
        "tick_size": p.tick_size,
        "status": word(market_data_pb2.PairStatus, p.status),
    }
    if p.long_position_limit or p.short_position_limit:
        out["long_position_limit"] = p.long_position_limit
        out["short_position_limit"] = p.short_position_limit
    if p.execution_venue:
        out["execution_venue"] = p.execution_venue
    return out


def system_status(r: market_data_pb2.GetSystemStatusResponse) -> Dict[str, Any]:
    """REST SystemStatus: ``{"status": "online", "timestamp": "2023-07-06T18:52:00Z"}``."""
    ns = r.time_ns or r.meta.exchange_time_ns or r.meta.receive_time_ns or r.meta.served_time_ns
    return {"status": word(market_data_pb2.SystemStatus, r.status), "timestamp": rfc3339(ns, 0)}


# ---------------------------------------------------------------------------------------------
# Account


def balances(r: account_pb2.GetBalanceResponse) -> Dict[str, str]:
    """REST Balance: ``{asset: balance}`` keyed by Kraken's REST asset ids."""
    return {b.asset or b.code: b.balance for b in r.balances}


def trade_balance(r: account_pb2.GetTradeBalanceResponse) -> Dict[str, str]:
    """REST TradeBalance: eb, tb, m, n, c, v, e, mf, and ml/uv when Kraken reports them."""
    out = {
        "eb": r.equivalent_balance,
        "tb": r.trade_balance,
        "m": r.margin,
        "n": r.unrealized_pnl,
        "c": r.cost_basis,
        "v": r.valuation,
        "e": r.equity,
        "mf": r.free_margin,
    }
    if r.margin_level:
        out["ml"] = r.margin_level
    if r.unexecuted_value:
        out["uv"] = r.unexecuted_value
    return out


def position(p: account_pb2.Position) -> Dict[str, Any]:
    """One REST OpenPositions entry."""
    out = {
        "ordertxid": p.ordertxid,
        "posstatus": p.posstatus or "open",
        "pair": p.pair,
        "time": float_seconds(p.time_ns),
        "type": _side(p.type),
        "ordertype": _order_type(p.ordertype),
        "cost": _dec(p.cost),
        "fee": _dec(p.fee),
        "vol": _dec(p.vol),
        "vol_closed": _dec(p.vol_closed),
        "margin": _dec(p.margin),
        "value": _dec(p.value),
        "net": _dec(p.net),
        "terms": p.terms,
        "rollovertm": str(seconds_of(p.rollover_time_ns)),
        "misc": p.misc,
        "oflags": p.oflags,
    }
    if p.leverage:
        out["leverage"] = p.leverage
    return out


def ledger_entry(e: account_pb2.LedgerEntry) -> Dict[str, Any]:
    """One REST Ledgers entry."""
    return {
        "refid": e.refid,
        "time": float_seconds(e.time_ns),
        "type": e.type,
        "subtype": e.subtype,
        "aclass": e.aclass,
        "asset": e.asset,
        "amount": e.amount,
        "fee": _dec(e.fee),
        "balance": e.balance,
    }


# ---------------------------------------------------------------------------------------------
# Orders and trades


def padded(text: str, places: int) -> str:
    """Plain decimal text padded with zeros to ``places`` decimals, as Kraken prints volumes and
    prices in descriptions; text with more decimals, or a relative price, is left as it is."""
    try:
        d = decimal.Decimal(text)
    except decimal.InvalidOperation:
        return text
    if not text or text[0] in "+-#" or -d.as_tuple().exponent > places:
        return text
    return format(d.quantize(decimal.Decimal(1).scaleb(-places)), "f")


def descr_text(side: str, volume: str, pair: market_data_pb2.AssetPair, ordertype: str, price: str,
               leverage: str = "") -> str:
    """Kraken's ``descr.order`` sentence ("buy 1.25000000 XBTUSD @ limit 30010.0"), for answers
    that do not carry it (WebSocket routes and cache answers)."""
    # Kraken writes the order type with spaces here ("@ stop loss 56503.0").
    text = f"{side} {padded(volume, pair.lot_decimals)} {pair.altname or pair.pair} @ {ordertype.replace('-', ' ')}"
    if price and ordertype != "market":
        text += f" {padded(price, pair.pair_decimals)}"
    if leverage and leverage != "none":
        text += f" with {leverage} leverage"
    return text


def order(o: trading_pb2.Order, pair_of: Callable[[str], market_data_pb2.AssetPair]) -> Dict[str, Any]:
    """One REST order object (OpenOrders, ClosedOrders, QueryOrders); ``pair_of`` looks a REST
    pair id up, for descriptions the answer lacks."""
    d = o.descr
    side = _side(d.type)
    ordertype = _order_type(d.ordertype)
    leverage = d.leverage or "none"
    pair = d.pair
    out: Dict[str, Any] = {
        "refid": o.refid or None,
        "userref": o.userref if o.HasField("userref") else None,
        "cl_ord_id": o.cl_ord_id or None,
        "status": word(trading_pb2.OrderStatus, o.status),
        "opentm": float_seconds(o.open_time_ns),
        "starttm": _tm(o.start_time_ns),
        "expiretm": _tm(o.expire_time_ns),
        "descr": {
            "pair": pair or pair_of(o.pair).altname,
            "type": side,
            "ordertype": ordertype,
            "price": _dec(d.price),
            "price2": _dec(d.price2),
            "leverage": leverage,
            "order": d.order or descr_text(side, o.vol, pair_of(o.pair), ordertype, d.price, leverage),
            "close": d.close,
        },
        "vol": _dec(o.vol),
        "vol_exec": _dec(o.vol_exec),
        "cost": _dec(o.cost),
        "fee": _dec(o.fee),
        "price": _dec(o.price),
        "stopprice": _dec(o.stopprice),
        "limitprice": _dec(o.limitprice),
        "misc": o.misc,
        "oflags": o.oflags,
    }
    if o.status not in (trading_pb2.ORDER_STATUS_OPEN, trading_pb2.ORDER_STATUS_PENDING):
        out["closetm"] = float_seconds(o.close_time_ns)
        out["reason"] = o.reason or None
    if o.trigger:
        out["trigger"] = word(common_pb2.TriggerReference, o.trigger)
    if o.margin:
        out["margin"] = True
    if o.trades:
        out["trades"] = list(o.trades)
    if o.sender_sub_id:
        out["sender_sub_id"] = o.sender_sub_id
    return out


def trade(t: trading_pb2.Trade) -> Dict[str, Any]:
    """One REST trade object (TradesHistory, QueryTrades)."""
    out: Dict[str, Any] = {
        "ordertxid": t.ordertxid,
        "postxid": t.postxid,
        "pair": t.pair,
        "time": float_seconds(t.time_ns),
        "type": _side(t.type),
        "ordertype": _order_type(t.ordertype),
        "price": t.price,
        "cost": t.cost,
        "fee": _dec(t.fee),
        "vol": t.vol,
        "margin": _dec(t.margin),
        "misc": t.misc,
        "trade_id": t.trade_id,
        "maker": t.maker,
    }
    if t.leverage:
        out["leverage"] = t.leverage
    if t.ledgers:
        out["ledgers"] = list(t.ledgers)
    if t.posstatus:
        out.update(posstatus=t.posstatus, cprice=t.cprice, ccost=t.ccost, cfee=t.cfee, cvol=t.cvol,
                   cmargin=t.cmargin, net=t.net, trades=list(t.closing_trades))
    return out


# ---------------------------------------------------------------------------------------------
# Stream messages (WebSocket v2 shapes)

_V2_TIME_FIELDS = {"time_ns": "timestamp", "effective_time_ns": "effective_time", "expire_time_ns": "expire_time"}
_V2_DASHED = {"OrderType"}  # v2 spells order types with dashes ("stop-loss-limit")
_V2_UPPER = {"TimeInForce"}  # and time in force in capitals ("GTC")


def _v2_enum(field: _descriptor.FieldDescriptor, value: int) -> str:
    enum = field.enum_type
    if enum.name == "LiquidityIndicator":
        return "m" if value == trading_pb2.LIQUIDITY_INDICATOR_MAKER else "t"
    v = enum.values_by_number.get(value)
    if v is None:
        return ""
    text = v.name[len(_prefix(enum)):]
    if enum.name in _V2_UPPER:
        return text
    return text.lower().replace("_", "-") if enum.name in _V2_DASHED else text.lower()


def v2_item(msg: Any) -> Dict[str, Any]:
    """A contract message as a v2 data item: the fields that are set, enums as v2 words, times
    as RFC 3339, nested messages as dicts. Empty strings and unset fields are left out (Kraken
    sends only the fields relevant to an event)."""
    out: Dict[str, Any] = {}
    for field, value in msg.ListFields():
        name = field.name
        if field.type == field.TYPE_MESSAGE:
            if field.label == field.LABEL_REPEATED:
                out[name] = [v2_item(v) for v in value]
            elif field.message_type.name != "ReadMeta":
                out[name] = v2_item(value)
        elif field.type == field.TYPE_ENUM:
            out[name] = _v2_enum(field, value)
        elif name in _V2_TIME_FIELDS:
            out[_V2_TIME_FIELDS[name]] = rfc3339(value)
        else:
            out[name] = list(value) if field.label == field.LABEL_REPEATED else value
    return out


def _msg_type(t: int) -> str:
    return word(common_pb2.StreamMessageType, t)


def ticker_event(e: market_data_pb2.TickerEvent) -> Dict[str, Any]:
    """A v2 ``ticker`` message."""
    item = {"symbol": e.symbol}
    item.update(v2_item(e.ticker))
    return {"channel": "ticker", "type": _msg_type(e.type), "data": [item]}


def book_event(e: market_data_pb2.BookEvent) -> Dict[str, Any]:
    """A v2 ``book`` message (levels as ``{"price", "qty"}``)."""
    item = {
        "symbol": e.symbol,
        "bids": [{"price": lv.price, "qty": lv.qty} for lv in e.bids],
        "asks": [{"price": lv.price, "qty": lv.qty} for lv in e.asks],
        "checksum": e.checksum,
        "timestamp": rfc3339(e.meta.exchange_time_ns or e.meta.receive_time_ns),
    }
    return {"channel": "book", "type": _msg_type(e.type), "data": [item]}


def trades_event(e: market_data_pb2.TradesEvent) -> Dict[str, Any]:
    """A v2 ``trade`` message."""
    data = [
        {
            "symbol": e.symbol,
            "side": _side(t.side),
            "price": t.price,
            "qty": t.volume,
            "ord_type": _order_type(t.ord_type),
            "trade_id": t.trade_id,
            "timestamp": rfc3339(t.time_ns),
        }
        for t in e.trades
    ]
    return {"channel": "trade", "type": _msg_type(e.type), "data": data}


def ohlc_event(e: market_data_pb2.OhlcEvent) -> Dict[str, Any]:
    """A v2 ``ohlc`` message."""
    data = [
        {
            "symbol": e.symbol,
            "open": k.open,
            "high": k.high,
            "low": k.low,
            "close": k.close,
            "trades": k.count,
            "volume": k.volume,
            "vwap": k.vwap,
            "interval_begin": rfc3339(k.time_ns, 9),
            "interval": k.interval_minutes,
            "timestamp": rfc3339(k.time_ns + k.interval_minutes * 60 * 1_000_000_000),
            "committed": k.committed,
        }
        for k in e.candles
    ]
    return {"channel": "ohlc", "type": _msg_type(e.type), "timestamp": rfc3339(e.meta.exchange_time_ns or e.meta.receive_time_ns, 9),
            "data": data}


def executions_event(e: trading_pb2.ExecutionsEvent) -> Dict[str, Any]:
    """A v2 ``executions`` message, with the gateway's ``epoch`` beside ``sequence``."""
    return {"channel": "executions", "type": _msg_type(e.type), "data": [v2_item(x) for x in e.executions],
            "sequence": e.sequence, "epoch": e.epoch}


def balances_event(e: account_pb2.BalancesEvent) -> Dict[str, Any]:
    """A v2 ``balances`` message (snapshot items by v2 asset code), with ``epoch``."""
    if e.type == common_pb2.STREAM_MESSAGE_TYPE_SNAPSHOT:
        data = []
        for b in e.snapshot:
            item = {"asset": b.code or b.asset, "asset_class": b.asset_class or "currency", "balance": b.balance}
            item["wallets"] = [{"type": w.type, "id": w.id, "balance": w.balance} for w in b.wallets]
            data.append(item)
    else:
        data = [v2_item(u) for u in e.updates]
    return {"channel": "balances", "type": _msg_type(e.type), "data": data, "sequence": e.sequence, "epoch": e.epoch}

