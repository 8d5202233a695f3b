import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineBatch } from './logging.js';

function fakeSink() {
  const sink = { written: [] as string[], syncFlushes: 0, destroyed: false, write: (s: string) => (sink.written.push(s), true), flushSync: () => void sink.syncFlushes++ };
  return sink;
}

describe('LineBatch', () => {
  it('hands lines to the sink in chunks of at least minChars, in order', () => {
    const sink = fakeSink();
    const batch = new LineBatch(sink, 10);
    batch.write('aaaa\n');
    expect(sink.written).toEqual([]);
    batch.write('bbbb\n');
    expect(sink.written).toEqual(['aaaa\nbbbb\n']);
    batch.write('cc\n');
    batch.flush();
    expect(sink.written).toEqual(['aaaa\nbbbb\n', 'cc\n']);
    batch.flush();
    expect(sink.written).toHaveLength(2);
  });

  it('writes out what it holds and syncs the sink on flushSync', () => {
    const sink = fakeSink();
    const batch = new LineBatch(sink, 4096);
    batch.write('line\n');
    batch.flushSync();
    expect(sink.written).toEqual(['line\n']);
    expect(sink.syncFlushes).toBe(1);
  });

  it('drops lines once the sink is destroyed instead of throwing', () => {
    const sink = fakeSink();
    const batch = new LineBatch(sink, 1);
    sink.destroyed = true;
    expect(() => batch.write('late\n')).not.toThrow();
    expect(() => batch.flushSync()).not.toThrow();
    expect(sink.written).toEqual([]);
    // Nothing is held back either: a sink brought back gets only what comes after.
    sink.destroyed = false;
    batch.write('later\n');
    expect(sink.written).toEqual(['later\n']);
  });
});

describe('createLogger', () => {
  it('writes every line before the process exits, even lines still in the batch (as on stdout, an open fd)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-logging-'));
    try {
      const file = path.join(dir, 'out.log');
      const script = `
        import { openSync } from 'node:fs';
        import { createLogger } from ${JSON.stringify(path.resolve(__dirname, 'logging.ts'))};
        const log = createLogger('info', openSync(${JSON.stringify(file)}, 'w'));
        for (let i = 0; i < 1000; i++) log.info({ i }, 'line');
        log.info('last');
        process.exit(0);`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
      expect(r.status, r.stderr).toBe(0);
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(lines).toHaveLength(1001);
      expect(lines.slice(0, 1000).map((l) => l.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      expect(lines[1000].msg).toBe('last');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
