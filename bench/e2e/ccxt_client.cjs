// The baseline of the end-to-end bench: the npm package ccxt (what users would otherwise pick)
// calling kraken-sim's REST directly. Run by kgw-bench-e2e:
//   node ccxt_client.cjs NODE_DIR REST_URL API_KEY API_SECRET fetchTicker|createOrder WARMUP COUNT RATE
// Paced like the C++ rows: one intended send time every 1/RATE s, latency from the intended time
// (a late call charges the wait to itself). Prints one `us N` line per measured call, then
// `failures N` and, when any, `error TEXT` (the first one).
'use strict';
const { createRequire } = require('module');
const path = require('path');

async function main() {
  const [nodeDir, url, apiKey, secret, mode, warmupArg, countArg, rateArg] = process.argv.slice(2);
  // Resolved as a package from NODE_DIR (ccxt's package.json maps `require` through `exports`).
  const ccxt = createRequire(path.join(nodeDir, 'package.json'))('ccxt');
  const ex = new ccxt.kraken({ apiKey, secret, urls: { api: { public: url, private: url } }, enableRateLimit: false });
  await ex.loadMarkets();
  const symbols = ['BTC/USD', 'ETH/USD', 'SOL/USD'];
  const prices = {};
  for (const s of symbols) {
    const t = await ex.fetchTicker(s);
    prices[s] = ex.priceToPrecision(s, t.bid * 0.8);  // rests without filling
  }
  let k = 0;
  const call = mode === 'createOrder'
    ? () => {
        const s = symbols[k++ % symbols.length];
        return ex.createOrder(s, 'limit', 'buy', ex.markets[s].limits.amount.min, prices[s], { postOnly: true });
      }
    : () => ex.fetchTicker('BTC/USD');
  const warmup = Number(warmupArg), count = Number(countArg);
  const interval = BigInt(Math.round(1e9 / Number(rateArg)));
  let failures = 0, firstError = '';
  for (let i = 0; i < warmup; ++i) await call().catch(() => {});
  let next = process.hrtime.bigint() + interval;
  const out = [];
  for (let i = 0; i < count; ++i) {
    const intended = next;
    next += interval;
    const ahead = Number(intended - process.hrtime.bigint()) / 1e6;
    if (ahead > 2) await new Promise((r) => setTimeout(r, ahead - 1.5));
    while (process.hrtime.bigint() < intended) { /* the last ~1.5 ms: setTimeout is ms-grained */ }
    try {
      await call();
      out.push(`us ${Number(process.hrtime.bigint() - intended) / 1e3}`);
    } catch (e) {
      ++failures;
      if (!firstError) firstError = String(e).split('\n')[0];
    }
  }
  out.push(`failures ${failures}`);
  if (firstError) out.push(`error ${firstError}`);
  process.stdout.write(out.join('\n') + '\n');
}

main().then(() => process.exit(0), (e) => {
  process.stdout.write(`failures -1\nerror ${String(e).split('\n')[0]}\n`);
  process.exit(1);
});
