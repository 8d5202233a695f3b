// <parley-room room="#alias:server" homeserver="https://...">: one room, for embedding on any
// site. Signs in inline (session kept per homeserver), joins the room, and chats; signed out, it
// shows a read-only preview when the room is world-readable and the server allows guests.
// Fires `parley-session` after sign-in and `parley-error` {message} when the room cannot be opened.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { MatrixClient } from '../matrix/client.js';
import { loadSession, saveSession, clearSession } from '../matrix/session.js';
import { registerGuest } from '../matrix/auth.js';
import { normaliseBaseUrl } from '../matrix/http.js';
import type { Session } from '../matrix/types.js';
import type { Room } from '../matrix/room.js';
import { ClientController } from '../controllers/client-controller.js';
import { base, themeTokens } from '../styles/theme.js';
import { t } from '../i18n/en.js';
import './parley-login.js';
import './parley-room-view.js';
import './parley-connection-status.js';

/** The server that served this script: the default homeserver for embeds. */
const scriptOrigin = (() => {
  try {
    return new URL(import.meta.url).origin;
  } catch {
    return location.origin;
  }
})();

export class ParleyRoomElement extends LitElement {
  static override properties = {
    room: {},
    homeserver: {},
    theme: { reflect: true },
    client: { state: true },
    roomId: { state: true },
    error: { state: true },
  };
  declare room: string;
  declare homeserver: string;
  declare theme?: string;
  declare client?: MatrixClient;
  declare roomId?: string;
  declare error: string;
  private readonly clientCtl = new ClientController(this);
  private joining = false;

  constructor() {
    super();
    this.room = '';
    this.homeserver = '';
    this.error = '';
  }

  static override styles = [
    themeTokens,
    base,
    css`
      :host {
        display: flex;
        flex-direction: column;
        height: 560px;
        border: 1px solid var(--parley-border);
        border-radius: var(--parley-radius);
        overflow: hidden;
      }
      parley-room-view {
        flex: 1;
      }
      .signin {
        padding: 1em;
        overflow-y: auto;
      }
      .preview-note {
        text-align: center;
        font-size: 0.9em;
        padding: 0.4em;
        background: var(--parley-surface);
      }
      .state {
        margin: auto;
        padding: 1em;
        text-align: center;
      }
    `,
  ];

  private get baseUrl(): string {
    return normaliseBaseUrl(this.homeserver || scriptOrigin);
  }

  private get storageKey(): string {
    return `embed:${this.baseUrl}`;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const session = loadSession(this.storageKey);
    if (session) this.start(session);
    else void this.startPreview();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client?.stop();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.clientCtl.use(this.client);
    if (changed.has('room') && changed.get('room') !== undefined) this.roomId = undefined;
    void this.ensureRoom();
  }

  private start(session: Session): void {
    this.client?.stop();
    const client = new MatrixClient(session, { initialTimelineLimit: 40 });
    client.addEventListener('session-ended', () => {
      clearSession(this.storageKey);
      this.client?.stop();
      this.client = undefined;
    });
    this.client = client;
    this.roomId = undefined;
    client.start();
  }

  /** Signed out: a guest session for a read-only look at world-readable rooms, if allowed. */
  private async startPreview(): Promise<void> {
    try {
      const guest = await registerGuest(this.baseUrl);
      if (!this.client) this.start(guest);
    } catch {
      /* no guests here: the sign-in form is all there is */
    }
  }

  private async ensureRoom(): Promise<void> {
    const c = this.client;
    if (!c || this.roomId || this.joining || !this.room || !c.initialSyncDone) return;
    this.joining = true;
    try {
      const id = this.room.startsWith('#') ? await c.resolveAlias(this.room) : this.room;
      const room = c.rooms.get(id);
      if (c.session.guest) {
        if (!room || room.membership !== 'join') await c.join(id).catch(() => undefined);
        const r = c.room(id);
        if (!r.events.length) await c.paginateBack(r, 40).catch(() => undefined);
      } else if (!room || room.membership !== 'join') {
        await c.join(id);
      }
      this.roomId = id;
      this.error = '';
    } catch (err) {
      this.error = (err as Error).message || t.roomNotFound;
      this.dispatchEvent(new CustomEvent('parley-error', { detail: { message: this.error }, bubbles: true, composed: true }));
    } finally {
      this.joining = false;
    }
  }

  private onSession(e: CustomEvent<Session>): void {
    e.stopPropagation();
    saveSession(e.detail, this.storageKey);
    this.start(e.detail);
    this.dispatchEvent(new CustomEvent('parley-session', { detail: { userId: e.detail.userId }, bubbles: true, composed: true }));
  }

  override render() {
    const c = this.client;
    const guest = !c || c.session.guest;
    const room: Room | undefined = c && this.roomId ? c.rooms.get(this.roomId) : undefined;
    return html`
      ${c && !guest ? html`<parley-connection-status .client=${c}></parley-connection-status>` : nothing}
      ${room
        ? html`<parley-room-view .client=${c} .room=${room} ?read-only=${guest}></parley-room-view>`
        : this.error && !guest
          ? html`<p class="state error" role="alert">${this.error}</p>`
          : c && !guest
            ? html`<p class="state muted">${t.connecting}</p>`
            : nothing}
      ${guest
        ? html`${room ? html`<p class="preview-note">${t.previewReadOnly}</p>` : nothing}
            <div class="signin"><parley-login compact hide-homeserver homeserver=${this.baseUrl} @parley-session=${this.onSession}></parley-login></div>`
        : nothing}
    `;
  }
}
customElements.define('parley-room', ParleyRoomElement);

declare global {
  interface HTMLElementTagNameMap {
    'parley-room': ParleyRoomElement;
  }
}
