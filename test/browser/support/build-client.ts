// Global setup of the browser tests: builds the web client when client-lit/dist is missing or
// older than any of its sources, so `npm test` always drives the current client.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const client = path.join(root, 'client-lit');

function newestMtime(p: string): number {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function clientIsStale(): boolean {
  const built = path.join(client, 'dist', 'index.html');
  const lib = path.join(client, 'dist', 'lib', 'parley-room.js');
  if (!existsSync(built) || !existsSync(lib)) return true;
  const sources = ['src', 'index.html', 'vite.config.ts', 'vite.lib.config.ts', 'vite.shared.ts', 'package.json'].map((f) => path.join(client, f));
  const builtAt = Math.min(statSync(built).mtimeMs, statSync(lib).mtimeMs);
  return sources.some((s) => existsSync(s) && newestMtime(s) > builtAt);
}

export default function setup(): void {
  if (!clientIsStale()) return;
  console.log('building client-lit for the browser tests');
  // NODE_ENV as a release build has it: vitest sets 'test', which makes Vite resolve Lit's
  // development build (bigger, slower, and warning in the console).
  execFileSync('npm', ['run', 'build', '--workspace', 'client-lit'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}
