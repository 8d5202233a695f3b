// Every file in ../shared/spec-data/vectors is read by some test.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const vectorsDir = path.resolve(root, '../shared/spec-data/vectors');

function walk(dir: string, pred: (p: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, pred));
    else if (pred(p)) out.push(p);
  }
  return out;
}

describe('spec vectors', () => {
  it('each vector JSON file is named by a test', () => {
    const vectorFiles = walk(vectorsDir, (p) => p.endsWith('.json')).map((p) => path.relative(vectorsDir, p));
    const testText = walk(root, (p) => /\.test\.ts$/.test(p) || p.includes(`${path.sep}test-support${path.sep}`))
      .filter((p) => !p.endsWith('vectors-coverage.test.ts'))
      .map((p) => readFileSync(p, 'utf8'))
      .join('\n');
    // A file counts as used when a test names it, or names its folder and loads the folder's files by listing it.
    const unused = vectorFiles.filter((f) => {
      const base = path.basename(f);
      const folder = path.dirname(f);
      return !testText.includes(base) && !(folder !== '.' && testText.includes(folder.split(path.sep)[0]));
    });
    expect(unused).toEqual([]);
  });
});
