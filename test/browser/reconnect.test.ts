// Reconnect: the server restarts mid-conversation (same port); the client shows it is offline,
// reconnects by itself, and no message is lost, including one written while the server was down.
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { freePort, launchBrowser, newPage, registerInApp } from './support/browser.js';
import { serverHas } from './support/capabilities.js';

let server: TestServer;
let browser: Browser;
let caps: Awaited<ReturnType<typeof serverHas>>;

beforeAll(async () => {
  // A fixed port, so the restarted server is where the client expects it.
  server = await startTestServer({ listeners: { client: { port: await freePort(), bind_address: '127.0.0.1' } } });
  browser = await launchBrowser();
  caps = await serverHas(server.url);
});
afterAll(async () => {
  await browser?.close();
  await server?.destroy();
});

describe('reconnect', () => {
  it('recovers after a server restart without losing a message', async (ctx) => {
    if (!caps.sync || !caps.rooms) return ctx.skip('the server has no /sync or rooms yet');
    const { context, page } = await newPage(browser);
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

      const restarting = server.restart();
      await page.locator('[data-status="offline"]').first().waitFor({ timeout: 60_000 });
      await composer.fill('written while offline');
      await composer.press('Enter');
      server = await restarting;

      await page.getByRole('button', { name: 'Reconnect now' }).first().click().catch(() => {});
      await page.locator('[data-status="offline"]').first().waitFor({ state: 'detached', timeout: 60_000 });
      await page.locator('article', { hasText: 'written while offline' }).locator('[data-status="sent"]').waitFor({ timeout: 60_000 });
      await page.locator('article', { hasText: 'before the restart' }).waitFor();
    } finally {
      await context.close();
    }
  });
});
