// Logins/s through the full stack against raw argon2id verifications/s with the same parameters and
// the same concurrency, measured in this run. Target: at least 0.9x.
// - Concurrency 8, twice the libuv pool's 4 threads: a throughput figure needs a saturated server.
//   With 4 clients, each login's HTTP and database steps left the CPUs idle 0.3-0.6 ms per login
//   (raw verifications: 0.08 ms); with 8, 0.08-0.10 ms.
// - 10 s of logins before measuring: at ~80 logins/s V8 is still optimizing the login path after
//   the first seconds (its background compiles cost 0.4 ms per login in the first 6 s, 0.14 ms
//   after 15 s), and a server that takes logins has normally been up longer than that.
import argon2 from 'argon2';
import { pino } from 'pino';
import { ARGON2_PARAMS } from '../../homeserver/dist/accounts/passwords.js';
import { startBareLoginServer } from './bare-login-server.js';
import { benchDatabase, fmt, inTurn, load, median, nullLogger, report, startBenchServer } from './foundation-support.js';

const ROUNDS = 9;
const DURATION_MS = 3000;
const CONCURRENCY = 8;
const WARM_UP_MS = 10_000;
const BARE_ROUNDS = 5;

async function rawVerifications(hash: string, password: string, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let done = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        if (!(await argon2.verify(hash, password))) throw new Error('verification failed');
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - started);
}

const db = await benchDatabase(pino({ level: 'warn' }));
const parley = await startBenchServer(db.url, nullLogger('info'));
try {
  const password = 'bench-password-1';
  await parley.hs.context.accounts.registration.createAccount({ localpart: 'bench', password });
  const hash = await argon2.hash(password, { ...ARGON2_PARAMS, type: argon2.argon2id });
  const body = JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: 'bench' }, password });
  const login = (durationMs: number, url = `${parley.hs.url}/_matrix/client/v3/login`) =>
    load({
      url,
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
      connections: CONCURRENCY,
      durationMs,
    });
  await login(WARM_UP_MS);
  await rawVerifications(hash, password, 500);
  const logins: number[] = [];
  const raw: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const [r, l] = await inTurn(i, () => rawVerifications(hash, password, DURATION_MS), () => login(DURATION_MS));
    if (l.failed) throw new Error(`${l.failed} logins failed`);
    raw.push(r);
    logins.push(l.perSecond);
    ratios.push(l.perSecond / r);
  }
  console.log(`ratios by round: ${ratios.map((r) => fmt(r, 2)).join(', ')}`);
  console.log(`logins: ${fmt(median(logins), 1)}/s; raw argon2id verifications: ${fmt(median(raw), 1)}/s (m=${ARGON2_PARAMS.memoryCost} KiB, t=${ARGON2_PARAMS.timeCost}, p=${ARGON2_PARAMS.parallelism})`);

  // The same measurement for the bare login server: the most any login over HTTP and Postgres reaches here.
  const bare = await startBareLoginServer(db.url, 'bench', password);
  try {
    const bareLogin = (ms: number) => login(ms, bare.url);
    await bareLogin(WARM_UP_MS);
    const bareRatios: number[] = [];
    for (let i = 0; i < BARE_ROUNDS; i++) {
      const [r, l] = await inTurn(i, () => rawVerifications(hash, password, DURATION_MS), () => bareLogin(DURATION_MS));
      if (l.failed) throw new Error(`${l.failed} bare logins failed`);
      bareRatios.push(l.perSecond / r);
    }
    console.log(`bare node:http + pg login server (no framework, validation, logging or metrics): ${fmt(median(bareRatios), 2)} (rounds ${bareRatios.map((r) => fmt(r, 2)).join(', ')})`);
  } finally {
    await bare.stop();
  }
  process.exitCode = report('login/argon2 ratio', median(ratios), '≥ 0.9', median(ratios) >= 0.9) ? 0 : 1;
} finally {
  await parley.cleanup();
  await db.drop();
}
