// mxc:// URIs: https://spec.matrix.org/v1.19/client-server-api/#matrix-content-mxc-uris
import { randomBytes } from 'node:crypto';
import type { MediaKey } from './media-records.js';

const MEDIA_ID = /^[A-Za-z0-9_-]+$/;

export function newMediaId(): string {
  return randomBytes(18).toString('base64url');
}

export function isValidMediaId(id: string): boolean {
  return MEDIA_ID.test(id) && id.length <= 255;
}

export function mxcUri(key: MediaKey): string {
  return `mxc://${key.server_name}/${key.media_id}`;
}

export function parseMxc(uri: string): MediaKey | undefined {
  const m = /^mxc:\/\/([^/]+)\/([A-Za-z0-9_-]+)$/.exec(uri);
  return m ? { server_name: m[1], media_id: m[2] } : undefined;
}

/** Every mxc:// URI in a piece of text (event JSON), for finding a room's media. */
export function findMxcUris(text: string): MediaKey[] {
  return Array.from(text.matchAll(/mxc:\/\/([A-Za-z0-9.:[\]-]+)\/([A-Za-z0-9_-]+)/g), (m) => ({ server_name: m[1], media_id: m[2] }));
}
