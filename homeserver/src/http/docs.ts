// The published API description: /_parley/openapi.json and a browsable page at /docs.
import type Koa from 'koa';
import { generateOpenApi, type Endpoint } from '@parley/spec';

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function openApiDocument(endpoints: readonly Endpoint[], serverUrl: string, version: string) {
  return generateOpenApi(endpoints, {
    title: 'Parley homeserver API',
    version,
    description: 'The Matrix client-server and server-server APIs as served by Parley, generated from its endpoint definitions.',
    serverUrl,
  });
}

export function docsPage(endpoints: readonly Endpoint[]): string {
  const bySection = new Map<string, Endpoint[]>();
  for (const e of endpoints) bySection.set(e.section, [...(bySection.get(e.section) ?? []), e]);
  const sections = [...bySection.entries()].sort(([a], [b]) => a.localeCompare(b));
  const body = sections
    .map(
      ([name, list]) => `<section><h2>${escapeHtml(name)}</h2><table>${list
        .map(
          (e) =>
            `<tr><td class="m ${e.method}">${e.method}</td><td><code>${escapeHtml(e.path)}</code></td><td>${escapeHtml(e.summary)}${
              e.auth === 'user' ? ' <span class="tag">auth</span>' : ''
            }${e.rateLimited ? ' <span class="tag">rate-limited</span>' : ''}${
              e.specUrl ? ` <a href="${escapeHtml(e.specUrl)}">spec</a>` : ''
            }</td></tr>`,
        )
        .join('')}</table></section>`,
    )
    .join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Parley API</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1b1f24;background:#fff}
@media (prefers-color-scheme:dark){body{color:#e6e6e6;background:#16181d}a{color:#8ab4f8}}
table{border-collapse:collapse;width:100%}td{padding:.3rem .5rem;border-bottom:1px solid #8883;vertical-align:top}
.m{font-weight:700;width:4.5rem}.GET{color:#1a7f37}.POST{color:#0969da}.PUT{color:#9a6700}.DELETE{color:#cf222e}
.tag{font-size:.75rem;border:1px solid #8886;border-radius:4px;padding:0 .3rem}
</style></head><body><h1>Parley API</h1>
<p>${endpoints.length} endpoints. Machine-readable: <a href="/_parley/openapi.json">/_parley/openapi.json</a> (OpenAPI 3.1).</p>
${body}</body></html>`;
}

export function docsRoutes(getEndpoints: () => readonly Endpoint[], serverUrl: () => string, version: string): Koa.Middleware {
  let cachedJson: unknown;
  let cachedHtml: string | undefined;
  return async (ctx, next) => {
    if (ctx.method !== 'GET') return next();
    if (ctx.path === '/_parley/openapi.json') {
      cachedJson ??= openApiDocument(getEndpoints(), serverUrl(), version);
      ctx.set('Access-Control-Allow-Origin', '*');
      ctx.body = cachedJson;
      return;
    }
    if (ctx.path === '/docs' || ctx.path === '/docs/') {
      cachedHtml ??= docsPage(getEndpoints());
      ctx.type = 'html';
      ctx.body = cachedHtml;
      return;
    }
    return next();
  };
}
