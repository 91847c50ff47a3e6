"""Spread-aware market making: quote inside the spread when it is wide.

Each tick reads the latest best bid and ask from the spread history, works out the spread in
basis points and, when it exceeds 5 bps, replaces our quotes with a post-only buy one tick
above the bid and a post-only sell one tick below the ask.

    kgw-worker examples/spread_maker.py --interval 5
"""

PAIR = "XBTUSD"
MIN_SPREAD_BPS = 5
VOLUME = "0.0005"


def tick(ctx):
    k = ctx.kraken
    bid, ask, _ = k.get_spread(PAIR)["XXBTZUSD"][-1]
    bid, ask = float(bid), float(ask)
    spread_bps = (ask - bid) / ((ask + bid) / 2) * 10_000
    ctx.state.set("last", {"bid": bid, "ask": ask, "spread_bps": spread_bps})
    if spread_bps <= MIN_SPREAD_BPS:
        ctx.log.info(f"spread {spread_bps:.2f} bps, not quoting")
        return
    tick_size = float(k.get_asset_pairs(PAIR)["XXBTZUSD"]["tick_size"])
    k.cancel_all_orders()
    buy = k.place_order(PAIR, "buy", VOLUME, ordertype="limit", price=round(bid + tick_size, 1), post_only=True)
    sell = k.place_order(PAIR, "sell", VOLUME, ordertype="limit", price=round(ask - tick_size, 1), post_only=True)
    ctx.state.set("quotes", [buy["txid"][0], sell["txid"][0]])
    ctx.log.info(f"spread {spread_bps:.2f} bps: quoting {bid + tick_size:.1f} / {ask - tick_size:.1f}")
