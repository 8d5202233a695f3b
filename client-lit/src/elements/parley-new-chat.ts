// <parley-new-chat>: start a DM (user search), create a group (name, topic, members) or join by
// address. Fires `parley-select-room` with the room, or `parley-close`.
import { LitElement, css, html, nothing } from 'lit';
import type { MatrixClient } from '../matrix/client.js';
import { base } from '../styles/theme.js';
import { t } from '../i18n/en.js';
import './parley-dialog.js';
import './parley-avatar.js';

type Tab = 'dm' | 'group' | 'join';
interface UserResult {
  user_id: string;
  display_name?: string;
  avatar_url?: string;
}

export class ParleyNewChat extends LitElement {
  static override properties = {
    client: { attribute: false },
    tab: { state: true },
    users: { state: true },
    error: { state: true },
    busy: { state: true },
  };
  declare client?: MatrixClient;
  declare tab: Tab;
  declare users?: UserResult[];
  declare error: string;
  declare busy: boolean;
  private searchTimer?: ReturnType<typeof setTimeout>;

  constructor() {
    super();
    this.tab = 'dm';
    this.error = '';
    this.busy = false;
  }

  static override styles = [
    base,
    css`
      [role='tablist'] {
        display: flex;
        gap: 0.3em;
        margin-bottom: 0.9em;
      }
      [role='tab'][aria-selected='true'] {
        background: var(--parley-accent);
        color: var(--parley-accent-text);
        border-color: var(--parley-accent);
      }
      form {
        display: grid;
        gap: 0.7em;
      }
      label {
        display: grid;
        gap: 0.25em;
        font-weight: 600;
        font-size: 0.9em;
      }
      ul {
        list-style: none;
        padding: 0;
        margin: 0;
        display: grid;
        gap: 0.3em;
      }
      li button {
        width: 100%;
        display: flex;
        gap: 0.6em;
        align-items: center;
        text-align: left;
      }
    `,
  ];

  override render() {
    const tabs: Array<[Tab, string]> = [['dm', t.newDirect], ['group', t.newGroup], ['join', t.joinRoom]];
    return html`<parley-dialog heading=${t.newChat}>
      <div role="tablist" aria-label=${t.newChat}>
        ${tabs.map(([id, label]) => html`<button role="tab" id="tab-${id}" aria-selected=${this.tab === id ? 'true' : 'false'} @click=${() => this.switchTo(id)}>${label}</button>`)}
      </div>
      <div role="tabpanel" aria-labelledby="tab-${this.tab}">
        ${this.tab === 'dm' ? this.renderDm() : this.tab === 'group' ? this.renderGroup() : this.renderJoin()}
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      </div>
    </parley-dialog>`;
  }

  private switchTo(tab: Tab): void {
    this.tab = tab;
    this.error = '';
  }

  private renderDm() {
    return html`<form @submit=${this.startDmFromInput}>
      <label>${t.searchUsers}<input name="user" autocomplete="off" autocapitalize="none" @input=${this.searchUsers} /></label>
      <ul aria-live="polite">
        ${(this.users ?? []).map(
          (u) => html`<li><button type="button" @click=${() => this.startDm(u.user_id)}>
            <parley-avatar .media=${this.client?.media} name=${u.display_name ?? u.user_id} user-id=${u.user_id} mxc=${u.avatar_url ?? ''} size="28"></parley-avatar>
            <span>${u.display_name ?? u.user_id} <span class="muted">${u.user_id}</span></span>
          </button></li>`,
        )}
      </ul>
      ${this.users && !this.users.length ? html`<p class="muted">${t.noUsersFound}</p>` : nothing}
      <button class="primary" type="submit" ?disabled=${this.busy}>${t.startChat}</button>
    </form>`;
  }

  private renderGroup() {
    return html`<form @submit=${this.createGroup}>
      <label>${t.groupName}<input name="name" required /></label>
      <label>${t.groupTopic}<input name="topic" /></label>
      <label>${t.groupMembers}<input name="members" autocapitalize="none" /></label>
      <button class="primary" type="submit" ?disabled=${this.busy}>${t.create}</button>
    </form>`;
  }

  private renderJoin() {
    return html`<form @submit=${this.join}>
      <label>${t.roomAlias}<input name="alias" required autocapitalize="none" /></label>
      <button class="primary" type="submit" ?disabled=${this.busy}>${t.joinRoom}</button>
    </form>`;
  }

  private searchUsers(e: Event): void {
    const term = (e.target as HTMLInputElement).value.trim();
    clearTimeout(this.searchTimer);
    if (!term) return void (this.users = undefined);
    this.searchTimer = setTimeout(async () => {
      try {
        this.users = await this.client!.searchUsers(term);
      } catch {
        this.users = /^@[^:]+:.+/.test(term) ? [{ user_id: term }] : [];
      }
    }, 250);
  }

  private startDmFromInput(e: SubmitEvent): void {
    e.preventDefault();
    const typed = String(new FormData(e.target as HTMLFormElement).get('user') ?? '').trim();
    const target = this.users?.[0]?.user_id ?? (typed.startsWith('@') ? typed : '');
    if (target) void this.startDm(target);
  }

  private async run(fn: () => Promise<string>): Promise<void> {
    this.busy = true;
    this.error = '';
    try {
      const roomId = await fn();
      this.dispatchEvent(new CustomEvent('parley-select-room', { detail: { roomId }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = (err as Error).message || t.errorGeneric;
    } finally {
      this.busy = false;
    }
  }

  private startDm(userId: string): Promise<void> {
    return this.run(() => this.client!.createDirectRoom(userId));
  }

  private createGroup(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const members = String(data.get('members') ?? '').split(/[\s,]+/).filter((m) => m.startsWith('@'));
    return this.run(() => this.client!.createGroup(String(data.get('name')), members, String(data.get('topic') ?? '')));
  }

  private join(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const alias = String(new FormData(e.target as HTMLFormElement).get('alias') ?? '').trim();
    return this.run(() => this.client!.join(alias));
  }
}
customElements.define('parley-new-chat', ParleyNewChat);

declare global {
  interface HTMLElementTagNameMap {
    'parley-new-chat': ParleyNewChat;
  }
}
