// `npm run bench`: runs every *.bench.ts in this folder (or those named on the command line)
// as its own process, one after another, and reports which missed their targets. A benchmark
// missed when it exits non-zero or prints a `MISS` line (a library's exit hook can reset the
// exit code, so the printed verdict counts too).
// The benchmarks measure the compiled JavaScript in */dist (what `npm start` runs), not the
// sources through tsx (whose transform adds a call per closure): the workspace is built first.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .sort();

function runOne(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(dir, file)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let missed = false;
    let tail = '';
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      const text = tail + chunk.toString();
      if (/^MISS /m.test(text)) missed = true;
      tail = text.slice(text.lastIndexOf('\n') + 1);
    });
    child.on('close', (code) => resolve(code === 0 && !missed));
  });
}

const built = spawnSync('npx', ['tsc', '-b'], { cwd: path.resolve(dir, '../..'), stdio: 'inherit' });
if (built.status !== 0) {
  console.error('the build failed: fix it before benchmarking');
  process.exit(1);
}

const failed: string[] = [];
for (const f of files) {
  console.log(`\n=== ${f}`);
  if (!(await runOne(f))) failed.push(f);
}
console.log(`\n${files.length - failed.length} benchmarks met their targets, ${failed.length} did not${failed.length ? ': ' + failed.join(', ') : ''}`);
process.exit(failed.length ? 1 : 0);
