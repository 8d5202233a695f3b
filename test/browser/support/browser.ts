// Debian's Chromium through playwright-core, with the flags that work in containers and CI.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const ARTIFACTS = path.join(root, 'test-artifacts');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };

export async function newPage(
  browser: Browser,
  opts: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: opts.viewport ?? DESKTOP, colorScheme: opts.colorScheme ?? 'light' });
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept()); // confirm() for delete/leave
  page.on('pageerror', (err) => console.error('[page error]', err.message));
  // PARLEY_BROWSER_DEBUG=1: the page's console, failed requests, error responses and WebSockets.
  if (process.env.PARLEY_BROWSER_DEBUG) {
    page.on('console', (m) => console.log(`[page ${m.type()}]`, m.text()));
    page.on('requestfailed', (r) => console.log('[request failed]', r.method(), r.url(), r.failure()?.errorText));
    page.on('websocket', (ws) => {
      console.log('[ws open]', Date.now() % 100000, ws.url().slice(-80));
      ws.on('close', () => console.log('[ws close]', Date.now() % 100000, ws.url().slice(-80)));
      ws.on('socketerror', (e) => console.log('[ws error]', e));
    });
    page.on('response', (r) => { if (r.status() >= 400) console.log('[response]', r.status(), r.request().method(), r.url()); });
  }
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Registers through the sign-in form of <parley-app> (Playwright's locators pierce shadow DOM). */
export async function registerInApp(page: Page, baseUrl: string, username: string, password = 'correct horse battery staple'): Promise<void> {
  await page.goto(baseUrl + '/');
  await page.getByRole('button', { name: 'New here? Create an account' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('navigation', { name: 'Chats' }).waitFor();
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
