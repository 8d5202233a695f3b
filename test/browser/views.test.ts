// Screenshots of the main views (light and dark, desktop and phone) into test-artifacts/, and an
// axe-core scan of each: no serious or critical violations.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../support/server.js';
import { DESKTOP, PHONE, launchBrowser, newPage, registerInApp, screenshot } from './support/browser.js';

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

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
}

const variants = [
  { name: 'desktop-light', viewport: DESKTOP, colorScheme: 'light' as const },
  { name: 'desktop-dark', viewport: DESKTOP, colorScheme: 'dark' as const },
  { name: 'phone-light', viewport: PHONE, colorScheme: 'light' as const },
  { name: 'phone-dark', viewport: PHONE, colorScheme: 'dark' as const },
];

describe('views', () => {
  for (const v of variants) {
    it(`sign-in (${v.name})`, async () => {
      const { context, page } = await newPage(browser, v);
      try {
        await page.goto(server.url + '/');
        await page.getByRole('button', { name: 'Sign in' }).waitFor();
        await screenshot(page, `sign-in-${v.name}`);
        expect(await seriousViolations(page)).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  for (const v of variants) {
    it(`room list and room (${v.name})`, async () => {
      const { context, page } = await newPage(browser, v);
      try {
        const user = `viewer_${v.name.replace('-', '_')}`;
        await registerInApp(page, server.url, user);
        // A room with a few messages to look at.
        await page.getByRole('button', { name: 'New chat' }).click();
        await page.getByRole('tab', { name: 'Group' }).click();
        await page.getByLabel('Group name').fill('Design review');
        await page.getByRole('button', { name: 'Create' }).click();
        const composer = page.getByLabel('Message', { exact: true }).last();
        await composer.waitFor();
        for (const text of ['Morning! The **new layout** is up.', 'Looks good on the phone too', 'Shipping it today 🚀']) {
          await composer.fill(text);
          await composer.press('Enter');
        }
        await page.locator('article', { hasText: 'Shipping it today' }).waitFor();
        // Sent one after the other, they stay in the order written.
        await expect
          .poll(() => page.locator('article .body').allTextContents())
          .toEqual(['Morning! The new layout is up.', 'Looks good on the phone too', 'Shipping it today 🚀']);
        await page.locator('[data-status="sent"], [data-status="read"]').last().waitFor();
        await screenshot(page, `room-${v.name}`);
        expect(await seriousViolations(page)).toEqual([]);
        // A thread beside the room (over it on a phone).
        const root = page.locator('article', { hasText: 'Looks good on the phone' });
        await root.hover();
        await root.getByRole('button', { name: 'Reply in thread' }).click();
        const thread = page.getByRole('complementary', { name: 'Thread' });
        await thread.getByRole('textbox', { name: 'Reply in thread' }).fill('Checked on a 360 px screen as well');
        await thread.getByRole('textbox', { name: 'Reply in thread' }).press('Enter');
        await thread.locator('article', { hasText: 'Checked on a 360 px' }).locator('[data-status="sent"]').waitFor();
        await screenshot(page, `thread-${v.name}`);
        expect(await seriousViolations(page)).toEqual([]);
        await thread.getByRole('button', { name: 'Close thread' }).click();
        if (v.viewport === PHONE) await page.getByRole('button', { name: 'Back to chats' }).click();
        await page.getByRole('list', { name: 'Chats' }).waitFor();
        await screenshot(page, `room-list-${v.name}`);
        expect(await seriousViolations(page)).toEqual([]);
        await page.getByRole('button', { name: 'Settings', exact: true }).click();
        await page.getByRole('dialog').waitFor();
        await screenshot(page, `settings-${v.name}`);
        expect(await seriousViolations(page)).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }
});
