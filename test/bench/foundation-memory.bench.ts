// Idle resident memory of the `parley start` process (the embedded Postgres's processes excluded),
// after start-up, a few requests and a quiet moment. Target: under 120 MB, for a server as it
// normally runs: started with the V8 code cache a first start leaves (dist/bundle/.code-cache).
// The first start after a build, which compiles everything and writes that cache, is printed too.
// BENCH_NODE_OPTIONS passes V8 flags to the server (e.g. --max-semi-space-size=2 trades ~12 MB for more GCs).
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, report, spawnParley } from './foundation-support.js';

function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}

build();
const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-mem-'));

async function idleRss(first: boolean): Promise<number> {
  const run = await spawnParley(dataDir, { PARLEY_REGISTRATION: 'open', NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '' });
  try {
    const post = (p: string, body: unknown) =>
      fetch(run.url + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    if (first) await post('/_matrix/client/v3/register', { username: 'mem', password: 'mem-password-1', auth: { type: 'm.login.dummy' } });
    for (let i = 0; i < 20; i++) await fetch(`${run.url}/_matrix/client/versions`);
    const login = await post('/_matrix/client/v3/login', { type: 'm.login.password', user: 'mem', password: 'mem-password-1' });
    if (login.status !== 200) throw new Error(`login failed: ${login.status}`);
    await new Promise((r) => setTimeout(r, 3000));
    return rssMb(run.child.pid!);
  } finally {
    await run.stop();
  }
}

try {
  console.log(`first start after the build (compiles, writes the code cache): ${(await idleRss(true)).toFixed(1)} MB`);
  const mb = await idleRss(false);
  process.exitCode = report('idle RSS of the homeserver process (MB)', mb, '< 120', mb < 120) ? 0 : 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
