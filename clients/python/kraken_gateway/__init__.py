"""kraken_gateway: the Kraken SDK's ``Kraken`` object over kraken-gatewayd (gRPC), and the
worker runner ``python3 -m kraken_gateway.worker strategy.py``.

    from kraken_gateway import Kraken, KrakenAPIError
    k = Kraken()                      # the local daemon's socket
    px = float(k.get_ticker("XBTUSD")["XXBTZUSD"]["c"][0])
"""

from .client import Kraken
from .errors import ExchangeAPIError, GatewayUnavailableError, KrakenAPIError, NoApiKeyError

__all__ = ["Kraken", "KrakenAPIError", "ExchangeAPIError", "GatewayUnavailableError", "NoApiKeyError"]
__version__ = "0.1.0"
