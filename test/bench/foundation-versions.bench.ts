// GET /_matrix/client/versions through Parley's full stack (request id, logging at info to /dev/null,
// metrics, CORS, router, binder) against a bare Koa handler, both measured in this run with the same
// keep-alive load from a worker thread. Target: at least 0.7x.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { pino } from 'pino';
import { benchDatabase, fmt, inTurn, load, median, nullLogger, report, startBenchServer } from './foundation-support.js';

const ROUNDS = 7;
const DURATION_MS = 1500;

const db = await benchDatabase(pino({ level: 'warn' }));
const parley = await startBenchServer(db.url, nullLogger('info'));

const bare = new Koa();
bare.use(async (ctx) => {
  ctx.body = { versions: ['v1.1', 'v1.2', 'v1.3'], unstable_features: {} };
});
const bareServer = bare.listen(0, '127.0.0.1');
await new Promise((r) => bareServer.once('listening', r));
const bareUrl = `http://127.0.0.1:${(bareServer.address() as AddressInfo).port}`;

try {
  const path = '/_matrix/client/versions';
  await load({ url: parley.hs.url + path, durationMs: 500 });
  await load({ url: bareUrl + path, durationMs: 500 });
  const ours: number[] = [];
  const koa: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const [k, p] = await inTurn(
      i,
      () => load({ url: bareUrl + path, durationMs: DURATION_MS }),
      () => load({ url: parley.hs.url + path, durationMs: DURATION_MS }),
    );
    if (p.failed || k.failed) throw new Error(`failed requests: parley ${p.failed}, koa ${k.failed}`);
    ours.push(p.perSecond);
    koa.push(k.perSecond);
    ratios.push(p.perSecond / k.perSecond);
  }
  console.log(`ratios by round: ${ratios.map((r) => fmt(r, 2)).join(', ')}`);
  console.log(`parley /versions: ${fmt(median(ours))} req/s; bare Koa: ${fmt(median(koa))} req/s`);
  process.exitCode = report('/versions throughput ratio', median(ratios), '≥ 0.7', median(ratios) >= 0.7) ? 0 : 1;
} finally {
  bareServer.close();
  await parley.cleanup();
  await db.drop();
}
