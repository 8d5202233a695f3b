import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { checkDeclaredLength, looksLikeImage, streamingLimits } from './limits.js';

const limits = { maxBytes: 1000, maxImageBytes: 100, quotaLeft: 500 };

describe('upload limits', () => {
  it('recognises common image formats from their first bytes', async () => {
    for (const format of ['png', 'jpeg', 'gif', 'webp', 'tiff', 'avif'] as const) {
      const bytes = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#f00' } })[format]().toBuffer();
      expect(looksLikeImage(bytes), format).toBe(true);
    }
    expect(looksLikeImage(Buffer.from('%PDF-1.7 and some more bytes'))).toBe(false);
  });

  it('refuses from the declared length before reading', () => {
    expect(() => checkDeclaredLength(2000, false, limits)).toThrow(expect.objectContaining({ errcode: 'M_TOO_LARGE' }));
    expect(() => checkDeclaredLength(200, true, limits)).toThrow(expect.objectContaining({ errcode: 'M_TOO_LARGE' }));
    expect(() => checkDeclaredLength(600, false, limits)).toThrow(expect.objectContaining({ errcode: 'M_FORBIDDEN' }));
    expect(() => checkDeclaredLength(undefined, false, limits)).not.toThrow();
  });

  it('lowers the limit once the bytes turn out to be an image', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const check = streamingLimits(limits, false);
    check(16, png, false);
    expect(() => check(101, png, false)).toThrow(expect.objectContaining({ errcode: 'M_TOO_LARGE' }));
    const other = streamingLimits(limits, false);
    other(400, Buffer.from('plain text, not an image'), false);
    expect(() => other(501, Buffer.from('plain text, not an image'), false)).toThrow(expect.objectContaining({ errcode: 'M_FORBIDDEN' }));
  });
});
