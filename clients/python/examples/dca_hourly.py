"""Dollar-cost averaging on the hourly close, with a status guard.

Every tick: if the exchange is online and an hour has passed since the last buy, buy $50 of
XBTUSD at market at the last trade's price. The time of the last buy lives in ctx.state, so a
restarted worker does not buy twice in the hour.

    kgw-worker examples/dca_hourly.py --interval 60
"""

import time

PAIR = "XBTUSD"
USD_PER_BUY = 50
EVERY_SECONDS = 3600


def tick(ctx):
    k = ctx.kraken
    status = k.get_system_status()["status"]
    if status != "online":
        ctx.log.warn(f"exchange is {status}, not buying")
        return
    last_buy = ctx.state.get("last_buy", 0)
    if time.time() - last_buy < EVERY_SECONDS:
        return
    px = float(k.get_ticker(PAIR)["XXBTZUSD"]["c"][0])
    volume = round(USD_PER_BUY / px, 5)
    order = k.place_order(PAIR, "buy", volume)
    ctx.state.set("last_buy", time.time())
    ctx.state.set("last_order", order["txid"][0])
    ctx.log.info(f"bought {volume} XBT at about {px}: {order['descr']['order']}")
