// Upload limits enforced while the bytes stream in: the type-dependent size limit (images are
// recognised from their magic numbers as soon as the first bytes arrive) and the user's quota.
import { Errors } from '@parley/spec';
import type { StageCheck } from './content-store.js';

export interface UploadLimits {
  maxBytes: number;
  maxImageBytes: number;
  /** Bytes left in the uploader's quota (Infinity when unlimited). */
  quotaLeft: number;
}

const ascii = (b: Buffer, start: number, end: number) => b.subarray(start, end).toString('latin1');

/** Common image formats by magic number (PNG, JPEG, GIF, WebP, TIFF, AVIF/HEIF, BMP). */
export function looksLikeImage(head: Buffer): boolean {
  if (head.length < 12) return false;
  if (head[0] === 0x89 && ascii(head, 1, 4) === 'PNG') return true;
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return true;
  if (ascii(head, 0, 4) === 'GIF8') return true;
  if (ascii(head, 0, 4) === 'RIFF' && ascii(head, 8, 12) === 'WEBP') return true;
  if (ascii(head, 0, 4) === 'II*\0' || ascii(head, 0, 4) === 'MM\0*') return true;
  if (ascii(head, 4, 8) === 'ftyp' && /^(avif|avis|heic|heix|mif1|msf1)$/.test(ascii(head, 8, 12))) return true;
  return false;
}

export const tooLargeFor = (limit: number) => Errors.tooLarge(`Cannot upload files larger than ${limit} bytes`);
export const overQuota = () => Errors.forbidden('Cannot upload this content: your media quota is used up');

export function checkDeclaredLength(length: number | undefined, declaredImage: boolean, limits: UploadLimits): void {
  if (length === undefined) return;
  const limit = declaredImage ? limits.maxImageBytes : limits.maxBytes;
  if (length > limit) throw tooLargeFor(limit);
  if (length > limits.quotaLeft) throw overQuota();
}

export function streamingLimits(limits: UploadLimits, declaredImage: boolean): StageCheck {
  let limit = declaredImage ? limits.maxImageBytes : limits.maxBytes;
  let recognised = declaredImage;
  return (received, head, done) => {
    if (!recognised && (head.length >= 16 || done)) {
      recognised = true;
      if (looksLikeImage(head)) limit = Math.min(limit, limits.maxImageBytes);
    }
    if (received > limit) throw tooLargeFor(limit);
    if (received > limits.quotaLeft) throw overQuota();
  };
}
