// Thumbnails with sharp (libvips). https://spec.matrix.org/v1.19/client-server-api/#thumbnails
import { loadSharp } from './sharp.js';
import { essence } from './content-type.js';

export type ThumbnailMethod = 'crop' | 'scale';

export interface ThumbnailSpec {
  width: number;
  height: number;
  method: ThumbnailMethod;
  animated: boolean;
}

export interface RenderedThumbnail {
  data: Buffer;
  contentType: string;
}

/** The image cannot be decoded or is not an image at all. */
export class ThumbnailError extends Error {
  override readonly name = 'ThumbnailError';
}

/** The image has more pixels than the server agrees to decode. */
export class ThumbnailTooLargeError extends ThumbnailError {}

const THUMBNAILABLE = new Set(['image/jpeg', 'image/png', 'image/apng', 'image/gif', 'image/webp', 'image/avif', 'image/heic', 'image/heif', 'image/tiff']);
const ANIMATABLE = new Set(['image/gif', 'image/webp', 'image/png', 'image/apng']);

export function canThumbnail(contentType: string | null): boolean {
  return !!contentType && THUMBNAILABLE.has(essence(contentType));
}

/**
 * Picks the size to serve: the smallest configured size of the same method at least as large as
 * asked, else the exact request when within `maxDynamicSide`, else the largest configured size.
 */
export function chooseThumbnailSize(
  sizes: Array<{ width: number; height: number; method: ThumbnailMethod }>,
  want: { width: number; height: number; method: ThumbnailMethod },
  maxDynamicSide: number,
): { width: number; height: number; method: ThumbnailMethod } {
  const sameMethod = sizes.filter((s) => s.method === want.method).sort((a, b) => a.width * a.height - b.width * b.height);
  const fitting = sameMethod.find((s) => s.width >= want.width && s.height >= want.height);
  if (fitting) return fitting;
  if (want.width <= maxDynamicSide && want.height <= maxDynamicSide) return want;
  const largest = sameMethod.at(-1);
  return largest ?? { width: Math.min(want.width, maxDynamicSide), height: Math.min(want.height, maxDynamicSide), method: want.method };
}

export async function renderThumbnail(
  source: string | Buffer,
  sourceType: string,
  spec: ThumbnailSpec,
  limits: { maxPixels: number },
): Promise<RenderedThumbnail> {
  const type = essence(sourceType);
  if (!THUMBNAILABLE.has(type)) throw new ThumbnailError(`cannot thumbnail ${type}`);
  try {
    const options = { limitInputPixels: limits.maxPixels, failOn: 'error' as const };
    const sharp = await loadSharp();
    const probe = await sharp(source, { failOn: 'error' }).metadata();
    if ((probe.width ?? 0) * (probe.height ?? 0) > limits.maxPixels) throw new ThumbnailTooLargeError('image has too many pixels to thumbnail');
    const animated = spec.animated && ANIMATABLE.has(type) && (probe.pages ?? 1) > 1;
    let image = sharp(source, { ...options, animated });
    if (!animated) image = image.rotate(); // apply EXIF orientation
    image = image.resize(spec.width, spec.height, {
      fit: spec.method === 'crop' ? 'cover' : 'inside',
      withoutEnlargement: true,
    });
    // Animated thumbnails as WebP (the spec's preference); JPEG stays JPEG; everything else PNG.
    if (animated) return { data: await image.webp({ quality: 80, effort: 2 }).toBuffer(), contentType: 'image/webp' };
    if (type === 'image/jpeg') return { data: await image.jpeg({ quality: 80, mozjpeg: false }).toBuffer(), contentType: 'image/jpeg' };
    return { data: await image.png({ compressionLevel: 6 }).toBuffer(), contentType: 'image/png' };
  } catch (err) {
    if (err instanceof ThumbnailError) throw err;
    throw new ThumbnailError(`cannot decode the image: ${(err as Error).message}`);
  }
}
