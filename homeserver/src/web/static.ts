// Serves the built web client (client-lit/dist) at /: hashed assets cached for a year, the
// embeddable modules (/lib/*) for any origin, and index.html for every other page path (the
// client routes itself). If the client has not been built, a short page says how to build it.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type Koa from 'koa';

/** client-lit/dist, found from this file in homeserver/src/web or homeserver/dist/web. */
export const defaultClientDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../client-lit/dist');

// The client talks to any homeserver the user picks at sign-in, so connect-src is open;
// scripts only from here (plus index.html's own inline scripts, by hash); Lit's styles are
// constructed stylesheets plus a small inline <style>.
export function contentSecurityPolicy(scriptHashes: string[] = []): string {
  return [
    "default-src 'self'",
    ["script-src 'self'", ...scriptHashes.map((h) => `'${h}'`)].join(' '),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "media-src 'self' blob:",
    "connect-src 'self' https: http: wss: ws:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** sha256 sources for the inline classic scripts of a page, for its CSP. */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map(
    (m) => `sha256-${createHash('sha256').update(m[1]).digest('base64')}`,
  );
}

const COMPRESSIBLE = new Set(['.js', '.mjs', '.css', '.html', '.json', '.svg', '.map', '.txt', '.webmanifest']);

const API_PREFIXES = ['/_matrix/', '/_parley/', '/_synapse/', '/.well-known/'];

const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Parley</title>
<body style="font-family:system-ui,sans-serif;max-width:40em;margin:4em auto;padding:0 1em">
<h1>Parley is running</h1><p>The web client has not been built. Run <code>npm run build</code> in the
Parley checkout and reload this page. The Matrix API is available at <code>/_matrix/</code> for any Matrix client.</p></body></html>`;

async function fileStats(file: string): Promise<Stats | undefined> {
  try {
    const s = await stat(file);
    return s.isFile() ? s : undefined;
  } catch {
    return undefined;
  }
}

export function webClient(opts: { distDir?: string } = {}): Koa.Middleware {
  const dist = opts.distDir ?? defaultClientDist;
  const index = path.join(dist, 'index.html');
  // Compressed bodies and index.html's CSP, by file and modification time.
  const gzipped = new Map<string, { mtimeMs: number; body: Buffer }>();
  let csp: { mtimeMs: number; value: string } | undefined;
  const gzipOf = async (file: string, stats: Stats): Promise<Buffer> => {
    const hit = gzipped.get(file);
    if (hit && hit.mtimeMs === stats.mtimeMs) return hit.body;
    const body = gzipSync(await readFile(file), { level: 9 });
    gzipped.set(file, { mtimeMs: stats.mtimeMs, body });
    return body;
  };
  const cspFor = async (stats: Stats): Promise<string> => {
    if (csp?.mtimeMs !== stats.mtimeMs) csp = { mtimeMs: stats.mtimeMs, value: contentSecurityPolicy(inlineScriptHashes(await readFile(index, 'utf8'))) };
    return csp.value;
  };

  return async (ctx, next) => {
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || API_PREFIXES.some((p) => ctx.path.startsWith(p))) return next();
    let rel: string;
    try {
      rel = decodeURIComponent(ctx.path);
    } catch {
      return next();
    }
    const file = path.join(dist, path.normalize(rel));
    if (!file.startsWith(dist + path.sep) && file !== dist) return next();

    let target = file;
    let stats = await fileStats(file);
    const isPage = !stats && !path.extname(rel);
    if (!stats && isPage) {
      if (!existsSync(index)) {
        ctx.status = 200;
        ctx.type = 'html';
        ctx.set('Cache-Control', 'no-store');
        ctx.body = NOT_BUILT_PAGE;
        return;
      }
      target = index;
      stats = await fileStats(index);
    }
    if (!stats) return next();

    const etag = `W/"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`;
    ctx.type = path.extname(target);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('ETag', etag);
    if (rel.startsWith('/assets/')) {
      ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
      ctx.set('Access-Control-Allow-Origin', '*');
    } else if (rel.startsWith('/lib/')) {
      // Loaded by <script type="module"> from other sites: CORS, short cache (names are stable).
      ctx.set('Cache-Control', 'public, max-age=300, must-revalidate');
      ctx.set('Access-Control-Allow-Origin', '*');
    } else {
      ctx.set('Cache-Control', 'no-cache');
    }
    if (target === index) ctx.set('Content-Security-Policy', await cspFor(stats));
    ctx.vary('Accept-Encoding');
    if (ctx.get('If-None-Match') === etag) {
      ctx.status = 304;
      return;
    }
    ctx.status = 200;
    if (COMPRESSIBLE.has(path.extname(target)) && ctx.acceptsEncodings('gzip', 'identity') === 'gzip') {
      const body = await gzipOf(target, stats);
      ctx.set('Content-Encoding', 'gzip');
      ctx.length = body.length;
      ctx.body = ctx.method === 'HEAD' ? null : body;
      return;
    }
    ctx.length = stats.size;
    ctx.body = ctx.method === 'HEAD' ? null : createReadStream(target);
  };
}
