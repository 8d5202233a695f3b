// Matches request paths against the spec's endpoint paths. Routes are grouped by their first four
// segments (which never hold a parameter), so a request is tried against its prefix's few routes.
// Matching follows @koa/router's defaults, which it replaces: `{name}` takes one non-empty path
// segment (percent-decoded), letters match in either case, a trailing slash is optional, GET routes
// also answer HEAD, and of several matching routes the first bound wins.

export type RouteParams = Record<string, string>;

interface Route<H> {
  readonly methods: readonly string[];
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
  readonly handler: H;
}

export interface RouteMatch<H> {
  handler: H;
  params: RouteParams;
}

const PLACEHOLDER = /\{(\w+)\}/;

function compilePath(path: string): { pattern: RegExp; paramNames: string[] } {
  const paramNames: string[] = [];
  const source = path
    .split(/(\{\w+\})/)
    .map((part) => {
      const placeholder = PLACEHOLDER.exec(part);
      if (!placeholder) return part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      paramNames.push(placeholder[1]);
      return '([^\\/]+)';
    })
    .join('');
  return { pattern: new RegExp(`^(?:${source})(?:\\/$)?$`, 'i'), paramNames };
}

function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function prefixOf(path: string): string {
  let end = -1;
  for (let i = 0; i < 5; i++) {
    end = path.indexOf('/', end + 1);
    if (end === -1) return path;
  }
  return path.slice(0, end);
}

export class RouteTable<H> {
  private readonly byPrefix = new Map<string, Array<Route<H>>>();

  /** `path` as the spec writes it, with `{name}` placeholders. */
  add(method: string, path: string, handler: H): void {
    const upper = method.toUpperCase();
    const methods = upper === 'GET' ? ['GET', 'HEAD'] : [upper];
    const prefix = prefixOf(path);
    let routes = this.byPrefix.get(prefix);
    if (!routes) this.byPrefix.set(prefix, (routes = []));
    routes.push({ methods, ...compilePath(path), handler });
  }

  find(path: string, method: string): RouteMatch<H> | undefined {
    const routes = this.byPrefix.get(prefixOf(path));
    if (!routes) return undefined;
    for (const route of routes) {
      if (!route.methods.includes(method)) continue;
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: RouteParams = {};
      for (let i = 0; i < route.paramNames.length; i++) params[route.paramNames[i]] = decodeParam(m[i + 1]);
      return { handler: route.handler, params };
    }
    return undefined;
  }

  /** Whether some route has this path (with any method), and whether one has this method too. */
  match(path: string, method: string): { path: boolean; route: boolean } {
    let pathMatched = false;
    for (const route of this.byPrefix.get(prefixOf(path)) ?? []) {
      if (!route.pattern.test(path)) continue;
      if (route.methods.includes(method)) return { path: true, route: true };
      pathMatched = true;
    }
    return { path: pathMatched, route: false };
  }
}
