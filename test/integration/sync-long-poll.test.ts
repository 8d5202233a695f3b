// The ends of a long-poll other than an event: the client going away, and the server shutting
// down. https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv3sync (timeout)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { registerUser, type TestUser } from '../support/users.js';
import { client as raw } from '../support/http.js';
import { realtimeOf } from '../../homeserver/src/sync/services.js';

let hs: TestServer;
let alice: TestUser;

beforeAll(async () => {
  hs = await startTestServer();
  alice = await registerUser(hs, 'alice');
});
afterAll(async () => {
  await hs?.destroy();
});

async function sinceToken(): Promise<string> {
  return (await raw(hs.url, alice.accessToken).get('/_matrix/client/v3/sync?timeout=0')).body.next_batch;
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const longPoll = (since: string, signal?: AbortSignal) =>
  fetch(`${hs.url}/_matrix/client/v3/sync?timeout=30000&since=${encodeURIComponent(since)}`, {
    headers: { Authorization: `Bearer ${alice.accessToken}` },
    signal,
  });

describe('a waiting long-poll', () => {
  it('stops waiting when its client goes away', async () => {
    const notifier = realtimeOf(hs.context).notifier;
    const before = notifier.listenerCount;
    const gone = new AbortController();
    const poll = longPoll(await sinceToken(), gone.signal).catch((err: Error) => err);
    await until(() => notifier.listenerCount === before + 1);
    gone.abort();
    expect(await poll).toBeInstanceOf(Error);
    // The server forgets it at once, not when its 30 s are up.
    await until(() => notifier.listenerCount === before, 2000);
  });

  it('answers at once when the server shuts down', async () => {
    const notifier = realtimeOf(hs.context).notifier;
    const before = notifier.listenerCount;
    const poll = longPoll(await sinceToken());
    await until(() => notifier.listenerCount === before + 1);
    const started = Date.now();
    const restarted = hs.restart();
    const res = await poll;
    expect(res.status).toBe(200);
    expect((await res.json()).next_batch).toMatch(/^s/);
    expect(Date.now() - started).toBeLessThan(5000);
    hs = await restarted;
    // Shutdown did not wait for the long-poll's 30 s either.
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
