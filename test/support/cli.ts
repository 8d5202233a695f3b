// `parley start` from the sources as a child process, the way a user runs it: free ports on
// loopback, the given environment on top of this one, and a wait until /versions answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export interface CliServer {
  url: string;
  proc: ChildProcess;
  output: string[];
}

/** Starts `parley start` with `env` (a value of undefined removes the variable). */
export async function startCli(env: Record<string, string | undefined>, timeoutMs = 60_000): Promise<CliServer> {
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
