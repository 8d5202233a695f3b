// Raw HTTP requests against a test server, for the error cases a client library hides.
export interface RawResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function request<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  opts: { body?: unknown; rawBody?: string | Uint8Array; token?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let body: string | Uint8Array | undefined;
  if (opts.rawBody !== undefined) body = opts.rawBody;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(baseUrl + path, { method, headers, body: body as BodyInit | undefined });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export function client(baseUrl: string, token?: string) {
  return {
    get: <T = any>(path: string, o: Parameters<typeof request>[3] = {}) => request<T>(baseUrl, 'GET', path, { token, ...o }),
    post: <T = any>(path: string, body?: unknown, o: Parameters<typeof request>[3] = {}) =>
      request<T>(baseUrl, 'POST', path, { token, body, ...o }),
    put: <T = any>(path: string, body?: unknown, o: Parameters<typeof request>[3] = {}) =>
      request<T>(baseUrl, 'PUT', path, { token, body, ...o }),
    delete: <T = any>(path: string, body?: unknown, o: Parameters<typeof request>[3] = {}) =>
      request<T>(baseUrl, 'DELETE', path, { token, body, ...o }),
  };
}
