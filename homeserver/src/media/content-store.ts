// Where media bytes live. Content-addressed: a file is named by its sha256, so identical
// uploads are stored once. The interface is small so an object store can replace the disk.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { WorkerHasher, type ContentHasher } from './hasher.js';

/** Bytes received into the store but not yet given a name (committed) or thrown away. */
export interface StagedContent {
  sha256: string;
  size: number;
  /** The first bytes, for sniffing the type. */
  head: Buffer;
}

/** Called with the running byte count and the first bytes; `done` once the source has ended. Throw (or reject) to abort. */
export type StageCheck = (received: number, head: Buffer, done: boolean) => void | Promise<void>;

export interface ContentStore {
  /** Streams `source` into a staging area, hashing it as it goes; an abort removes the partial file. */
  stage(source: AsyncIterable<Buffer> | Readable, check?: StageCheck): Promise<StagedContent & { token: string }>;
  /** Moves staged bytes under their hash; a no-op copy if the same content is already stored. */
  commit(token: string, sha256: string): Promise<void>;
  discard(token: string): Promise<void>;
  open(sha256: string, range?: { start: number; end: number }): Readable;
  exists(sha256: string): Promise<boolean>;
  delete(sha256: string): Promise<void>;
  /** Every stored hash whose file was last written before `beforeMs` (for the orphan sweep). */
  listOlderThan(beforeMs: number): AsyncIterable<string>;
  /** Removes staged files older than `beforeMs` (uploads a crash interrupted); returns how many. */
  sweepStaging(beforeMs: number): Promise<number>;
  /** A local file path when the store has one (thumbnailing reads it directly). */
  localPath(sha256: string): string | undefined;
  close(): Promise<void>;
}

const HEAD_BYTES = 4100; // enough for file-type's magic numbers

/** Makes a rename into `dir` durable (a crash after the media row commits must not lose the file's name). */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class DiskContentStore implements ContentStore {
  private readonly staging: string;

  constructor(
    private readonly root: string,
    private readonly hasher: ContentHasher = new WorkerHasher(),
  ) {
    this.staging = path.join(root, 'staging');
  }

  close(): Promise<void> {
    return this.hasher.close();
  }

  async init(): Promise<void> {
    await mkdir(this.staging, { recursive: true });
  }

  localPath(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
    return path.join(this.root, 'content', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  private stagingPath(token: string): string {
    if (!/^[0-9a-f]{32}$/.test(token)) throw new Error('not a staging token');
    return path.join(this.staging, token);
  }

  async stage(source: AsyncIterable<Buffer> | Readable, check?: StageCheck) {
    const token = randomBytes(16).toString('hex');
    const file = this.stagingPath(token);
    const hash = this.hasher.begin(file);
    // `flush`: the bytes reach the disk before the upload is acknowledged (fsync before close).
    // Its errors (opening included) reject the pipeline below.
    const out = createWriteStream(file, { highWaterMark: 1024 * 1024, flush: true });
    let size = 0;
    let head = Buffer.alloc(0);
    async function* checked(input: AsyncIterable<Buffer>) {
      for await (const chunk of input) {
        size += chunk.length;
        if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
        await check?.(size, head, false);
        // The worker hashes what the file holds so far, behind the writer.
        hash.written(out.bytesWritten);
        yield chunk;
      }
      await check?.(size, head, true);
    }
    try {
      await pipeline(source, checked, out);
      return { token, sha256: await hash.digest(size), size, head };
    } catch (err) {
      hash.abort();
      await rm(file, { force: true });
      throw err;
    }
  }

  async commit(token: string, sha256: string): Promise<void> {
    const target = this.localPath(sha256);
    if (await this.exists(sha256)) {
      await this.discard(token);
      return;
    }
    const dir = path.dirname(target);
    // The first directory mkdir made, if any: its entry, and those below it, must be made durable too.
    const created = await mkdir(dir, { recursive: true });
    await rename(this.stagingPath(token), target);
    for (let d = dir; ; d = path.dirname(d)) {
      await syncDirectory(d);
      if (!created || d === path.dirname(created) || d === path.dirname(d)) break;
    }
  }

  async discard(token: string): Promise<void> {
    await rm(this.stagingPath(token), { force: true });
  }

  open(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.localPath(sha256), { ...range, highWaterMark: 1024 * 1024 });
  }

  async exists(sha256: string): Promise<boolean> {
    return stat(this.localPath(sha256)).then(
      () => true,
      () => false,
    );
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.localPath(sha256), { force: true });
  }

  async *listOlderThan(beforeMs: number): AsyncGenerator<string> {
    const content = path.join(this.root, 'content');
    const dirs = async (dir: string) => (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory() && /^[0-9a-f]{2}$/.test(d.name));
    for (const a of await dirs(content)) {
      for (const b of await dirs(path.join(content, a.name))) {
        const dir = path.join(content, a.name, b.name);
        for (const name of await readdir(dir).catch(() => [] as string[])) {
          if (!/^[0-9a-f]{64}$/.test(name) || !name.startsWith(a.name + b.name)) continue;
          const info = await stat(path.join(dir, name)).catch(() => undefined);
          if (info && info.mtimeMs < beforeMs) yield name;
        }
      }
    }
  }

  async sweepStaging(beforeMs: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.staging).catch(() => [] as string[])) {
      const file = path.join(this.staging, name);
      const info = await stat(file).catch(() => undefined);
      if (info?.isFile() && info.mtimeMs < beforeMs) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
