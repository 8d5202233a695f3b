// <parley-app>: the whole client. Signed out: <parley-login>. Signed in: the room list beside the
// open room (one at a time below 700 px), connection status, settings and new-chat dialogs,
// shortcuts, notifications and the unread count in the tab title. The open room is in the URL hash.
import { LitElement, css, html, nothing } from 'lit';
import { MatrixClient } from '../matrix/client.js';
import { loadSession, saveSession, clearSession } from '../matrix/session.js';
import { logout } from '../matrix/auth.js';
import type { Session } from '../matrix/types.js';
import { ClientController } from '../controllers/client-controller.js';
import { ThemeController, type ThemeChoice } from '../controllers/theme-controller.js';
import { ShortcutsController, keys } from '../controllers/shortcuts-controller.js';
import { NotificationController } from '../controllers/notification-controller.js';
import { icon } from '../styles/icons.js';
import { base, themeTokens } from '../styles/theme.js';
import { t } from '../i18n/en.js';
import type { ParleyRoomList } from './parley-room-list.js';
import type { ParleyRoomView } from './parley-room-view.js';
import './parley-login.js';
import './parley-room-list.js';
import './parley-room-view.js';
import './parley-connection-status.js';
import './parley-avatar.js';

const PHONE = '(max-width: 700px)';

export class ParleyApp extends LitElement {
  static override properties = {
    homeserver: {},
    client: { state: true },
    roomId: { state: true },
    dialog: { state: true },
    phone: { state: true },
  };
  declare homeserver: string;
  declare client?: MatrixClient;
  declare roomId?: string;
  declare dialog?: 'settings' | 'new-chat';
  declare phone: boolean;

  private readonly clientCtl = new ClientController(this);
  private readonly themeCtl = new ThemeController(this);
  private readonly notifyCtl = new NotificationController(this);
  private readonly phoneQuery = matchMedia(PHONE);

  constructor() {
    super();
    this.homeserver = '';
    this.phone = this.phoneQuery.matches;
    new ShortcutsController(this, [
      { match: keys.altUp, run: () => this.moveRoom(-1), inInputs: true },
      { match: keys.altDown, run: () => this.moveRoom(1), inInputs: true },
      { match: keys.findRoom, run: () => this.findRoom(), inInputs: true },
      { match: keys.searchRoom, run: () => this.roomView?.openSearch(), inInputs: true },
      { match: keys.escape, run: () => this.markReadAndJump(), inInputs: true },
    ]);
  }

  static override styles = [
    themeTokens,
    base,
    css`
      :host {
        display: block;
        height: 100%;
        min-height: 100dvh;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(260px, 340px) minmax(0, 1fr);
        height: 100dvh;
      }
      .sidebar {
        display: flex;
        flex-direction: column;
        border-right: 1px solid var(--parley-border);
        background: var(--parley-surface);
        min-height: 0;
      }
      .sidebar header {
        display: flex;
        align-items: center;
        gap: 0.5em;
        padding: 0.55em 0.75em;
        min-height: 58px;
      }
      .sidebar h1 {
        flex: 1;
        margin: 0;
        font-size: 1.2em;
      }
      parley-room-list {
        flex: 1;
      }
      .main {
        display: flex;
        flex-direction: column;
        min-width: 0;
        min-height: 0;
        position: relative;
      }
      parley-room-view {
        flex: 1;
      }
      .empty {
        margin: auto;
        padding: 2em;
        text-align: center;
      }
      .signin {
        min-height: 100dvh;
        display: grid;
        place-items: center;
        padding: 1.5em;
      }
      .signin parley-login {
        width: min(380px, 100%);
      }
      .layout.phone {
        grid-template-columns: minmax(0, 1fr);
      }
      .layout.phone.in-room .sidebar,
      .layout.phone:not(.in-room) .main {
        display: none;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    this.phoneQuery.addEventListener('change', this.onPhone);
    window.addEventListener('hashchange', this.onHash);
    this.onHash();
    const session = loadSession();
    if (session) this.start(session);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.phoneQuery.removeEventListener('change', this.onPhone);
    window.removeEventListener('hashchange', this.onHash);
    this.client?.stop();
  }

  private onPhone = () => (this.phone = this.phoneQuery.matches);

  private onHash = () => {
    const m = /^#\/room\/(.+)$/.exec(location.hash);
    this.roomId = m ? decodeURIComponent(m[1]) : undefined;
  };

  protected override willUpdate(): void {
    this.clientCtl.use(this.client);
    this.notifyCtl.use(this.client);
  }

  private start(session: Session): void {
    this.client?.stop();
    const client = new MatrixClient(session);
    client.addEventListener('session-ended', () => this.signOut(false));
    this.client = client;
    client.start();
  }

  private onSession(e: CustomEvent<Session>): void {
    saveSession(e.detail);
    this.start(e.detail);
  }

  private async signOut(callServer = true): Promise<void> {
    const c = this.client;
    this.dialog = undefined;
    this.client = undefined;
    c?.stop();
    clearSession();
    if (c && callServer) await logout(c.session);
    location.hash = '';
  }

  private get roomView(): ParleyRoomView | null {
    return this.renderRoot?.querySelector?.('parley-room-view') ?? null;
  }

  private get roomList(): ParleyRoomList | null {
    return this.renderRoot?.querySelector?.('parley-room-list') ?? null;
  }

  selectRoom(roomId: string | undefined): void {
    this.dialog = undefined;
    location.hash = roomId ? `#/room/${encodeURIComponent(roomId)}` : '';
    this.roomId = roomId;
    void this.updateComplete.then(() => this.roomView?.updateComplete).then(() => this.roomView?.composer?.focus());
  }

  private moveRoom(step: number): void {
    const rooms = this.roomList?.visibleRooms() ?? [];
    if (!rooms.length) return;
    const i = rooms.findIndex((r) => r.roomId === this.roomId);
    const next = rooms[(i + step + rooms.length) % rooms.length];
    this.selectRoom(next.roomId);
  }

  private findRoom(): void {
    if (this.phone) this.selectRoom(undefined);
    void this.updateComplete.then(() => this.roomList?.focusSearch());
  }

  private markReadAndJump(): void {
    if (this.dialog) return;
    const room = this.roomId ? this.client?.rooms.get(this.roomId) : undefined;
    const last = room?.events.at(-1);
    if (room && last) void this.client!.markRead(room, last.event_id);
    this.roomView?.timeline?.jumpToLatest();
  }

  private async openDialog(which: 'settings' | 'new-chat'): Promise<void> {
    if (which === 'settings') await import('./parley-settings.js');
    else await import('./parley-new-chat.js');
    this.dialog = which;
  }

  override render() {
    const c = this.client;
    if (!c) {
      return html`<main class="signin"><parley-login homeserver=${this.homeserver} @parley-session=${this.onSession}></parley-login></main>`;
    }
    const room = this.roomId ? c.rooms.get(this.roomId) : undefined;
    const me = c.myDisplayName();
    return html`<div class="layout ${this.phone ? 'phone' : ''} ${room ? 'in-room' : ''}">
        <nav class="sidebar" aria-label=${t.rooms}>
          <header>
            <parley-avatar .media=${c.media} name=${me} user-id=${c.userId} size="32"></parley-avatar>
            <h1>${t.rooms}</h1>
            <button class="icon" aria-label=${t.newChat} title=${t.newChat} @click=${() => this.openDialog('new-chat')}>${icon('plus')}</button>
            <button class="icon" aria-label=${t.settings} title=${t.settings} @click=${() => this.openDialog('settings')}>${icon('gear')}</button>
          </header>
          <parley-connection-status .client=${c}></parley-connection-status>
          <parley-room-list .client=${c} selected=${this.roomId ?? ''} @parley-select-room=${(e: CustomEvent) => this.selectRoom(e.detail.roomId)}></parley-room-list>
        </nav>
        <main class="main">
          ${this.phone ? html`<parley-connection-status .client=${c}></parley-connection-status>` : nothing}
          ${room
            ? html`<parley-room-view .client=${c} .room=${room} ?show-back=${this.phone}
                @parley-back=${() => this.selectRoom(undefined)} @parley-left-room=${() => this.selectRoom(undefined)}></parley-room-view>`
            : html`<p class="empty muted">${t.selectRoom}</p>`}
        </main>
      </div>
      ${this.dialog === 'settings'
        ? html`<parley-settings .client=${c} theme=${this.themeCtl.choice} .notifications=${this.notifyCtl.prefs}
            @parley-close=${() => (this.dialog = undefined)}
            @parley-theme=${(e: CustomEvent<{ choice: ThemeChoice }>) => this.themeCtl.apply(e.detail.choice)}
            @parley-notifications=${(e: CustomEvent) => this.notifyCtl.setPrefs(e.detail.prefs).then(() => this.requestUpdate())}
            @parley-sign-out=${() => this.signOut()}></parley-settings>`
        : nothing}
      ${this.dialog === 'new-chat'
        ? html`<parley-new-chat .client=${c} @parley-close=${() => (this.dialog = undefined)}
            @parley-select-room=${(e: CustomEvent) => this.selectRoom(e.detail.roomId)}></parley-new-chat>`
        : nothing}`;
  }
}
customElements.define('parley-app', ParleyApp);

declare global {
  interface HTMLElementTagNameMap {
    'parley-app': ParleyApp;
  }
}
