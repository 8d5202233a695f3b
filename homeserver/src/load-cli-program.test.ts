import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadWithCodeCache } from './load-cli-program.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Shaped like scripts/bundle.mjs writes server.cjs: one function expression around CommonJS code. */
const wrapped = (body: string) => `(function (exports, require, module, __filename, __dirname, __importMetaUrl, __importMetaResolve) {${body}\n})`;

function bundle(body: string): string {
  const source = wrapped(body);
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-code-cache-'));
  dirs.push(dir);
  const file = path.join(dir, 'server.cjs');
  writeFileSync(file, source);
  return file;
}

const settle = () => new Promise((r) => setTimeout(r, 50));

describe('loadWithCodeCache', () => {
  it('runs the file as CommonJS, strict, with import.meta.url and a working dynamic import()', async () => {
    const file = bundle(`"use strict";
      module.exports = { url: __importMetaUrl, strict: (function () { return this === undefined; })(), load: () => import('node:path') };`);
    const { exports } = loadWithCodeCache(file, 0);
    const m = exports as { url: string; strict: boolean; load: () => Promise<typeof path> };
    expect(m.url).toBe(`file://${file}`);
    expect(m.strict).toBe(true);
    expect(typeof (await m.load()).join).toBe('function');
  });

  it('reads the text right whether the file is ASCII (as bundle.mjs makes it) or not', () => {
    const ascii = loadWithCodeCache(bundle(`module.exports = { text: 'plain' };`), 0);
    const utf8 = loadWithCodeCache(bundle(`// café — a comment\nmodule.exports = { text: 'résumé ✓' };`), 0);
    expect(ascii.exports).toEqual({ text: 'plain' });
    expect(utf8.exports).toEqual({ text: 'résumé ✓' });
  });

  it('writes a cache for the build, uses it next time, and replaces it when the file changes', async () => {
    const file = bundle('module.exports = { answer: 41 + 1 };');
    const first = loadWithCodeCache(file, 0);
    expect(first).toMatchObject({ exports: { answer: 42 }, cache: 'missing' });
    await settle();
    const caches = readdirSync(path.join(path.dirname(file), '.code-cache'));
    expect(caches).toHaveLength(1);
    expect(loadWithCodeCache(file, 0)).toMatchObject({ exports: { answer: 42 }, cache: 'used' });

    writeFileSync(file, wrapped('module.exports = { answer: 43 };'));
    expect(loadWithCodeCache(file, 0)).toMatchObject({ exports: { answer: 43 }, cache: 'missing' });
    await settle();
    const after = readdirSync(path.join(path.dirname(file), '.code-cache'));
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(caches[0]);
  });
});
