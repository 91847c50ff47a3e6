"""``Kraken``: the Kraken SDK's object, served by kraken-gatewayd instead of Kraken's API."""

from __future__ import annotations

from typing import Any, Optional

from .account import AccountMethods
from .connection import Connection
from .market import MarketDataMethods
from .streams import StreamMethods
from .trading import TradingMethods


class Kraken(MarketDataMethods, AccountMethods, TradingMethods, StreamMethods):
    """The Kraken SDK's methods, names, defaults and return shapes, over kraken-gatewayd's gRPC
    contract. Answers are Kraken-native dicts with string decimals, shaped as Kraken's REST
    ``result`` for that endpoint, whichever source served them (the gateway's WebSocket caches or
    Kraken REST).

    ``addr``: the daemon's address, ``unix:PATH`` or ``HOST:PORT``; None for ``$KGW_ADDR``, else
    the daemon's default unix socket. Keyword-only extras: ``read`` picks where reads come from
    (``"auto"``: the cache when fresh, else REST; ``"cache"``; ``"rest"``); ``timeout`` bounds
    each call in seconds; ``reconnect_window`` bounds how long the account streams try to
    reconnect.

    Errors: ``KrakenAPIError`` (an ``ExchangeAPIError``) with Kraken's ``error[]`` list as
    ``.errors``; ``GatewayUnavailableError`` (a ``ConnectionError`` and ``RuntimeError``) when
    the gateway cannot be reached; ``NoApiKeyError`` (a ``RuntimeError``) for account and order
    calls when the gateway has no Kraken key; ``ValueError``/``TypeError`` for arguments the
    client can tell are wrong before sending.

    The one deliberate deviation from Kraken's REST shapes: ``get_spread`` records are
    ``[bid, ask, ts]`` as the SDK documents them (Kraken sends ``[ts, bid, ask]``).

    Thread-safe: one object may serve several threads. Use it as a context manager, or call
    ``close()``, to release the channel.
    """

    def __init__(self, addr: Optional[str] = None, *, read: str = "auto", timeout: float = 10.0,
                 reconnect_window: float = 30.0) -> None:
        self._conn = Connection(addr, read, timeout)
        self.reconnect_window = reconnect_window

    @property
    def addr(self) -> str:
        """The address this client talks to."""
        return self._conn.addr

    def close(self) -> None:
        """Closes the channel; streams still open end."""
        self._conn.close()

    def __enter__(self) -> "Kraken":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Kraken(addr={self._conn.addr!r})"
