// `parley start` from the sources as a child process, the way a user runs it: free ports on
// loopback, the given environment on top of this one, and a wait until /versions answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/**
 * A port free right now, below the kernel's ephemeral range (32768-60999 by default): outgoing
 * connections of other tests take their local ports from that range and could take it before
 * the server binds it.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const srv = createServer();
    const bound = await new Promise<boolean>((resolve) => {
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (!bound) continue;
    await new Promise((resolve) => srv.close(resolve));
    return port;
  }
}

export interface CliServer {
  url: string;
  proc: ChildProcess;
  output: string[];
}

/**
 * Starts `parley start` with `env` (a value of undefined removes the variable) on free ports, and
 * again on other ports if one was taken meanwhile.
 */
export async function startCli(env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<CliServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCliOnce(env, timeoutMs);
    } catch (err) {
      if (attempt === 3 || !String(err).includes('EADDRINUSE')) throw err;
    }
  }
}

async function startCliOnce(env: Record<string, string | undefined>, timeoutMs: number): Promise<CliServer> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PARLEY_PORT: String(port),
    PARLEY_FEDERATION_PORT: String(await freePort()),
    PARLEY_BIND_ADDRESS: '127.0.0.1',
    PARLEY_LOG_LEVEL: 'warn',
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const output: string[] = [];
  const proc = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'homeserver/src/cli.ts', 'start'], { cwd: ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.on('data', (d) => output.push(String(d)));
  proc.stderr!.on('data', (d) => output.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`parley exited (${proc.exitCode}): ${output.join('')}`);
    if (await fetch(`${url}/_matrix/client/versions`).then((r) => r.ok, () => false)) return { url, proc, output };
    if (Date.now() > deadline) throw new Error(`parley did not start: ${output.join('')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function exited(server: CliServer): Promise<number | null> {
  const { proc } = server;
  return proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve(proc.exitCode) : new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}
