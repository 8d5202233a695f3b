import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readMediaMultipart, writeMediaMultipart, boundaryOf } from './multipart.js';

async function collect(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

/** Re-chunks a byte stream into pieces of `size` bytes, to cross delimiters at every offset. */
async function* rechunk(source: AsyncIterable<Buffer>, size: number) {
  const all = await collect(source);
  for (let i = 0; i < all.length; i += size) yield all.subarray(i, i + size);
}

describe('federation media multipart', () => {
  it('round-trips bytes that contain partial delimiters, at any chunking', async () => {
    const payload = Buffer.concat([Buffer.from('\r\n--ab\r\n--a'), Buffer.alloc(5000, 7), Buffer.from('\r\n-')]);
    for (const size of [1, 3, 7, 64, 100_000]) {
      const body = writeMediaMultipart('abc', { contentType: 'image/png', contentDisposition: 'inline', body: Readable.from([payload]) });
      const parts = await readMediaMultipart(rechunk(body, size), 'abc');
      expect(parts.metadata).toEqual({});
      expect(parts.headers['content-type']).toBe('image/png');
      expect((await collect(parts.body)).equals(payload)).toBe(true);
    }
  });

  it('reads a Location part and the boundary parameter', async () => {
    const parts = await readMediaMultipart(writeMediaMultipart('b1', { location: 'https://cdn.test/x' }), 'b1');
    expect(parts.headers.location).toBe('https://cdn.test/x');
    expect(boundaryOf('multipart/mixed; boundary="b1"')).toBe('b1');
    expect(boundaryOf('multipart/mixed; boundary=b2')).toBe('b2');
    expect(boundaryOf('application/json')).toBeUndefined();
  });
});
