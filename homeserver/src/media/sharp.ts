// sharp (libvips) loads on the first image operation: it costs ~20 MB of resident memory and
// start-up time that a server which never thumbnails should not pay.
import type { Sharp, SharpOptions } from 'sharp';

type SharpFactory = (input?: Buffer | Uint8Array | string, options?: SharpOptions) => Sharp;

let loading: Promise<SharpFactory> | undefined;

export function loadSharp(): Promise<SharpFactory> {
  return (loading ??= import('sharp').then(({ default: sharp }) => {
    // libvips' operation cache holds decoded images across requests; the thumbnail cache is on disk.
    sharp.cache(false);
    return sharp as unknown as SharpFactory;
  }));
}
