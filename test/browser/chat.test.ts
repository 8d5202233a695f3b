// Two browser contexts, two users, against a real Parley: register, open a DM, exchange messages
// in real time, typing and read receipts, react, reply, edit, delete, send an image and see it
// inline, and talk in a thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { launchBrowser, newPage, registerInApp, screenshot } from './support/browser.js';

// A 2x2 PNG.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.destroy();
});

const composer = (page: Page) => page.getByLabel('Message', { exact: true }).last();
// The message whose own body holds the text (not a reply quoting it).
const message = (page: Page, text: string) => page.locator('article', { has: page.locator('.body', { hasText: text }) }).last();

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

describe('two users chatting', () => {
  it('DM with messages, typing, receipts, reactions, replies, edits, deletes and an image', async () => {
    const a = await newPage(browser);
    const b = await newPage(browser);
    try {
      await registerInApp(a.page, server.url, 'alice');
      await registerInApp(b.page, server.url, 'bob');

      // Alice starts a DM with Bob.
      await a.page.getByRole('button', { name: 'New chat' }).click();
      await a.page.getByLabel('Search people by name or @user:server').fill('@bob:localhost');
      await a.page.getByRole('button', { name: 'Start chat' }).click();
      await send(a.page, 'Hi Bob!');

      // Bob accepts the invite and sees the message arrive.
      await b.page.getByRole('list', { name: 'Chats' }).getByRole('button').first().click();
      await b.page.getByRole('button', { name: 'Accept' }).click();
      await message(b.page, 'Hi Bob!').waitFor();
      // Each sees the other's presence in the DM's header.
      await a.page.locator('.subtitle', { hasText: 'Online' }).waitFor();
      await b.page.locator('.subtitle', { hasText: 'Online' }).waitFor();

      // Typing shows on the other side; replies arrive in real time.
      await composer(b.page).pressSequentially('Hel');
      await a.page.getByText('bob is typing…').waitFor();
      await composer(b.page).fill('Hello Alice, **welcome**');
      await composer(b.page).press('Enter');
      await message(a.page, 'Hello Alice').locator('strong', { hasText: 'welcome' }).waitFor();
      // Sending stops the typing notice.
      await a.page.getByText('bob is typing…').waitFor({ state: 'detached' });

      // Read receipt: Bob has read Alice's message.
      await a.page.locator('[data-status="read"]').first().waitFor();
      await a.page.getByRole('img', { name: 'Read by bob' }).first().waitFor();

      // Reaction.
      await message(a.page, 'Hello Alice').hover();
      await message(a.page, 'Hello Alice').getByRole('button', { name: 'React' }).click();
      await a.page.getByRole('menuitem', { name: '👍' }).click();
      await message(b.page, 'Hello Alice').getByRole('button', { name: /reacted with 👍/ }).waitFor();

      // Reply.
      await message(b.page, 'Hi Bob!').hover();
      await message(b.page, 'Hi Bob!').getByRole('button', { name: 'Reply', exact: true }).click();
      await send(b.page, 'Replying to you');
      await message(a.page, 'Replying to you').getByRole('button', { name: /Replying to alice/ }).waitFor();

      // Edit with ↑ in the empty composer.
      await composer(a.page).press('ArrowUp');
      await composer(a.page).fill('Hi Bob! (edited text)');
      await composer(a.page).press('Enter');
      await message(b.page, '(edited text)').getByText('(edited)').waitFor();

      // Delete.
      await send(a.page, 'Oops, wrong chat');
      await message(b.page, 'Oops, wrong chat').waitFor();
      await message(a.page, 'Oops, wrong chat').hover();
      await message(a.page, 'Oops, wrong chat').getByRole('button', { name: 'Delete' }).click();
      await expect.poll(() => message(b.page, 'Oops, wrong chat').count()).toBe(0);
      await b.page.getByText('Message deleted').first().waitFor();

      // Image with a preview before sending, then inline on both sides.
      await a.page.locator('input[type=file]').first().setInputFiles({ name: 'dot.png', mimeType: 'image/png', buffer: PNG });
      await a.page.getByRole('group', { name: 'Send file' }).locator('img').waitFor();
      await a.page.getByRole('button', { name: 'Send file' }).click();
      await b.page.locator('parley-image img[alt="dot.png"]').waitFor();
      await a.page.locator('parley-image img[alt="dot.png"]').waitFor();
      await screenshot(b.page, 'chat-bob-desktop-light');

      // Threads: Bob replies in a thread; Alice sees the summary under the root, opens the
      // thread and answers there; neither reply shows in the main timeline.
      await message(b.page, 'Hello Alice').hover();
      await message(b.page, 'Hello Alice').getByRole('button', { name: 'Reply in thread' }).click();
      const bobThread = b.page.getByRole('complementary', { name: 'Thread' });
      await bobThread.getByRole('textbox', { name: 'Reply in thread' }).fill('A side question');
      await bobThread.getByRole('textbox', { name: 'Reply in thread' }).press('Enter');
      await bobThread.locator('article', { hasText: 'A side question' }).waitFor();
      await a.page.getByRole('log', { name: 'Messages', exact: true }).locator('article', { hasText: 'Hello Alice' }).getByRole('button', { name: /1 reply/ }).click();
      const aliceThread = a.page.getByRole('complementary', { name: 'Thread' });
      await aliceThread.locator('article', { hasText: 'A side question' }).waitFor();
      await aliceThread.getByRole('textbox', { name: 'Reply in thread' }).fill('A side answer');
      await aliceThread.getByRole('textbox', { name: 'Reply in thread' }).press('Enter');
      await bobThread.locator('article', { hasText: 'A side answer' }).waitFor();
      const bobMain = b.page.getByRole('log', { name: 'Messages', exact: true });
      await bobMain.locator('article', { hasText: 'Hello Alice' }).getByRole('button', { name: /2 replies/ }).waitFor();
      expect(await bobMain.locator('.body', { hasText: 'A side' }).count()).toBe(0);
      await screenshot(a.page, 'chat-thread-alice-desktop-light');
    } catch (err) {
      await screenshot(a.page, 'chat-failure-alice').catch(() => {});
      await screenshot(b.page, 'chat-failure-bob').catch(() => {});
      throw err;
    } finally {
      await a.context.close();
      await b.context.close();
    }
  });
});
