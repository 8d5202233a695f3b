// Typed calls to a homeserver. A route is anything with a method, a path template and an auth kind:
// the endpoint definitions of @parley/spec fit, and so do the local ones in routes.ts.
import { buildPath } from '@parley/spec/api/endpoint';

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly auth: 'none' | 'optional' | 'user' | 'server';
}

export interface CallOptions {
  params?: Record<string, string | number>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

export class MatrixApiError extends Error {
  constructor(
    readonly status: number,
    readonly errcode: string,
    message: string,
    readonly body: Record<string, any> = {},
  ) {
    super(message);
  }
  get retryAfterMs(): number | undefined {
    return typeof this.body.retry_after_ms === 'number' ? this.body.retry_after_ms : undefined;
  }
}

/** Raised when the server could not be reached at all (as opposed to answering with an error). */
export class NetworkError extends Error {}

export function normaliseBaseUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '');
  return /^https?:\/\//.test(trimmed) ? trimmed : `https://${trimmed}`;
}

export class MatrixHttp {
  constructor(
    readonly baseUrl: string,
    public accessToken?: string,
  ) {}

  url(path: string, query?: CallOptions['query']): string {
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) search.set(k, String(v));
    const qs = search.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  async call<T = any>(route: Route, opts: CallOptions = {}): Promise<T> {
    const headers: Record<string, string> = {};
    if (route.auth !== 'none' && this.accessToken) headers.Authorization = `Bearer ${this.accessToken}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    } else if (route.method === 'POST' || route.method === 'PUT') {
      body = '{}';
      headers['Content-Type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(this.url(buildPath(route.path, opts.params), opts.query), { method: route.method, headers, body, signal: opts.signal });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      throw new NetworkError((err as Error).message);
    }
    const text = await res.text();
    let json: any = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      if (!res.ok) throw new MatrixApiError(res.status, 'M_UNKNOWN', text.slice(0, 200) || res.statusText);
    }
    if (!res.ok) throw new MatrixApiError(res.status, json.errcode ?? 'M_UNKNOWN', json.error ?? res.statusText, json);
    return json as T;
  }
}
