// multipart/mixed (RFC 2046 §5.1) as the federation media endpoints use it: exactly two parts,
// JSON metadata then the media (or a Location). The reader streams the second part's bytes.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';

const CRLF = Buffer.from('\r\n');

export function newBoundary(): string {
  return randomBytes(16).toString('hex');
}

/** The body of a two-part federation media response. */
export async function* writeMediaMultipart(
  boundary: string,
  media: { contentType: string; contentDisposition: string; body: Readable } | { location: string },
): AsyncGenerator<Buffer> {
  yield Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n{}\r\n--${boundary}\r\n`);
  if ('location' in media) {
    yield Buffer.from(`Location: ${media.location}\r\n\r\n`);
  } else {
    yield Buffer.from(`Content-Type: ${media.contentType}\r\nContent-Disposition: ${media.contentDisposition}\r\n\r\n`);
    for await (const chunk of media.body) yield chunk as Buffer;
  }
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

export class MultipartError extends Error {
  override readonly name = 'MultipartError';
}

/** Pulls bytes from a stream on demand, keeping only what has not been consumed. */
class ByteReader {
  private buf = Buffer.alloc(0);
  private readonly source: AsyncIterator<Uint8Array>;

  constructor(source: AsyncIterable<Uint8Array>) {
    this.source = source[Symbol.asyncIterator]();
  }

  private async fill(): Promise<void> {
    const next = await this.source.next();
    if (next.done) throw new MultipartError('multipart body ended early');
    this.buf = this.buf.length ? Buffer.concat([this.buf, next.value]) : Buffer.from(next.value);
  }

  async readUntil(delimiter: Buffer, maxBytes: number): Promise<Buffer> {
    for (;;) {
      const i = this.buf.indexOf(delimiter);
      if (i >= 0) {
        const out = this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + delimiter.length);
        return out;
      }
      if (this.buf.length > maxBytes + delimiter.length) throw new MultipartError('multipart section too long');
      await this.fill();
    }
  }

  async *streamUntil(delimiter: Buffer): AsyncGenerator<Buffer> {
    for (;;) {
      const i = this.buf.indexOf(delimiter);
      if (i >= 0) {
        if (i > 0) yield this.buf.subarray(0, i);
        this.buf = this.buf.subarray(i + delimiter.length);
        return;
      }
      // Everything but a possible partial delimiter at the end is content.
      const keep = delimiter.length - 1;
      if (this.buf.length > keep) {
        yield this.buf.subarray(0, this.buf.length - keep);
        this.buf = this.buf.subarray(this.buf.length - keep);
      }
      await this.fill();
    }
  }

  async close(): Promise<void> {
    await this.source.return?.();
  }
}

async function readHeaders(reader: ByteReader): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  for (let n = 0; ; n++) {
    const line = (await reader.readUntil(CRLF, 8192)).toString('latin1');
    if (line === '') return headers;
    if (n > 50) throw new MultipartError('too many part headers');
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MultipartError('malformed part header');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
}

export function boundaryOf(contentType: string | null | undefined): string | undefined {
  if (!contentType || !/^multipart\/mixed\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

export interface MediaParts {
  metadata: unknown;
  headers: Record<string, string>;
  /** The second part's bytes; consume it fully (or call `cancel`). */
  body: AsyncGenerator<Buffer>;
  cancel(): Promise<void>;
}

export async function readMediaMultipart(source: AsyncIterable<Uint8Array>, boundary: string): Promise<MediaParts> {
  const reader = new ByteReader(source);
  const dashBoundary = Buffer.from(`--${boundary}`);
  const partEnd = Buffer.from(`\r\n--${boundary}`);
  await reader.readUntil(dashBoundary, 4096); // preamble
  await reader.readUntil(CRLF, 256); // rest of the delimiter line (transport padding)
  await readHeaders(reader);
  const json = (await reader.readUntil(partEnd, 64 * 1024)).toString('utf8');
  let metadata: unknown;
  try {
    metadata = JSON.parse(json);
  } catch {
    throw new MultipartError('first part is not JSON');
  }
  const afterFirst = (await reader.readUntil(CRLF, 256)).toString('latin1');
  if (afterFirst.startsWith('--')) throw new MultipartError('expected a second part');
  const headers = await readHeaders(reader);
  return { metadata, headers, body: reader.streamUntil(partEnd), cancel: () => reader.close() };
}
