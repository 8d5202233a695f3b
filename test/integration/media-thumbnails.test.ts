// Thumbnails of PNG, JPEG, WebP and GIF (fixtures made with sharp), animation, caching, bad input.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { request } from '../support/http.js';
import { registerUser, type TestUser } from '../support/users.js';

let hs: TestServer;
let alice: TestUser;

beforeAll(async () => {
  hs = await startTestServer({ media: { thumbnails: { precompute: false } } });
  alice = await registerUser(hs, 'alice');
});
afterAll(async () => {
  await hs?.destroy();
});

async function upload(bytes: Buffer, type: string): Promise<string> {
  const res = await request(hs.url, 'POST', '/_matrix/media/v3/upload', { token: alice.accessToken, rawBody: bytes, headers: { 'Content-Type': type } });
  expect(res.status).toBe(200);
  return (res.body.content_uri as string).slice('mxc://'.length);
}

async function thumbnail(path: string, query: string) {
  const res = await fetch(`${hs.url}/_matrix/client/v1/media/thumbnail/${path}?${query}`, { headers: { Authorization: `Bearer ${alice.accessToken}` } });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

const base = () => sharp({ create: { width: 400, height: 300, channels: 3, background: { r: 200, g: 80, b: 20 } } });

/** A two-frame animated image (GIF or WebP). */
async function animated(format: 'gif' | 'webp'): Promise<Buffer> {
  const frame = (color: string) => sharp({ create: { width: 120, height: 80, channels: 4, background: color } }).png().toBuffer();
  const frames = await Promise.all([frame('#ff0000'), frame('#0000ff')]);
  return sharp(frames, { join: { animated: true } })[format]({ loop: 0, delay: [100, 100] } as never).toBuffer();
}

describe('thumbnails', () => {
  it.each([
    ['image/png', () => base().png().toBuffer(), 'image/png'],
    ['image/jpeg', () => base().jpeg().toBuffer(), 'image/jpeg'],
    ['image/webp', () => base().webp().toBuffer(), 'image/png'],
    ['image/gif', () => base().gif().toBuffer(), 'image/png'],
  ] as const)('scales and crops %s', async (type, make, expectedType) => {
    const path = await upload(await make(), type);
    const scaled = await thumbnail(path, 'width=100&height=100&method=scale');
    expect(scaled.status).toBe(200);
    expect(scaled.headers.get('content-type')).toBe(expectedType);
    expect(scaled.headers.get('content-disposition')).toMatch(/^inline; filename="thumbnail\./);
    expect(scaled.headers.get('x-content-type-options')).toBe('nosniff');
    // The smallest configured scale size at least 100×100 is 320×240; 400×300 scales into it.
    const meta = await sharp(scaled.body).metadata();
    expect([meta.width, meta.height]).toEqual([320, 240]);
    const cropped = await thumbnail(path, 'width=32&height=32&method=crop');
    const cm = await sharp(cropped.body).metadata();
    expect([cm.width, cm.height]).toEqual([32, 32]);
  });

  it('makes sizes beyond the configured ones on demand, and serves repeats from the cache', async () => {
    const path = await upload(await base().png().toBuffer(), 'image/png');
    const first = await thumbnail(path, 'width=1000&height=1000&method=crop');
    expect(first.status).toBe(200);
    const meta = await sharp(first.body).metadata();
    expect(meta.width).toBeLessThanOrEqual(400); // never enlarged
    const rows = await hs.context.db('media_thumbnails').where({ media_id: path.split('/')[1] });
    expect(rows).toHaveLength(1);
    const again = await thumbnail(path, 'width=1000&height=1000&method=crop');
    expect(again.body.equals(first.body)).toBe(true);
    expect(await hs.context.db('media_thumbnails').where({ media_id: path.split('/')[1] })).toHaveLength(1);
  });

  it.each(['gif', 'webp'] as const)('animates %s thumbnails only when asked', async (format) => {
    const path = await upload(await animated(format), `image/${format}`);
    const moving = await thumbnail(path, 'width=96&height=96&method=crop&animated=true');
    expect(moving.status).toBe(200);
    expect(moving.headers.get('content-type')).toBe('image/webp');
    expect((await sharp(moving.body, { animated: true }).metadata()).pages).toBe(2);
    const still = await thumbnail(path, 'width=96&height=96&method=crop&animated=false');
    expect(still.headers.get('content-type')).toBe('image/png');
    expect((await sharp(still.body).metadata()).pages ?? 1).toBe(1);
  });

  it('answers a clear error for a corrupt image, a non-image and bad sizes', async () => {
    const png = await base().png().toBuffer();
    const corrupt = await upload(Buffer.concat([png.subarray(0, 200), Buffer.alloc(500, 0xab)]), 'image/png');
    const res = await thumbnail(corrupt, 'width=64&height=64');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).errcode).toBe('M_UNKNOWN');
    expect(JSON.parse(res.body.toString()).error).toMatch(/Cannot generate thumbnails/);
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox;/);

    const text = await upload(Buffer.from('hello'), 'text/plain');
    expect((await thumbnail(text, 'width=64&height=64')).status).toBe(400);
    const bad = await thumbnail(text, 'width=-3&height=64');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body.toString()).errcode).toBe('M_INVALID_PARAM');
    // The server is still fine.
    expect((await thumbnail(await upload(png, 'image/png'), 'width=64&height=64')).status).toBe(200);
  });

  it('precomputes the configured sizes after an image upload', async () => {
    const eager = await startTestServer();
    try {
      const user = await registerUser(eager, 'erin');
      const res = await request(eager.url, 'POST', '/_matrix/media/v3/upload', {
        token: user.accessToken, rawBody: await base().jpeg().toBuffer(), headers: { 'Content-Type': 'image/jpeg' },
      });
      const mediaId = (res.body.content_uri as string).split('/')[3];
      const deadline = Date.now() + 10_000;
      let rows: unknown[] = [];
      while (Date.now() < deadline && rows.length < 5) {
        await new Promise((r) => setTimeout(r, 100));
        rows = await eager.context.db('media_thumbnails').where({ media_id: mediaId });
      }
      expect(rows).toHaveLength(5);
    } finally {
      await eager.destroy();
    }
  });
});
