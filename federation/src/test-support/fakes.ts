// Test-only fakes of the ports.
import type { HttpResponse, KeyStore, OutboundRequest, StoredServerKey } from '../ports.js';

export class MemoryKeyStore implements KeyStore {
  readonly rows = new Map<string, StoredServerKey>();
  loads = 0;
  async load(serverName: string): Promise<StoredServerKey[]> {
    this.loads++;
    return [...this.rows.values()].filter((k) => k.serverName === serverName);
  }
  async save(keys: StoredServerKey[]): Promise<void> {
    for (const k of keys) this.rows.set(`${k.serverName} ${k.keyId}`, k);
  }
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  const bytes = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    status,
    headers,
    body: (async function* () {
      yield bytes;
    })(),
    cancel: () => {},
  };
}

/** Answers requests by `https://<tlsName>:<port><path>`-style keys; records every request. */
export class FakeHttp {
  readonly requests: OutboundRequest[] = [];
  constructor(private readonly answer: (req: OutboundRequest) => HttpResponse | Promise<HttpResponse>) {}
  async request(req: OutboundRequest): Promise<HttpResponse> {
    this.requests.push(req);
    return this.answer(req);
  }
}
