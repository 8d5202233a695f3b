// <parley-room-list>: rooms by latest activity with last-message preview, unread and mention
// badges, DM avatars with presence, and invites on top. Fires `parley-select-room` with {roomId}.
import { LitElement, css, html, nothing } from 'lit';
import type { MatrixClient } from '../matrix/client.js';
import type { Room } from '../matrix/room.js';
import { ClientController } from '../controllers/client-controller.js';
import { base } from '../styles/theme.js';
import { formatListTime } from '../format.js';
import { t } from '../i18n/en.js';
import './parley-avatar.js';

export class ParleyRoomList extends LitElement {
  static override properties = {
    client: { attribute: false },
    selected: {},
    filter: { state: true },
  };
  declare client?: MatrixClient;
  declare selected?: string;
  declare filter: string;
  private readonly clientCtl = new ClientController(this);
  private markedFirstRooms = false;

  constructor() {
    super();
    this.filter = '';
  }

  static override styles = [
    base,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
      }
      .search {
        padding: 0.5em 0.75em;
      }
      .search input {
        width: 100%;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0 0.4em 0.5em;
        overflow-y: auto;
        flex: 1;
      }
      li button {
        display: flex;
        gap: 0.7em;
        align-items: center;
        width: 100%;
        text-align: left;
        border: none;
        background: transparent;
        padding: 0.55em 0.6em;
        border-radius: 10px;
        min-height: 60px;
      }
      li button:hover {
        background: var(--parley-surface-2);
      }
      li button[aria-current='true'] {
        background: var(--parley-own-bubble);
      }
      .text {
        flex: 1;
        min-width: 0;
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 0.15em;
      }
      .top,
      .bottom {
        display: flex;
        gap: 0.5em;
        align-items: baseline;
      }
      .name {
        font-weight: 600;
        flex: 1;
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .time {
        font-size: 0.8em;
      }
      .preview {
        flex: 1;
        min-width: 0;
        font-size: 0.9em;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .unread .name,
      .unread .preview {
        font-weight: 700;
        color: var(--parley-text);
      }
      .badge {
        min-width: 1.5em;
        height: 1.5em;
        padding: 0 0.4em;
        border-radius: 0.75em;
        background: var(--parley-accent);
        color: var(--parley-accent-text);
        font-size: 0.78em;
        font-weight: 700;
        display: grid;
        place-items: center;
      }
      .badge.highlight {
        background: var(--parley-badge);
        color: #fff;
      }
      .empty {
        padding: 1em;
      }
      h2 {
        font-size: 0.8em;
        text-transform: uppercase;
        letter-spacing: 0.05em;
        margin: 0.6em 0.9em 0.2em;
        color: var(--parley-muted);
      }
    `,
  ];

  protected override willUpdate(): void {
    this.clientCtl.use(this.client);
  }

  /** The rooms in display order (after filtering), for keyboard navigation by the app. */
  visibleRooms(): Room[] {
    const c = this.client;
    if (!c) return [];
    const f = this.filter.trim().toLowerCase();
    return c.roomList().filter((r) => !f || c.roomName(r).toLowerCase().includes(f));
  }

  protected override updated(): void {
    // Marks when rooms first appear, for the time-to-room-list budget (test/bench/client-budget.bench.ts).
    if (!this.markedFirstRooms && this.client?.initialSyncDone && this.client.rooms.size > 0) {
      this.markedFirstRooms = true;
      performance.mark('parley:room-list');
    }
  }

  focusSearch(): void {
    this.shadowRoot?.querySelector('input')?.focus();
  }

  private preview(room: Room): string {
    const c = this.client!;
    if (room.membership === 'invite') return room.inviter ? t.invitedBy(room.displayName(room.inviter)) : t.invites;
    const pending = room.pending.at(-1)?.event;
    const last = pending ?? room.lastMessage();
    if (!last) return '';
    const who = last.sender === c.userId ? t.you : room.displayName(last.sender);
    if (room.isRedacted(last)) return `${who}: ${t.deleted}`;
    const content = room.displayContent(last).content;
    const body = content.msgtype === 'm.image' ? `🖼 ${content.body ?? ''}` : content.msgtype === 'm.file' ? `📎 ${content.body ?? ''}` : content.body;
    return `${who}: ${String(body ?? '')}`;
  }

  override render() {
    const c = this.client;
    if (!c) return nothing;
    const rooms = this.visibleRooms();
    const names = [c.myDisplayName(), c.userId];
    return html`<div class="search">
        <label class="visually-hidden" for="filter">${t.findRoom}</label>
        <input id="filter" type="search" placeholder=${t.findRoom} .value=${this.filter} @input=${(e: Event) => (this.filter = (e.target as HTMLInputElement).value)} />
      </div>
      ${c.initialSyncDone && rooms.length === 0 ? html`<p class="empty muted">${t.noRooms}</p>` : nothing}
      <ul aria-label=${t.rooms} part="list">
        ${rooms.map((room) => {
          const dm = c.dmPartner(room);
          const { count, highlights } = room.unread(names);
          const name = c.roomName(room);
          const presence = dm ? (c.presenceOf(dm)?.presence === 'online' ? 'online' : 'offline') : undefined;
          const avatarMxc = dm ? room.memberAvatar(dm) : room.avatarUrl;
          const badge = room.membership === 'invite' ? 1 : count;
          const label = [name, badge ? t.unread(badge) : '', highlights ? t.mentions(highlights) : ''].filter(Boolean).join(', ');
          return html`<li>
            <button class=${badge ? 'unread' : ''} aria-current=${room.roomId === this.selected ? 'true' : 'false'} aria-label=${label}
              data-room-id=${room.roomId} @click=${() => this.select(room.roomId)}>
              <parley-avatar .media=${c.media} name=${name} user-id=${dm ?? room.roomId} mxc=${avatarMxc ?? ''} size="44" presence=${presence ?? ''}></parley-avatar>
              <span class="text">
                <span class="top"><span class="name">${name}</span><span class="time muted">${formatListTime(room.lastActivity())}</span></span>
                <span class="bottom">
                  <span class="preview muted">${this.preview(room)}</span>
                  ${badge ? html`<span class="badge ${highlights || room.membership === 'invite' ? 'highlight' : ''}" aria-hidden="true">${badge}</span>` : nothing}
                </span>
              </span>
            </button>
          </li>`;
        })}
      </ul>`;
  }

  private select(roomId: string): void {
    this.dispatchEvent(new CustomEvent('parley-select-room', { detail: { roomId }, bubbles: true, composed: true }));
  }
}
customElements.define('parley-room-list', ParleyRoomList);

declare global {
  interface HTMLElementTagNameMap {
    'parley-room-list': ParleyRoomList;
  }
}
