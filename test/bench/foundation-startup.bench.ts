// Start-up: `parley start` (embedded Postgres already initialised by an earlier run) until the first
// /versions answer, against the time the embedded Postgres alone needs to start in a fresh process.
// Target: at most 1.5x.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, build, fmt, median, report, spawnParley } from './foundation-support.js';

const ROUNDS = 3;

/** A fresh node process that starts the embedded Postgres the way Parley does, and stops it. */
function postgresAlone(dataDir: string): Promise<number> {
  const script = `
    import { startEmbeddedPostgres } from ${JSON.stringify(path.join(ROOT, 'homeserver/dist/db/embedded.js'))};
    import { pino } from 'pino';
    const pg = await startEmbeddedPostgres(${JSON.stringify(path.join(dataDir, 'postgres'))}, pino({ level: 'warn' }));
    process.stdout.write('ready\\n');
    await pg.stop();`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: path.join(ROOT, 'homeserver'), stdio: ['ignore', 'pipe', 'inherit'] });
    let readyMs = 0;
    child.stdout.on('data', (d: Buffer) => {
      if (!readyMs && d.toString().includes('ready')) readyMs = performance.now() - started;
    });
    child.on('exit', (code) => (code === 0 && readyMs ? resolve(readyMs) : reject(new Error(`postgres alone exited with ${code}`))));
  });
}

build();
const dataDir = mkdtempSync(path.join(tmpdir(), 'parley-bench-start-'));
try {
  // First run: initdb, migrations, signing key. Not measured.
  const first = await spawnParley(dataDir);
  await first.stop();

  const parley: number[] = [];
  const alone: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    alone.push(await postgresAlone(dataDir));
    const run = await spawnParley(dataDir);
    parley.push(run.readyMs);
    const code = await run.stop();
    if (code !== 0) throw new Error(`parley exited with ${code} after SIGTERM`);
  }
  const p = median(parley);
  const a = median(alone);
  console.log(`parley start → first /versions: ${fmt(p)} ms (median of ${ROUNDS}: ${parley.map((x) => fmt(x)).join(', ')})`);
  console.log(`embedded Postgres alone:        ${fmt(a)} ms (${alone.map((x) => fmt(x)).join(', ')})`);
  const ok = report('start-up ratio', p / a, '≤ 1.5', p / a <= 1.5);
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
