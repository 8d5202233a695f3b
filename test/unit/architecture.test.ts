// The dependency arrows of docs/architecture.md, checked on every import in the source tree:
// spec/ is pure (no I/O), federation/ sees only spec/, sfu/ and client-lit/ see only spec/.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      if (name === 'node_modules' || name === 'dist') continue;
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.ts$/.test(name) && !/\.(test|bench)\.ts$/.test(name) && !p.includes(`${path.sep}test-support${path.sep}`)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
  for (const m of text.matchAll(re)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

const workspaces = ['spec', 'federation', 'homeserver', 'sfu', 'client-lit'] as const;
const allowedWorkspaceDeps: Record<(typeof workspaces)[number], string[]> = {
  spec: [],
  federation: ['@parley/spec'],
  homeserver: ['@parley/spec', '@parley/federation', '@parley/migrations'],
  sfu: ['@parley/spec'],
  'client-lit': ['@parley/spec'],
};
// spec/ runs in browsers: only node:crypto, and only behind the small crypto interface.
const SPEC_IO_MODULES = /^(node:)?(fs|net|http|https|http2|dgram|dns|child_process|worker_threads|cluster|tls|os|readline)(\/|$)|^(koa|@koa\/|knex|pg|ioredis|ws|pino)/;

describe('dependency direction', () => {
  for (const ws of workspaces) {
    it(`${ws}/ imports only what the architecture allows`, () => {
      const dir = path.join(root, ws, 'src');
      const violations: string[] = [];
      let files: string[] = [];
      try {
        files = sourceFiles(dir);
      } catch {
        return;
      }
      for (const file of files) {
        for (const spec of importsOf(file)) {
          const rel = path.relative(root, file);
          if (spec.startsWith('.')) {
            const target = path.resolve(path.dirname(file), spec);
            if (!target.startsWith(path.join(root, ws) + path.sep)) violations.push(`${rel}: relative import leaves ${ws}/: ${spec}`);
            continue;
          }
          if (spec.startsWith('@parley/')) {
            const pkg = spec.split('/').slice(0, 2).join('/');
            if (!allowedWorkspaceDeps[ws].includes(pkg)) violations.push(`${rel}: ${ws}/ may not import ${pkg}`);
            continue;
          }
          if (ws === 'spec' && SPEC_IO_MODULES.test(spec)) violations.push(`${rel}: spec/ is pure and may not import ${spec}`);
          if (ws === 'spec' && spec.startsWith('node:') && spec !== 'node:crypto') violations.push(`${rel}: spec/ may not import ${spec}`);
          if (ws === 'spec' && spec === 'node:crypto' && !/crypto-node\.ts$/.test(file)) {
            violations.push(`${rel}: node:crypto only behind spec/src/crypto-node.ts`);
          }
        }
      }
      expect(violations).toEqual([]);
    });
  }
});
