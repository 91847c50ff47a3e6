"""The errors a Kraken call raises, as the SDK names them, built from the gateway's gRPC status.

The gateway puts Kraken's ``error[]`` strings in a ``kgw.v1.ErrorDetail`` packed into the
``grpc-status-details-bin`` trailer (proto/kgw/v1/common.proto). ``error_from_rpc`` turns a failed
call into one of:

* ``KrakenAPIError`` (a subclass of ``ExchangeAPIError``): the exchange, or the gateway's own
  check of the same rule, refused the request. ``.errors`` is Kraken's ``error[]`` list.
* ``GatewayUnavailableError`` (a ``ConnectionError`` and a ``RuntimeError``): nothing answers at
  the address, or the call timed out on the way.
* ``NoApiKeyError`` (a ``RuntimeError``): the gateway has no Kraken API key, so account and
  trading calls cannot work.
"""

from __future__ import annotations

import re
from typing import List, Optional

import grpc

from kgw.v1 import common_pb2


class ExchangeAPIError(Exception):
    """Base of errors reported by an exchange: ``.errors`` holds the exchange's error strings."""

    def __init__(self, errors: List[str], message: Optional[str] = None) -> None:
        self.errors: List[str] = list(errors)
        super().__init__(message if message is not None else "; ".join(self.errors))


class KrakenAPIError(ExchangeAPIError):
    """Kraken refused the request; ``.errors`` is Kraken's ``error[]`` list, e.g.
    ``["EOrder:Insufficient funds"]``.

    When the gateway refused a request on Kraken's behalf before sending it (it checks pairs,
    tick and lot grids, ordermin and costmin itself), ``.errors`` holds the string Kraken gives
    for the same rule (``"EOrder:Order minimum not met"``) and ``str(error)`` the gateway's own
    explanation. Further attributes: ``.code`` (the ``grpc.StatusCode``), ``.field`` (the
    request field at fault, or ""), ``.classification`` (``"rejected"``,
    ``"retryable_not_executed"``, ``"unknown_outcome"`` or ``"unspecified"``), ``.cl_ord_ids``
    and ``.order_id`` (what to look up after an unknown outcome), ``.warnings``.
    """

    def __init__(
        self,
        errors: List[str],
        message: Optional[str] = None,
        *,
        code: Optional[grpc.StatusCode] = None,
        field: str = "",
        classification: str = "unspecified",
        cl_ord_ids: Optional[List[str]] = None,
        order_id: str = "",
        warnings: Optional[List[str]] = None,
    ) -> None:
        super().__init__(errors, message)
        self.code = code
        self.field = field
        self.classification = classification
        self.cl_ord_ids: List[str] = list(cl_ord_ids or [])
        self.order_id = order_id
        self.warnings: List[str] = list(warnings or [])


class GatewayUnavailableError(ConnectionError, RuntimeError):
    """kraken-gatewayd cannot be reached at the client's address (not running, wrong address,
    or the call timed out before an answer)."""


class NoApiKeyError(RuntimeError):
    """The gateway runs without a Kraken API key, so it cannot serve account or trading calls."""


_CLASSES = {
    common_pb2.ERROR_CLASS_UNSPECIFIED: "unspecified",
    common_pb2.ERROR_CLASS_REJECTED: "rejected",
    common_pb2.ERROR_CLASS_RETRYABLE_NOT_EXECUTED: "retryable_not_executed",
    common_pb2.ERROR_CLASS_UNKNOWN_OUTCOME: "unknown_outcome",
}

# The gateway's own refusals (oms/src/pre_trade.cpp, the pair registry) and the string Kraken
# answers for the same rule (Kraken's REST error list, docs.kraken.com "Errors"). First match
# wins; the gateway's text stays in the exception's message.
_SAME_RULE_AS_KRAKEN = [
    (re.compile(r"unknown pair|^pair: unknown"), "EQuery:Unknown asset pair"),
    (re.compile(r"is below \S+'s ordermin"), "EOrder:Order minimum not met"),
    (re.compile(r"is below (\S+'s )?costmin"), "EOrder:Cost minimum not met"),
    (re.compile(r"is not on \S+'s tick"), "EOrder:Tick size check failed"),
    (re.compile(r"^(limit_)?price2?: .* has more decimals than"), "EOrder:Invalid price"),
    (re.compile(r"system status: maintenance"), "EService:Unavailable"),
    (re.compile(r"status: (\S+ is )?cancel_only"), "EService:Market in cancel_only mode"),
    (re.compile(r"status: (\S+ is )?post_only"), "EService:Market in post_only mode"),
    (re.compile(r"status: (\S+ is )?limit_only"), "EService:Market in limit_only mode"),
]


def _detail(err: grpc.RpcError) -> Optional[common_pb2.ErrorDetail]:
    """The ErrorDetail of a failed call, or None when the status carries none."""
    trailers = err.trailing_metadata() if hasattr(err, "trailing_metadata") else None
    for key, value in trailers or ():
        if key != "grpc-status-details-bin":
            continue
        status = common_pb2.RpcStatus()
        try:
            status.ParseFromString(value)
        except Exception:  # a trailer we cannot read is no detail, not a crash
            return None
        for any_msg in status.details:
            detail = common_pb2.ErrorDetail()
            if any_msg.Unpack(detail):
                return detail
    return None


def _kraken_words(detail: Optional[common_pb2.ErrorDetail], code: grpc.StatusCode, message: str) -> List[str]:
    """Kraken's strings for a refusal: the ones Kraken sent, else the ones it sends for the rule
    the gateway applied, else a generic ``EGeneral:Invalid arguments[:field]``."""
    if detail is not None and detail.kraken_errors:
        return list(detail.kraken_errors)
    for pattern, word in _SAME_RULE_AS_KRAKEN:
        if pattern.search(message):
            return [word]
    field = detail.field if detail is not None else ""
    if code == grpc.StatusCode.INVALID_ARGUMENT:
        return ["EGeneral:Invalid arguments" + (":" + field if field else "")]
    if code == grpc.StatusCode.NOT_FOUND:
        return ["EOrder:Unknown order"]
    if code == grpc.StatusCode.PERMISSION_DENIED:
        return ["EGeneral:Permission denied"]
    if code == grpc.StatusCode.RESOURCE_EXHAUSTED:
        return ["EAPI:Rate limit exceeded"]
    return ["EGeneral:Internal error"]


def error_from_rpc(err: grpc.RpcError, addr: str) -> Exception:
    """The exception to raise for a failed gateway call made to ``addr``."""
    code = err.code() if hasattr(err, "code") else grpc.StatusCode.UNKNOWN
    message = (err.details() if hasattr(err, "details") else "") or ""
    detail = _detail(err)
    if detail is None and code in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                                   grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL):
        # No ErrorDetail (the gateway sends one with every failure): the channel failed.
        what = "did not answer in time" if code == grpc.StatusCode.DEADLINE_EXCEEDED else "cannot be reached"
        return GatewayUnavailableError(
            f"kraken-gatewayd at {addr} {what} (is it running there, or is Kraken(addr=...) needed?): "
            f"{message or code.name}"
        )
    if code == grpc.StatusCode.FAILED_PRECONDITION and "no Kraken API key" in message:
        return NoApiKeyError(
            f"kraken-gatewayd at {addr} has no Kraken API key configured, so account and trading calls "
            "cannot work (start it with --key-file, KRAKEN_API_KEY/KRAKEN_API_SECRET or --sim)."
        )
    return KrakenAPIError(
        _kraken_words(detail, code, message),
        f"{code.name}: {message}",
        code=code,
        field=detail.field if detail is not None else "",
        classification=_CLASSES.get(detail.classification, "unspecified") if detail is not None else "unspecified",
        cl_ord_ids=list(detail.cl_ord_ids) if detail is not None else [],
        order_id=detail.order_id if detail is not None else "",
        warnings=list(detail.kraken_warnings) if detail is not None else [],
    )
