// Content-Disposition of media responses.
// https://spec.matrix.org/v1.19/client-server-api/#serving-inline-content: inline only for types a
// browser cannot run script from; attachment for the rest. File names per RFC 6266 with an
// RFC 5987 `filename*` whenever the plain form cannot carry the name exactly.
import { essence } from './content-type.js';

const INLINE_SAFE = new Set([
  'text/css', 'text/plain', 'text/csv',
  'application/json', 'application/ld+json',
  'image/jpeg', 'image/gif', 'image/png', 'image/apng', 'image/webp', 'image/avif',
  'video/mp4', 'video/webm', 'video/ogg', 'video/quicktime',
  'audio/mp4', 'audio/webm', 'audio/aac', 'audio/mpeg', 'audio/ogg', 'audio/wave', 'audio/wav',
  'audio/x-wav', 'audio/x-pn-wav', 'audio/flac', 'audio/x-flac',
]);

export function isInlineSafe(contentType: string): boolean {
  return INLINE_SAFE.has(essence(contentType));
}

// RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
const encodeExtValue = (s: string) =>
  Array.from(new TextEncoder().encode(s), (b) => {
    const c = String.fromCharCode(b);
    return /[A-Za-z0-9!#$&+\-.^_`|~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }).join('');

export function contentDisposition(contentType: string, fileName?: string | null): string {
  const kind = isInlineSafe(contentType) ? 'inline' : 'attachment';
  if (fileName === undefined || fileName === null || fileName === '') return kind;
  // Control characters never reach a header (no header injection through a name).
  const name = fileName.replace(/[\u0000-\u001f\u007f]/g, '');
  const plain = /^[\x20-\x7e]*$/.test(name) && !/["\\%]/.test(name);
  if (plain) return `${kind}; filename="${name}"`;
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encodeExtValue(name)}`;
}

/** The file name a Content-Disposition carries (filename* preferred), e.g. from a remote server. */
export function fileNameFromDisposition(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const ext = /filename\*\s*=\s*UTF-8''([^;\s]+)/i.exec(header);
  if (ext) {
    try {
      return decodeURIComponent(ext[1]);
    } catch {
      /* fall through to the plain form */
    }
  }
  const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
  if (quoted) return quoted[1].replace(/\\(.)/g, '$1');
  const token = /filename\s*=\s*([^;\s]+)/i.exec(header);
  return token?.[1];
}
