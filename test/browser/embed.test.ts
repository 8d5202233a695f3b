// Embedding: a plain HTML page served from another origin loads <parley-room> from Parley,
// signs in inline and chats in a room given by its alias.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { launchBrowser, newPage, screenshot } from './support/browser.js';

let server: TestServer;
let browser: Browser;
let site: Server;
let siteUrl: string;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
  // The embedding site: another origin (port), plain HTML, nothing from Parley but the module.
  site = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Our community</title>
      <script type="module" src="${server.url}/lib/parley-room.js"></script></head>
      <body style="font-family:sans-serif;max-width:720px;margin:2em auto"><h1>Our community</h1>
      <parley-room room="#lobby:localhost" homeserver="${server.url}" style="height:520px"></parley-room></body></html>`);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  site?.close();
  await browser?.close();
  await server?.destroy();
});

describe('<parley-room> embedded on another site', () => {
  it('shows an inline sign-in on a page from another origin', async () => {
    const { context, page } = await newPage(browser);
    try {
      await page.goto(siteUrl);
      await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
      await screenshot(page, 'embed-signed-out');
    } finally {
      await context.close();
    }
  });

  it('signs in and chats', async () => {
    // The room's owner creates a public room with an alias.
    const owner = await client(server.url).post('/_matrix/client/v3/register', { username: 'host', password: 'hostpassword1', auth: { type: 'm.login.dummy' } });
    const api = client(server.url, owner.body.access_token);
    await api.post('/_matrix/client/v3/createRoom', { preset: 'public_chat', room_alias_name: 'lobby', name: 'Lobby' });
    await client(server.url).post('/_matrix/client/v3/register', { username: 'visitor', password: 'visitorpass1', auth: { type: 'm.login.dummy' } });

    const { context, page } = await newPage(browser);
    try {
      await page.goto(siteUrl);
      await page.getByLabel('Username').fill('visitor');
      await page.getByLabel('Password').fill('visitorpass1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Lobby' }).waitFor();
      await page.getByLabel('Message', { exact: true }).fill('Hello from an embedded room');
      await page.getByLabel('Message', { exact: true }).press('Enter');
      await page.locator('[data-status="sent"], [data-status="read"]').last().waitFor();
      await screenshot(page, 'embed-chatting');
    } finally {
      await context.close();
    }
  });
});
