"""Layered grid: five buy and five sell limits, 0.5 % apart, around the last price.

Setup clears the book of our orders, reads the last price and places the ten orders in one
batch; the centre goes to ctx.state. Each tick reports how many grid orders still rest.

    kgw-worker examples/layered_grid.py --interval 30
"""

PAIR = "XBTUSD"
LEVELS = 5
STEP = 0.005  # 0.5 % of the centre price between levels
VOLUME = "0.0005"


def setup(ctx):
    k = ctx.kraken
    k.cancel_all_orders()
    px = float(k.get_ticker(PAIR)["XXBTZUSD"]["c"][0])
    step = px * STEP
    orders = []
    for i in range(1, LEVELS + 1):
        orders.append({"ordertype": "limit", "type": "buy", "volume": VOLUME, "price": str(round(px - i * step, 1))})
        orders.append({"ordertype": "limit", "type": "sell", "volume": VOLUME, "price": str(round(px + i * step, 1))})
    placed = k.batch_add(orders, pair=PAIR)
    ctx.state.set("centre", px)
    ctx.state.set("grid", [o["txid"] for o in placed["orders"]])
    ctx.log.info(f"grid of {len(orders)} orders around {px}")


def tick(ctx):
    grid = set(ctx.state.get("grid", []))
    resting = [txid for txid in ctx.kraken.get_orders()["open"] if txid in grid]
    ctx.log.info(f"{len(resting)} of {len(grid)} grid orders resting around {ctx.state.get('centre')}")
