// <parley-room-view>: one room with its header (name, topic or the DM partner's presence),
// timeline, typing indicator and composer; invites show accept/decline; search and room
// settings open in a side panel. Fires `parley-back` (phone layout) and `parley-left-room`.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import type { MatrixClient } from '../matrix/client.js';
import type { Room } from '../matrix/room.js';
import type { MatrixEvent } from '../matrix/types.js';
import { ClientController } from '../controllers/client-controller.js';
import { icon } from '../styles/icons.js';
import { base } from '../styles/theme.js';
import { formatAgo, formatTime, formatDay } from '../format.js';
import { t } from '../i18n/en.js';
import type { ParleyComposer } from './parley-composer.js';
import type { ParleyTimeline } from './parley-timeline.js';
import './parley-avatar.js';
import './parley-timeline.js';
import './parley-composer.js';

export class ParleyRoomView extends LitElement {
  static override properties = {
    client: { attribute: false },
    room: { attribute: false },
    showBack: { type: Boolean, attribute: 'show-back' },
    readOnly: { type: Boolean, attribute: 'read-only' },
    panel: { state: true },
    threadRoot: { state: true },
    results: { state: true },
  };
  declare client?: MatrixClient;
  declare room?: Room;
  declare showBack: boolean;
  declare readOnly: boolean;
  declare panel?: 'search' | 'settings' | 'thread';
  declare threadRoot?: string;
  declare results?: MatrixEvent[];
  private readonly clientCtl = new ClientController(this);

  constructor() {
    super();
    this.showBack = false;
    this.readOnly = false;
  }

  static override styles = [
    base,
    css`
      :host {
        display: flex;
        min-height: 0;
        min-width: 0;
      }
      .main {
        flex: 1;
        display: flex;
        flex-direction: column;
        min-width: 0;
        min-height: 0;
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.6em;
        padding: 0.5em 0.75em;
        border-bottom: 1px solid var(--parley-border);
        min-height: 58px;
      }
      .title {
        flex: 1;
        min-width: 0;
      }
      h2 {
        margin: 0;
        font-size: 1.05em;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .subtitle {
        font-size: 0.82em;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        display: block;
      }
      parley-timeline {
        flex: 1;
      }
      .typing {
        min-height: 1.5em;
        font-size: 0.82em;
        padding: 0 1em;
        font-style: italic;
      }
      .invite {
        margin: auto;
        text-align: center;
        display: grid;
        gap: 1em;
        justify-items: center;
        padding: 1em;
      }
      .invite .buttons {
        display: flex;
        gap: 0.6em;
      }
      aside {
        width: min(360px, 100%);
        border-left: 1px solid var(--parley-border);
        display: flex;
        flex-direction: column;
        min-height: 0;
        background: var(--parley-bg);
      }
      aside header h3 {
        flex: 1;
        margin: 0;
        font-size: 1em;
      }
      .search-form {
        display: flex;
        gap: 0.4em;
        padding: 0.6em;
      }
      .search-form input {
        flex: 1;
        min-width: 0;
      }
      .results {
        list-style: none;
        margin: 0;
        padding: 0 0.6em;
        overflow-y: auto;
      }
      .results button {
        width: 100%;
        text-align: left;
        display: grid;
        gap: 0.2em;
        margin-bottom: 0.4em;
      }
      aside.thread {
        width: min(420px, 45%);
      }
      aside.thread parley-timeline {
        flex: 1;
      }
      @media (max-width: 700px) {
        aside.thread {
          width: 100%;
        }
        aside {
          position: absolute;
          inset: 0;
          width: 100%;
          z-index: 5;
        }
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.clientCtl.use(this.client);
    if (changed.has('room') && changed.get('room') !== this.room) {
      this.panel = undefined;
      this.results = undefined;
    }
  }

  get timeline(): ParleyTimeline | null {
    return this.renderRoot?.querySelector?.('parley-timeline') ?? null;
  }

  get composer(): ParleyComposer | null {
    return this.renderRoot?.querySelector?.('parley-composer') ?? null;
  }

  /** Opens a thread beside the timeline (over it on a phone) and loads its replies. */
  openThread(rootId: string): void {
    this.threadRoot = rootId;
    this.panel = 'thread';
    void this.client?.loadThread(this.room!, rootId).catch(() => {});
    void this.updateComplete.then(() => this.renderRoot.querySelector<ParleyComposer>('aside parley-composer')?.focus());
  }

  openSearch(): void {
    this.panel = 'search';
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('aside input')?.focus());
  }

  private async openSettings(): Promise<void> {
    await import('./parley-room-settings.js');
    this.panel = 'settings';
  }

  private subtitle(): string {
    const c = this.client!;
    const room = this.room!;
    const dm = c.dmPartner(room);
    if (dm) {
      const p = c.presenceOf(dm);
      if (p?.presence === 'online' || p?.currentlyActive) return t.online;
      if (p?.lastActiveAgo !== undefined) return t.lastSeen(formatAgo(p.lastActiveAgo + (Date.now() - p.receivedAt)));
      return dm;
    }
    return room.topic ?? t.members(room.members('join').length);
  }

  override render() {
    const c = this.client;
    const room = this.room;
    if (!c || !room) return nothing;
    const name = c.roomName(room);
    const dm = c.dmPartner(room);
    const typing = room.typing.filter((u) => u !== c.userId).map((u) => room.displayName(u));
    return html`<section class="main" aria-label=${name}>
        <header part="header">
          ${this.showBack ? html`<button class="icon" aria-label=${t.back} title=${t.back} @click=${() => this.fire('parley-back')}>${icon('back')}</button>` : nothing}
          <parley-avatar .media=${c.media} name=${name} user-id=${dm ?? room.roomId} mxc=${(dm ? room.memberAvatar(dm) : room.avatarUrl) ?? ''} size="38"></parley-avatar>
          <div class="title">
            <h2>${name}</h2>
            <span class="subtitle muted">${this.subtitle()}</span>
          </div>
          ${room.membership === 'join'
            ? html`<button class="icon" aria-label=${t.searchInRoom} title=${t.searchInRoom} @click=${() => this.openSearch()}>${icon('search')}</button>
                ${this.readOnly ? nothing : html`<button class="icon" aria-label=${t.roomSettings} title=${t.roomSettings} @click=${this.openSettings}>${icon('gear')}</button>`}`
            : nothing}
        </header>
        ${room.membership === 'invite' ? this.renderInvite() : this.renderRoom(typing)}
      </section>
      ${this.panel === 'search' ? this.renderSearch() : nothing}
      ${this.panel === 'thread' && this.threadRoot ? this.renderThread(this.threadRoot) : nothing}
      ${this.panel === 'settings'
        ? html`<aside aria-label=${t.roomSettings}>
            <parley-room-settings .client=${c} .room=${room} @parley-close=${() => (this.panel = undefined)} @parley-left-room=${() => this.fire('parley-left-room')}></parley-room-settings>
          </aside>`
        : nothing}`;
  }

  private renderRoom(typing: string[]) {
    return html`<parley-timeline .client=${this.client} .room=${this.room} ?read-only=${this.readOnly}
        @parley-reply=${(e: CustomEvent) => this.composer?.reply(e.detail.eventId)}
        @parley-edit=${(e: CustomEvent) => this.composer?.edit(e.detail.eventId)}
        @parley-thread=${(e: CustomEvent) => this.openThread(e.detail.eventId)}></parley-timeline>
      <div class="typing muted" aria-live="polite">${typing.length ? t.typing(typing) : ''}</div>
      ${this.readOnly ? nothing : html`<parley-composer .client=${this.client} .room=${this.room}></parley-composer>`}`;
  }

  private renderInvite() {
    const room = this.room!;
    return html`<div class="invite">
      <p>${room.inviter ? t.invitedBy(room.displayName(room.inviter)) : t.invites}</p>
      <div class="buttons">
        <button class="primary" @click=${() => this.client!.acceptInvite(room.roomId)}>${t.accept}</button>
        <button @click=${async () => {
          await this.client!.leave(room.roomId);
          this.fire('parley-left-room');
        }}>${t.decline}</button>
      </div>
    </div>`;
  }

  private renderThread(rootId: string) {
    const composer = () => this.renderRoot.querySelector<ParleyComposer>('aside parley-composer');
    return html`<aside class="thread" aria-label=${t.thread}>
      <header><h3>${t.thread}</h3><button class="icon" aria-label=${t.closeThread} title=${t.closeThread} @click=${() => (this.panel = undefined)}>${icon('close')}</button></header>
      <parley-timeline .client=${this.client} .room=${this.room} .thread=${rootId} ?read-only=${this.readOnly}
        @parley-reply=${(e: CustomEvent) => composer()?.reply(e.detail.eventId)}
        @parley-edit=${(e: CustomEvent) => composer()?.edit(e.detail.eventId)}></parley-timeline>
      ${this.readOnly ? nothing : html`<parley-composer .client=${this.client} .room=${this.room} .threadRoot=${rootId}></parley-composer>`}
    </aside>`;
  }

  private renderSearch() {
    const room = this.room!;
    return html`<aside aria-label=${t.searchInRoom}>
      <header><h3>${t.searchInRoom}</h3><button class="icon" aria-label=${t.close} @click=${() => (this.panel = undefined)}>${icon('close')}</button></header>
      <form class="search-form" role="search" @submit=${this.search}>
        <label class="visually-hidden" for="q">${t.searchPlaceholder}</label>
        <input id="q" name="q" type="search" placeholder=${t.searchPlaceholder} />
        <button type="submit">${t.search}</button>
      </form>
      ${this.results && !this.results.length ? html`<p class="muted" style="padding:0 0.8em">${t.noResults}</p>` : nothing}
      <ul class="results">
        ${(this.results ?? []).map(
          (e) => html`<li><button @click=${() => this.timeline?.revealEvent(e.event_id)}>
            <strong>${room.displayName(e.sender)}</strong>
            <span>${String(e.content.body ?? '')}</span>
            <span class="muted">${formatDay(e.origin_server_ts)} ${formatTime(e.origin_server_ts)}</span>
          </button></li>`,
        )}
      </ul>
    </aside>`;
  }

  private async search(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const q = String(new FormData(e.target as HTMLFormElement).get('q') ?? '').trim();
    if (!q) return;
    this.results = await this.client!.searchRoom(this.room!, q);
  }

  private fire(name: string): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true }));
  }
}
customElements.define('parley-room-view', ParleyRoomView);

declare global {
  interface HTMLElementTagNameMap {
    'parley-room-view': ParleyRoomView;
  }
}
