// <parley-settings>: profile (display name, avatar), theme, notifications, keyboard shortcuts,
// sign out. Fires `parley-theme` {choice}, `parley-notifications` {prefs}, `parley-sign-out`, `parley-close`.
import { LitElement, css, html } from 'lit';
import type { MatrixClient } from '../matrix/client.js';
import type { ThemeChoice } from '../controllers/theme-controller.js';
import type { NotificationPrefs } from '../controllers/notification-controller.js';
import { base } from '../styles/theme.js';
import { t } from '../i18n/en.js';
import './parley-dialog.js';

export class ParleySettings extends LitElement {
  static override properties = {
    client: { attribute: false },
    theme: {},
    notifications: { attribute: false },
    message: { state: true },
  };
  declare client?: MatrixClient;
  declare theme: ThemeChoice;
  declare notifications: NotificationPrefs;
  declare message: string;

  constructor() {
    super();
    this.theme = 'system';
    this.notifications = { enabled: false, sound: true };
    this.message = '';
  }

  static override styles = [
    base,
    css`
      section {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 0.6em;
        margin-bottom: 1.1em;
      }
      input[type='file'] {
        max-width: 100%;
        min-width: 0;
      }
      p[role='status'] {
        margin: 0;
      }
      h3 {
        margin: 0;
        font-size: 0.95em;
      }
      label {
        display: grid;
        gap: 0.25em;
        font-size: 0.9em;
      }
      label.check {
        display: flex;
        gap: 0.5em;
        align-items: center;
      }
      .inline {
        display: flex;
        gap: 0.4em;
      }
      .inline input {
        flex: 1;
        min-width: 0;
      }
      dl {
        display: grid;
        grid-template-columns: fit-content(45%) minmax(0, 1fr);
        gap: 0.3em 0.8em;
        margin: 0;
        font-size: 0.88em;
      }
      dt {
        font-family: ui-monospace, monospace;
      }
      dd {
        margin: 0;
      }
    `,
  ];

  override render() {
    const c = this.client;
    return html`<parley-dialog heading=${t.settings}>
      <section aria-labelledby="s-profile">
        <h3 id="s-profile">${t.profile}</h3>
        <form class="inline" @submit=${this.saveName}>
          <label class="visually-hidden" for="dn">${t.displayName}</label>
          <input id="dn" name="name" .value=${c?.myDisplayName() ?? ''} placeholder=${t.displayName} />
          <button type="submit">${t.save}</button>
        </form>
        <label>${t.changeAvatar}<input type="file" accept="image/*" @change=${this.saveAvatar} /></label>
        <p role="status" class="muted">${this.message}</p>
      </section>
      <section aria-labelledby="s-theme">
        <h3 id="s-theme">${t.appearance}</h3>
        <label>${t.theme}
          <select @change=${(e: Event) => this.fire('parley-theme', { choice: (e.target as HTMLSelectElement).value })}>
            ${(['system', 'light', 'dark'] as const).map(
              (v) => html`<option value=${v} ?selected=${this.theme === v}>${{ system: t.themeSystem, light: t.themeLight, dark: t.themeDark }[v]}</option>`,
            )}
          </select>
        </label>
      </section>
      <section aria-labelledby="s-notif">
        <h3 id="s-notif">${t.notifications}</h3>
        <label class="check"><input type="checkbox" .checked=${this.notifications.enabled} @change=${(e: Event) => this.setNotif({ enabled: (e.target as HTMLInputElement).checked })} />${t.notifyWhenHidden}</label>
        <label class="check"><input type="checkbox" .checked=${this.notifications.sound} @change=${(e: Event) => this.setNotif({ sound: (e.target as HTMLInputElement).checked })} />${t.notifySound}</label>
      </section>
      <section aria-labelledby="s-keys">
        <h3 id="s-keys">${t.shortcuts}</h3>
        <dl>${t.shortcutList.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
      </section>
      <button class="danger" @click=${() => this.fire('parley-sign-out')}>${t.signOut}</button>
    </parley-dialog>`;
  }

  private setNotif(change: Partial<NotificationPrefs>): void {
    this.notifications = { ...this.notifications, ...change };
    this.fire('parley-notifications', { prefs: this.notifications });
  }

  private async saveName(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const name = String(new FormData(e.target as HTMLFormElement).get('name') ?? '').trim();
    if (!name || !this.client) return;
    try {
      await this.client.setDisplayName(name);
      this.message = t.saved;
    } catch (err) {
      this.message = (err as Error).message;
    }
  }

  private async saveAvatar(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file || !this.client) return;
    try {
      await this.client.setAvatar(file);
      this.message = t.saved;
    } catch (err) {
      this.message = (err as Error).message;
    }
  }

  private fire(name: string, detail?: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true }));
  }
}
customElements.define('parley-settings', ParleySettings);

declare global {
  interface HTMLElementTagNameMap {
    'parley-settings': ParleySettings;
  }
}
