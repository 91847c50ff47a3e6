"""The gRPC channel to kraken-gatewayd and what every call shares: the address, the deadline,
the read policy, the error mapping, and the pair table (AssetPairs, cached after first use).

One ``Connection`` per ``Kraken`` object. gRPC channels are thread-safe; the pair table is
filled once and then only read, so a ``Kraken`` object may be shared between threads.
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional

import grpc

from kgw.v1 import (
    account_pb2_grpc,
    common_pb2,
    market_data_pb2,
    market_data_pb2_grpc,
    trading_pb2_grpc,
)

from .errors import error_from_rpc

_POLICIES = {
    "auto": common_pb2.READ_POLICY_AUTO,
    "cache": common_pb2.READ_POLICY_CACHE_ONLY,
    "rest": common_pb2.READ_POLICY_REST_ONLY,
}


def default_address() -> str:
    """Where the daemon listens by default: ``$KGW_ADDR`` if set, else its unix socket as the
    daemon places it (``$RUNTIME_DIRECTORY`` or ``$XDG_RUNTIME_DIR``, then
    ``kraken-gatewayd.sock``; otherwise ``/tmp/kraken-gatewayd-<uid>.sock``)."""
    if os.environ.get("KGW_ADDR"):
        return os.environ["KGW_ADDR"]
    for var in ("RUNTIME_DIRECTORY", "XDG_RUNTIME_DIR"):
        d = os.environ.get(var)
        if d:
            return "unix:" + d.split(":")[0] + "/kraken-gatewayd.sock"
    return f"unix:/tmp/kraken-gatewayd-{os.getuid()}.sock"


class Connection:
    """The channel, the stubs and the call helpers (see the module docstring)."""

    def __init__(self, addr: Optional[str], read: str, timeout: float) -> None:
        if read not in _POLICIES:
            raise ValueError(f"read: one of {', '.join(_POLICIES)}, not {read!r}")
        if timeout <= 0:
            raise ValueError(f"timeout: must be positive, not {timeout!r}")
        self.addr = addr or default_address()
        if self.addr.startswith("unix:") and len(self.addr[5:].encode()) > 107:
            raise ValueError(f"addr: a unix socket path has at most 107 bytes, not {len(self.addr[5:].encode())}")
        self.timeout = timeout
        self.policy = _POLICIES[read]
        self.channel = grpc.insecure_channel(self.addr)
        self.market = market_data_pb2_grpc.MarketDataStub(self.channel)
        self.account = account_pb2_grpc.AccountStub(self.channel)
        self.trading = trading_pb2_grpc.TradingStub(self.channel)
        self._pairs: Dict[str, market_data_pb2.AssetPair] = {}
        self._names: Dict[str, str] = {}  # every spelling -> REST pair id
        self._pairs_lock = threading.Lock()

    def close(self) -> None:
        self.channel.close()

    def read_options(self, policy: Optional[int] = None) -> common_pb2.ReadOptions:
        return common_pb2.ReadOptions(policy=self.policy if policy is None else policy)

    def rest_read_options(self) -> common_pb2.ReadOptions:
        """For reads only Kraken REST serves, which accept AUTO or REST_ONLY."""
        rest = self.policy == common_pb2.READ_POLICY_REST_ONLY
        return common_pb2.ReadOptions(policy=common_pb2.READ_POLICY_REST_ONLY if rest else common_pb2.READ_POLICY_AUTO)

    def call(self, method: Callable[..., Any], request: Any, timeout: Optional[float] = None) -> Any:
        """A unary call with the client's deadline; a failure becomes the SDK's exception."""
        try:
            return method(request, timeout=timeout or self.timeout)
        except grpc.RpcError as e:
            raise error_from_rpc(e, self.addr) from None

    # -- the pair table -------------------------------------------------------------------

    def asset_pairs(self, names: Optional[Iterable[str]] = None) -> List[market_data_pb2.AssetPair]:
        """The pairs named (any Kraken spelling), or all of them; filled on first use and kept.
        A name the table does not know is asked of the gateway (which raises for an unknown
        pair)."""
        with self._pairs_lock:
            if not self._pairs:
                resp = self.call(self.market.GetAssetPairs, market_data_pb2.GetAssetPairsRequest())
                for p in resp.pairs:
                    self._remember(p)
            if names is None:
                return list(self._pairs.values())
            wanted = list(names)
            unknown = [n for n in wanted if n not in self._names]
            if unknown:
                resp = self.call(self.market.GetAssetPairs, market_data_pb2.GetAssetPairsRequest(pairs=unknown))
                for name, p in zip(unknown, resp.pairs):
                    self._remember(p)
                    self._names[name] = p.pair
            return [self._pairs[self._names[n]] for n in wanted]

    def _remember(self, p: market_data_pb2.AssetPair) -> None:
        self._pairs[p.pair] = p
        for spelling in (p.pair, p.altname, p.wsname, p.symbol):
            if spelling:
                self._names[spelling] = p.pair

    def pair(self, name: str) -> market_data_pb2.AssetPair:
        return self.asset_pairs([name])[0]

    def pair_of(self, rest_id: str) -> market_data_pb2.AssetPair:
        """The pair of a REST pair id, for descriptions an answer lacks; a bare AssetPair
        naming the id when the table cannot say (a description must not fail its read)."""
        try:
            return self.pair(rest_id)
        except Exception:
            return market_data_pb2.AssetPair(pair=rest_id, altname=rest_id)
