// Thumbnail of a 12-megapixel JPEG (4000×3000): the first request (decode, resize, encode, store)
// in ms, and the cached repeat, which must be at least 20× faster. Both over HTTP.
import sharp from 'sharp';
import { fmt, median, report } from './foundation-support.js';
import { startMediaBench } from './media-support.js';

const { hs, user, close } = await startMediaBench({ thumbnails: { precompute: false } });
const auth = { Authorization: `Bearer ${user.accessToken}` };

async function timed(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { headers: auth });
  const body = await res.arrayBuffer();
  if (res.status !== 200 || body.byteLength === 0) throw new Error(`thumbnail failed: ${res.status}`);
  return performance.now() - started;
}

try {
  // Smooth gradients plus noise: compresses like a photo, not like a flat colour.
  const photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 120, sigma: 40 } } })
    .jpeg({ quality: 85 })
    .toBuffer();
  const firsts: number[] = [];
  const repeats: number[] = [];
  for (let i = 0; i < 3; i++) {
    photo[photo.length - 3] = i; // a different file each round (inside the JPEG's entropy data)
    const up = await fetch(`${hs.url}/_matrix/media/v3/upload`, { method: 'POST', headers: { ...auth, 'Content-Type': 'image/jpeg' }, body: photo });
    const mxc = ((await up.json()) as { content_uri: string }).content_uri;
    const url = `${hs.url}/_matrix/client/v1/media/thumbnail/${mxc.slice(6)}?width=320&height=240&method=scale`;
    firsts.push(await timed(url));
    for (let j = 0; j < 20; j++) repeats.push(await timed(url));
  }
  const first = median(firsts);
  const repeat = median(repeats);
  console.log(`12 MP JPEG (${fmt(photo.length / 1024 / 1024, 1)} MB): first thumbnail ${fmt(first, 1)} ms, cached repeat ${fmt(repeat, 2)} ms`);
  const ok = report('first / cached thumbnail time', first / repeat, '≥ 20', first / repeat >= 20);
  process.exitCode = ok ? 0 : 1;
} finally {
  await close();
}
