// The Content-Type a download is served with, decided once at upload from the declared header
// and the sniffed bytes: https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv1mediadownloadservernamemediaid
// (the same as uploaded, or "reasonably close": application/octet-stream when obviously wrong).

const MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+(\s*;\s*[a-z0-9!#$&^_.+-]+=("[^"\r\n]*"|[a-z0-9!#$&^_.+-]+))*$/i;
export const OCTET_STREAM = 'application/octet-stream';

export async function sniffContentType(head: Buffer): Promise<string | undefined> {
  if (head.length === 0) return undefined;
  // file-type loads on first use: it is slow to import and most requests never need it.
  const { fileTypeFromBuffer } = await import('file-type');
  return (await fileTypeFromBuffer(head))?.mime;
}

/** The essence (`type/subtype`, lower case) of a Content-Type value. */
export function essence(contentType: string): string {
  return contentType.split(';')[0].trim().toLowerCase();
}

export function decideContentType(declared: string | undefined, sniffed: string | undefined): string {
  const given = declared?.trim();
  if (!given || !MEDIA_TYPE.test(given)) return sniffed ?? OCTET_STREAM;
  // A claimed image whose bytes are no image (e.g. an encrypted attachment labelled image/png).
  if (essence(given).startsWith('image/') && essence(given) !== 'image/svg+xml' && !sniffed?.startsWith('image/')) return OCTET_STREAM;
  return given;
}

export function isImage(contentType: string | undefined): boolean {
  return !!contentType && essence(contentType).startsWith('image/');
}
