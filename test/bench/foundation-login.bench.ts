// Logins/s through the full stack against raw argon2id verifications/s with the same parameters and
// the same concurrency (the libuv pool's 4 threads), measured in this run. Target: at least 0.9x.
import argon2 from 'argon2';
import { pino } from 'pino';
import { ARGON2_PARAMS } from '../../homeserver/dist/accounts/passwords.js';
import { benchDatabase, fmt, inTurn, load, median, nullLogger, report, startBenchServer } from './foundation-support.js';

const ROUNDS = 9;
const DURATION_MS = 3000;
const CONCURRENCY = 4;

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
  const login = (durationMs: number) =>
    load({
      url: `${parley.hs.url}/_matrix/client/v3/login`,
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json' },
      connections: CONCURRENCY,
      durationMs,
    });
  await login(500);
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
  process.exitCode = report('login/argon2 ratio', median(ratios), '≥ 0.9', median(ratios) >= 0.9) ? 0 : 1;
} finally {
  await parley.cleanup();
  await db.drop();
}
