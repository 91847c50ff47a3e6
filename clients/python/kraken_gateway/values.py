"""Arguments in the SDK's Python spellings turned into the contract's values, and back.

The contract carries every price and quantity as decimal text and every time as unix
nanoseconds (proto/kgw/v1/common.proto). A float the caller passes is written out as the
shortest decimal that round-trips it (``3e-05`` -> ``"0.00003"``, ``0.1`` -> ``"0.1"``): the
number the caller typed, never a binary expansion and never in exponent form. Pure functions.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import re
from typing import Any, Iterable, List, Optional, Union

from kgw.v1 import common_pb2

Number = Union[str, int, float, decimal.Decimal]
_PLAIN = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)$")


def decimal_text(value: Any, what: str, *, allow_relative: bool = False) -> str:
    """``value`` as plain decimal text for the gateway.

    Accepts str, int, float and decimal.Decimal. Strings are passed on as given once they read
    as a decimal (with ``allow_relative``, Kraken's relative price forms ``+1.5``, ``-2%``,
    ``#10`` pass too). Raises ValueError (naming ``what``) for anything that is not a finite
    number, and TypeError for other types (bool included).
    """
    if isinstance(value, bool) or value is None:
        raise TypeError(f"{what}: expected a number or decimal string, not {value!r}")
    if isinstance(value, str):
        text = value.strip()
        body = text
        if allow_relative and body[:1] in ("+", "-", "#"):
            body = body[1:]
        if allow_relative and body.endswith("%"):
            body = body[:-1]
        if not _PLAIN.match(body):
            raise ValueError(f"{what}: {value!r} is not a plain decimal number")
        return text
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{what}: {value!r} is not a finite number")
        d = decimal.Decimal(repr(value))  # the shortest text that round-trips: what was typed
    elif isinstance(value, int):
        d = decimal.Decimal(value)
    elif isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{what}: {value!r} is not a finite number")
        d = value
    else:
        raise TypeError(f"{what}: expected a number or decimal string, not {type(value).__name__}")
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if text not in ("", "-0") else "0"


def positive_text(value: Any, what: str) -> str:
    """decimal_text for a quantity: it must be greater than zero."""
    text = decimal_text(value, what)
    if decimal.Decimal(text) <= 0:
        raise ValueError(f"{what}: must be greater than 0, not {value!r}")
    return text


def seconds_of(ns: int) -> int:
    """Unix nanoseconds as whole unix seconds (Kraken's integer times)."""
    return ns // 1_000_000_000


def float_seconds(ns: int) -> float:
    """Unix nanoseconds as Kraken's fractional-second times (``1688669597.8277369``)."""
    return ns / 1e9


def rfc3339(ns: int, digits: int = 6) -> str:
    """Unix nanoseconds as RFC 3339 UTC text, as Kraken's WebSocket v2 prints times
    (``2023-09-25T09:04:31.742648Z``); ``digits`` 0 gives whole seconds."""
    secs, frac = divmod(ns, 1_000_000_000)
    base = _dt.datetime.fromtimestamp(secs, _dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if digits <= 0:
        return base + "Z"
    return f"{base}.{frac // 10 ** (9 - digits):0{digits}d}Z"


def time_or_id(value: Any, what: str) -> Optional[common_pb2.TimeOrId]:
    """A history bound as Kraken takes it: unix seconds (int, float, or their text) or an id."""
    if value is None:
        return None
    out = common_pb2.TimeOrId()
    if isinstance(value, bool):
        raise TypeError(f"{what}: expected unix seconds or an id, not {value!r}")
    if isinstance(value, (int, float, decimal.Decimal)):
        out.time_ns = _ns_of_seconds(value, what)
        return out
    if isinstance(value, str):
        try:
            out.time_ns = _ns_of_seconds(decimal.Decimal(value), what)
        except decimal.InvalidOperation:
            if not value:
                raise ValueError(f"{what}: empty") from None
            out.id = value
        return out
    raise TypeError(f"{what}: expected unix seconds or an id, not {type(value).__name__}")


def time_spec(value: Any, what: str) -> Optional[common_pb2.TimeSpec]:
    """Kraken's ``starttm``/``expiretm``: unix seconds, or ``"+N"`` seconds from now."""
    if value is None:
        return None
    out = common_pb2.TimeSpec()
    if isinstance(value, str) and value.startswith("+"):
        out.after_ns = _ns_of_seconds(decimal.Decimal(value[1:]), what)
    elif isinstance(value, (int, float, decimal.Decimal, str)) and not isinstance(value, bool):
        try:
            out.at_time_ns = _ns_of_seconds(decimal.Decimal(repr(value) if isinstance(value, float) else value), what)
        except decimal.InvalidOperation:
            raise ValueError(f"{what}: {value!r} is not unix seconds or '+SECONDS'") from None
    else:
        raise TypeError(f"{what}: expected unix seconds or '+SECONDS', not {value!r}")
    return out


def _ns_of_seconds(value: Any, what: str) -> int:
    d = decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)
    if not d.is_finite() or d < 0:
        raise ValueError(f"{what}: {value!r} is not a time")
    return int(d * 1_000_000_000)


def id_list(value: Union[str, Iterable[Any]], what: str) -> List[Any]:
    """One id, a comma-separated string of ids, or an iterable of them, as a list."""
    if isinstance(value, str):
        ids = [v.strip() for v in value.split(",") if v.strip()]
    elif isinstance(value, int) and not isinstance(value, bool):
        ids = [value]
    else:
        try:
            ids = list(value)
        except TypeError:
            raise TypeError(f"{what}: expected an id or a list of ids, not {type(value).__name__}") from None
    if not ids:
        raise ValueError(f"{what}: at least one id")
    return ids
