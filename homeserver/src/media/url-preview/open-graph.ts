// Open Graph (https://ogp.me/) from an HTML page, with <title> and meta description as fallbacks.
// A tolerant scan of tags, not a DOM: previews only need a few head properties.

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
    const name = m[1].toLowerCase();
    out[name] ??= decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

const clean = (s: string) => s.replace(/\s+/g, ' ').trim();
const MAX_VALUE = 1000;

export function parseOpenGraph(html: string, pageUrl: string): Record<string, string | number> {
  const og: Record<string, string | number> = {};
  let description: string | undefined;
  for (const m of html.matchAll(/<meta\b[^>]*>/gi)) {
    const a = attributes(m[0]);
    const key = a.property ?? a.name;
    if (!key || a.content === undefined) continue;
    const value = clean(a.content).slice(0, MAX_VALUE);
    if (key.startsWith('og:') && !(key in og)) og[key] = value;
    if (key.toLowerCase() === 'description') description ??= value;
  }
  if (og['og:title'] === undefined) {
    const title = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(html);
    if (title) og['og:title'] = clean(decodeEntities(title[1])).slice(0, MAX_VALUE);
  }
  if (og['og:description'] === undefined && description !== undefined) og['og:description'] = description;
  for (const k of ['og:image:width', 'og:image:height']) {
    if (k in og) {
      const n = Number(og[k]);
      if (Number.isSafeInteger(n) && n > 0) og[k] = n;
      else delete og[k];
    }
  }
  for (const k of ['og:image', 'og:url']) {
    if (typeof og[k] === 'string') {
      try {
        og[k] = new URL(og[k] as string, pageUrl).toString();
      } catch {
        delete og[k];
      }
    }
  }
  return og;
}
