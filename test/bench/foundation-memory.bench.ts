// Idle resident memory of the `parley start` process (the embedded Postgres's processes excluded),
// after start-up, a few requests and a quiet moment. Target: under 120 MB.
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
try {
  const run = await spawnParley(dataDir, { PARLEY_REGISTRATION: 'open', NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '' });
  try {
    const post = (p: string, body: unknown) =>
      fetch(run.url + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    await post('/_matrix/client/v3/register', { username: 'mem', password: 'mem-password-1', auth: { type: 'm.login.dummy' } });
    for (let i = 0; i < 20; i++) await fetch(`${run.url}/_matrix/client/versions`);
    await post('/_matrix/client/v3/login', { type: 'm.login.password', user: 'mem', password: 'mem-password-1' });
    await new Promise((r) => setTimeout(r, 3000));
    const mb = rssMb(run.child.pid!);
    process.exitCode = report('idle RSS of the homeserver process (MB)', mb, '< 120', mb < 120) ? 0 : 1;
  } finally {
    await run.stop();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
