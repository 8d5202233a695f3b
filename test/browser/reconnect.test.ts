// Reconnect: the server restarts mid-conversation (same port); the client shows it is offline,
// reconnects by itself, and no message is lost, including one written while the server was down.
// Against Parley the client syncs over the WebSocket stream (org.parley.ws), not by long-polling,
// and resumes it from its last token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { freePort, launchBrowser, newPage, registerInApp } from './support/browser.js';
import { sampleRooms, startFakeHomeserver, storedSession } from './support/fake-homeserver.js';

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  // A fixed port, so the restarted server is where the client expects it.
  server = await startTestServer({ listeners: { client: { port: await freePort(), bind_address: '127.0.0.1' } } });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.destroy();
});

describe('reconnect', () => {
  it('recovers after a server restart without losing a message', async () => {
    const { context, page } = await newPage(browser);
    const sockets: Array<{ url: string; framesIn: string[] }> = [];
    const longPolls: string[] = [];
    page.on('websocket', (ws) => {
      const s = { url: ws.url(), framesIn: [] as string[] };
      sockets.push(s);
      ws.on('framereceived', (f) => s.framesIn.push(String(f.payload)));
    });
    page.on('request', (r) => {
      if (r.url().includes('/_matrix/client/v3/sync') && new URL(r.url()).searchParams.has('since')) longPolls.push(r.url());
    });
    try {
      await registerInApp(page, server.url, 'carol');
      await page.getByRole('button', { name: 'New chat' }).click();
      await page.getByRole('tab', { name: 'Group' }).click();
      await page.getByLabel('Group name').fill('Notes');
      await page.getByRole('button', { name: 'Create' }).click();
      const composer = page.getByLabel('Message', { exact: true }).last();
      await composer.fill('before the restart');
      await composer.press('Enter');
      await page.locator('[data-status="sent"]').last().waitFor();
      // The live updates came over the stream, authenticated by a first frame, not the URL.
      expect(sockets.length).toBe(1);
      expect(sockets[0].url).toContain('/_matrix/client/unstable/org.parley.ws?since=');
      expect(sockets[0].url).not.toContain('access_token');
      await expect.poll(() => sockets[0].framesIn.some((f) => f.includes('"type":"sync"') && f.includes('before the restart'))).toBe(true);
      expect(longPolls).toEqual([]);

      const restarting = server.restart();
      await page.locator('[data-status="offline"]').first().waitFor({ timeout: 60_000 });
      await composer.fill('written while offline');
      await composer.press('Enter');
      server = await restarting;

      await page.getByRole('button', { name: 'Reconnect now' }).first().click().catch(() => {});
      await page.locator('[data-status="offline"]').first().waitFor({ state: 'detached', timeout: 60_000 });
      await page.locator('article', { hasText: 'written while offline' }).locator('[data-status="sent"]').waitFor({ timeout: 60_000 });
      await page.locator('article', { hasText: 'before the restart' }).waitFor();
      // Reconnected over the stream again, resuming from the last token (not an initial sync).
      const last = sockets.at(-1)!;
      expect(sockets.length).toBeGreaterThan(1);
      expect(new URL(last.url).searchParams.get('since')).toBeTruthy();
      await expect.poll(() => last.framesIn.some((f) => f.includes('"type":"sync"'))).toBe(true);
      expect(longPolls).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('long-polls /sync against a server that does not offer the stream', async () => {
    const me = '@me:localhost';
    const hs = await startFakeHomeserver({ rooms: sampleRooms(me, 3, 5), userId: me });
    const { context, page } = await newPage(browser);
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    try {
      await context.addInitScript((s) => localStorage.setItem(s.name, s.value), storedSession(hs.url, me, hs.accessToken));
      const longPoll = page.waitForRequest((r) => r.url().includes('/_matrix/client/v3/sync') && new URL(r.url()).searchParams.has('since'));
      await page.goto(hs.url + '/');
      await page.getByRole('list', { name: 'Chats' }).waitFor();
      expect(new URL((await longPoll).url()).searchParams.get('timeout')).toBe('30000');
      expect(sockets).toEqual([]);
    } finally {
      await context.close();
      await hs.close();
    }
  });
});
