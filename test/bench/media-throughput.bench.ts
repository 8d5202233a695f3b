// Upload and download of a 50 MB file through Parley against writing and reading the same bytes
// to and from a file on the same disk (the media store's), in one run. Both writes are durable
// (synced to disk before they count as done), as an acknowledged upload must be. Reads are compared with the
// file dropped from the page cache on both sides (a download of media nobody fetched lately); the
// page-cache figures are printed too: there a plain read runs at memory speed, which no socket
// transfer matches.
//  - upload throughput ≥ 0.5× raw write; download throughput ≥ 0.5× raw read;
//  - resident memory during the upload stays flat (grows by less than a quarter of the file).
// The client runs in a worker thread; medians of 5 runs after an untimed warm-up round.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { benchBytes, gc, MB, startMediaBench, WorkerClient } from './media-support.js';
import { fmt, median, report } from './foundation-support.js';

const SIZE = 50 * MB;
const RUNS = 5;

async function rawWrite(file: string, bytes: Buffer): Promise<number> {
  const started = performance.now();
  const out = createWriteStream(file, { highWaterMark: MB, flush: true });
  for (let offset = 0; offset < bytes.length; offset += MB) {
    if (!out.write(bytes.subarray(offset, offset + MB))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return performance.now() - started;
}

/** Writes the file's dirty pages out and drops it from the page cache (posix_fadvise DONTNEED via dd). */
function evict(file: string): void {
  execFileSync('sync', [file]);
  execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
}

async function rawRead(file: string): Promise<number> {
  const started = performance.now();
  let n = 0;
  for await (const c of createReadStream(file, { highWaterMark: MB })) n += (c as Buffer).length;
  if (n !== SIZE) throw new Error('short read');
  return performance.now() - started;
}

const { hs, user, close } = await startMediaBench({ thumbnails: { precompute: false }, user_quota_bytes: 0 });
const bytes = benchBytes(SIZE);
const client = new WorkerClient(bytes);
const scratch = path.join(hs.context.config.paths.mediaStore, 'bench-scratch');
mkdirSync(scratch, { recursive: true });
const mbps = (ms: number) => SIZE / MB / (ms / 1000);
const storedFile = (sha: string) => path.join(hs.context.config.paths.mediaStore, 'content', sha.slice(0, 2), sha.slice(2, 4), sha);

try {
  const writes: number[] = [];
  const reads: number[] = [];
  const warmReads: number[] = [];
  const warmDownloads: number[] = [];
  const uploads: number[] = [];
  const downloads: number[] = [];
  const rssGrowth: number[] = [];
  // One untimed round first: JIT, the hashing worker, connection set-up.
  bytes[0] = 255;
  await client.run({ kind: 'upload', url: `${hs.url}/_matrix/media/v3/upload`, token: user.accessToken });
  await rawWrite(path.join(scratch, 'warm-up'), bytes);
  for (let i = 0; i < RUNS; i++) {
    const file = path.join(scratch, `raw-${i}`);
    writes.push(await rawWrite(file, bytes));
    warmReads.push(await rawRead(file));
    evict(file);
    reads.push(await rawRead(file));
    rmSync(file);

    // Each upload differs in its first byte, so the store cannot skip the write as a duplicate.
    bytes[0] = i;
    gc();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 5);
    const up = await client.run({ kind: 'upload', url: `${hs.url}/_matrix/media/v3/upload`, token: user.accessToken });
    clearInterval(sampler);
    if (up.status !== 200) throw new Error(`upload failed: ${up.status} ${up.body}`);
    uploads.push(up.ms);
    rssGrowth.push(rssPeak - rssBefore);
    const mxc = JSON.parse(up.body!).content_uri as string;
    const download = async () => {
      const down = await client.run({ kind: 'download', url: `${hs.url}/_matrix/client/v1/media/download/${mxc.slice(6)}`, token: user.accessToken });
      if (down.status !== 200 || down.bytes !== SIZE) throw new Error(`download failed: ${down.status}`);
      return down.ms;
    };
    warmDownloads.push(await download());
    const row = await hs.context.db('media').where({ media_id: mxc.split('/')[3] }).first();
    evict(storedFile(row.sha256));
    downloads.push(await download());
  }
  const [w, r, u, d, wr, wd] = [writes, reads, uploads, downloads, warmReads, warmDownloads].map(median);
  console.log(`raw write ${fmt(mbps(w))} MB/s, upload ${fmt(mbps(u))} MB/s`);
  console.log(`from disk (page cache dropped): raw read ${fmt(mbps(r))} MB/s, download ${fmt(mbps(d))} MB/s`);
  console.log(`from the page cache: raw read ${fmt(mbps(wr))} MB/s, download ${fmt(mbps(wd))} MB/s (ratio ${fmt(wr / wd, 2)}, for information)`);
  const ok = [
    report('upload throughput / raw write', w / u, '≥ 0.5', w / u >= 0.5),
    report('download throughput / raw read, from disk', r / d, '≥ 0.5', r / d >= 0.5),
    report('RSS growth during a 50 MB upload (MB)', median(rssGrowth) / MB, `< ${SIZE / 4 / MB}`, median(rssGrowth) < SIZE / 4),
  ];
  process.exitCode = ok.every(Boolean) ? 0 : 1;
} finally {
  await client.close();
  rmSync(scratch, { recursive: true, force: true });
  await close();
}
