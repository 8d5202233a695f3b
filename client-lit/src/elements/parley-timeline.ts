// <parley-timeline>: the messages of a room, windowed (only rows near the viewport are in the
// DOM). Infinite scroll back, day separators, sender grouping, reactions, replies, edits,
// deletions, read receipts, delivery state and a jump-to-latest button.
// Fires `parley-reply` and `parley-edit` with {eventId} for the composer, `parley-thread` with
// {eventId} to open a thread. With `thread` set to a root event id it shows that thread instead.
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { repeat } from 'lit/directives/repeat.js';
import type { MatrixClient } from '../matrix/client.js';
import { isMessage, isVisible, relationOf, threadOf, type Room, type SendStatus } from '../matrix/room.js';
import type { MatrixEvent } from '../matrix/types.js';
import { sanitizeHtml } from '../matrix/sanitize.js';
import { ClientController } from '../controllers/client-controller.js';
import { WindowedList, type ListWindow } from '../controllers/windowed-list.js';
import { icon } from '../styles/icons.js';
import { base } from '../styles/theme.js';
import { colorFor, dayKey, formatDay, formatSize, formatTime, initials } from '../format.js';
import { t } from '../i18n/en.js';
import './parley-avatar.js';
import './parley-image.js';
import './parley-emoji-picker.js';

interface Row {
  key: string;
  /** Position in room.events (-1 for local echoes). */
  index: number;
  event: MatrixEvent;
  status?: SendStatus;
  txnId?: string;
  newDay: boolean;
  firstInGroup: boolean;
}

const GROUP_GAP_MS = 5 * 60_000;
/** Height of the head of the list (start-of-room or loading notice), fixed so offsets stay exact. */
const HEAD_PX = 40;

export class ParleyTimeline extends LitElement {
  static override properties = {
    client: { attribute: false },
    room: { attribute: false },
    readOnly: { type: Boolean, attribute: 'read-only' },
    thread: {},
    pickerFor: { state: true },
    activeRow: { state: true },
    loadingHistory: { state: true },
    atBottom: { state: true },
  };
  declare client?: MatrixClient;
  declare room?: Room;
  declare readOnly: boolean;
  /** The root event of the thread to show; the room's main timeline when unset. */
  declare thread?: string;
  declare pickerFor?: string;
  /** The row under the pointer or holding focus: the only one with its action toolbar in the DOM. */
  declare activeRow?: string;
  declare loadingHistory: boolean;
  declare atBottom: boolean;

  private readonly clientCtl = new ClientController(this);
  private readonly list = new WindowedList(56, 400);
  private win: ListWindow = { start: 0, end: 0, padTop: 0, padBottom: 0 };
  private rows: Row[] = [];
  private keys: string[] = [];
  private rowsFor?: { room: Room; version: number; pending: number };
  private eventRows?: { room: Room; version: number; rows: Row[] };
  /** Where the viewport starts, in list coordinates (scrollTop minus the head), as last known. */
  private viewTop = 0;
  private viewHeight = 0;
  /** viewTop changed in the model (history loaded above, a jump): write it to the scroller. */
  private scrollPending = false;
  /** Only the rows in view were rendered (after a jump): add the overscan next frame. */
  private fillPending = false;
  private stick = true;
  private scrollQueued = false;
  private othersReadUpTo = -1;
  private readonly sanitized = new Map<string, string>();
  /**
   * Rows are measured by a ResizeObserver, which reports sizes after the browser's own layout:
   * no synchronous layout reads while scrolling. Corrections to estimated heights move the
   * spacers and keep the row at the top of the viewport in place.
   */
  private resizeObserver?: ResizeObserver;
  private readonly observed = new WeakSet<Element>();

  constructor() {
    super();
    this.readOnly = false;
    this.loadingHistory = false;
    this.atBottom = true;
  }

  static override styles = [
    base,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        position: relative;
      }
      .scroller {
        flex: 1;
        overflow-y: auto;
        overflow-anchor: none;
        padding: 0 0.75em;
        contain: strict;
      }
      .row {
        padding-top: 2px;
        display: flow-root;
      }
      .row.first {
        padding-top: 10px;
      }
      .day {
        text-align: center;
        margin: 14px 0 4px;
        font-size: 0.8em;
        font-weight: 600;
        color: var(--parley-muted);
      }
      .notice {
        text-align: center;
        font-size: 0.85em;
        color: var(--parley-muted);
        padding: 4px 0;
        margin: 0;
      }
      .notice.head {
        box-sizing: border-box;
        height: 40px;
        padding: 14px 0 0;
        overflow: hidden;
        white-space: nowrap;
        text-overflow: ellipsis;
      }
      .msg {
        display: grid;
        grid-template-columns: 36px minmax(0, 1fr);
        column-gap: 0.6em;
        position: relative;
      }
      .own .msg {
        grid-template-columns: minmax(0, 1fr);
        justify-items: end;
      }
      .bubble {
        background: var(--parley-other-bubble);
        border-radius: 14px;
        padding: 0.45em 0.75em 0.35em;
        max-width: min(640px, 100%);
        overflow-wrap: anywhere;
        justify-self: start;
      }
      .own .bubble {
        background: var(--parley-own-bubble);
        justify-self: end;
      }
      .sender {
        font-weight: 700;
        font-size: 0.86em;
        margin-bottom: 0.15em;
      }
      .body {
        white-space: pre-wrap;
        line-height: 1.4;
      }
      .body.html {
        white-space: normal;
      }
      .body :is(p, pre, blockquote) {
        margin: 0.2em 0;
      }
      .body blockquote {
        border-left: 3px solid var(--parley-border);
        padding-left: 0.6em;
        color: var(--parley-muted);
      }
      .body code {
        background: var(--parley-surface-2);
        padding: 0 0.25em;
        border-radius: 4px;
        font-size: 0.92em;
      }
      .body a {
        color: var(--parley-accent);
      }
      .deleted {
        font-style: italic;
        color: var(--parley-muted);
      }
      .meta {
        font-size: 0.75em;
        color: var(--parley-muted);
        display: flex;
        gap: 0.4em;
        justify-content: flex-end;
        align-items: center;
        margin-top: 0.1em;
      }
      .meta .failed {
        color: var(--parley-danger);
        font-weight: 600;
      }
      .meta button {
        min-height: 24px;
        padding: 0 0.5em;
        font-size: 1em;
      }
      .quote {
        display: block;
        border: none;
        border-left: 3px solid var(--parley-accent);
        background: var(--parley-surface);
        border-radius: 6px;
        padding: 0.2em 0.5em;
        margin-bottom: 0.3em;
        font-size: 0.88em;
        text-align: left;
        width: 100%;
        min-height: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .reactions {
        display: flex;
        flex-wrap: wrap;
        gap: 4px;
        margin-top: 4px;
      }
      .own .reactions {
        justify-content: flex-end;
      }
      .reactions button {
        min-height: 28px;
        padding: 0 0.55em;
        border-radius: 14px;
        font-size: 0.9em;
      }
      .reactions button[aria-pressed='true'] {
        border-color: var(--parley-accent);
        background: var(--parley-own-bubble);
      }
      .actions {
        position: absolute;
        top: -16px;
        right: 4px;
        display: none;
        background: var(--parley-bg);
        border: 1px solid var(--parley-border);
        border-radius: 8px;
        box-shadow: var(--parley-shadow);
        z-index: 2;
      }
      .own .actions {
        right: auto;
        left: 4px;
      }
      .msg:hover .actions,
      .msg:focus-within .actions {
        display: flex;
      }
      .actions button {
        min-height: 32px;
        min-width: 32px;
        font-size: 0.95em;
      }
      parley-emoji-picker {
        position: absolute;
        top: 20px;
        right: 4px;
        z-index: 3;
      }
      .own parley-emoji-picker {
        right: auto;
        left: 4px;
      }
      .receipts {
        display: flex;
        justify-content: flex-end;
        gap: 2px;
        margin-top: 2px;
      }
      .file {
        display: flex;
        gap: 0.6em;
        align-items: center;
      }
      .file a {
        color: var(--parley-accent);
        font-weight: 600;
      }
      .jump {
        position: absolute;
        right: 16px;
        bottom: 12px;
        border-radius: 18px;
        box-shadow: var(--parley-shadow);
        background: var(--parley-bg);
      }
      .spacer {
        contain: strict;
      }
      .edited {
        font-style: italic;
      }
      .thread-summary {
        display: flex;
        align-items: center;
        gap: 0.35em;
        margin-top: 4px;
        min-height: 28px;
        padding: 0.1em 0.6em;
        border-radius: 14px;
        font-size: 0.85em;
        font-weight: 600;
        color: var(--parley-accent);
        width: 100%;
        /* Sized by the bubble, not by the latest reply's text (which is cut to fit). */
        contain: inline-size;
        min-width: 13em;
        box-sizing: border-box;
      }
      .thread-summary > svg,
      .thread-summary > span:first-of-type {
        white-space: nowrap;
        flex: none;
      }
      .thread-summary .latest {
        font-weight: 400;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
        min-width: 0;
      }
      .initials {
        display: inline-grid;
        place-items: center;
        border-radius: 50%;
        color: #fff;
        font-weight: 600;
        line-height: 1;
        user-select: none;
        overflow: hidden;
      }
      .initials.s36 {
        width: 36px;
        height: 36px;
        font-size: 15px;
      }
      .initials.s16 {
        width: 16px;
        height: 16px;
        font-size: 7px;
      }
    `,
  ];

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.resizeObserver?.disconnect();
    this.resizeObserver = undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    this.clientCtl.use(this.client);
    if ((changed.has('room') && changed.get('room') !== this.room) || (changed.has('thread') && changed.get('thread') !== this.thread)) {
      this.rowsFor = undefined;
      this.eventRows = undefined;
      this.stick = true;
      this.viewTop = 0;
      this.pickerFor = undefined;
    }
    // The row at the top of the viewport, to keep it in place when rows are added above it.
    const anchorIndex = this.list.indexAt(this.viewTop);
    const anchorKey = this.keys[anchorIndex];
    const anchorOffset = this.viewTop - this.list.offsetOf(anchorIndex);
    const before = this.keys;
    this.rebuildRows();
    this.list.setKeys(this.keys);
    const height = this.viewHeight || this.scroller?.clientHeight || 800;
    if (this.stick) {
      this.viewTop = Math.max(0, this.list.totalHeight + HEAD_PX - height);
    } else if (this.keys !== before && anchorKey !== undefined) {
      const i = this.keys.indexOf(anchorKey);
      if (i >= 0) {
        const top = this.list.offsetOf(i) + anchorOffset;
        if (Math.abs(top - this.viewTop) >= 0.5) {
          this.viewTop = top;
          this.scrollPending = true;
        }
      }
    }
    const w = this.list.compute(this.viewTop, height);
    // A jump far from the rendered rows: render what is in view now, the overscan next frame,
    // so no single frame builds the whole window.
    const kept = Math.max(0, Math.min(w.end, this.win.end) - Math.max(w.start, this.win.start));
    if (w.end - w.start - kept > 16 && this.win.end > 0) {
      this.win = this.list.compute(this.viewTop, height, 0);
      this.fillPending = true;
    } else this.win = w;
  }

  private get scroller(): HTMLElement | null {
    return this.renderRoot?.querySelector?.('.scroller') ?? null;
  }

  private rebuildRows(): void {
    const room = this.room;
    if (!room) {
      this.rows = [];
      this.keys = [];
      return;
    }
    if (this.rowsFor?.room === room && this.rowsFor.version === room.version && this.rowsFor.pending === room.pending.length) return;
    const thread = this.thread;
    // Rows of loaded events are rebuilt only when events change (not for a receipt or typing);
    // local echoes, few, are appended each time (their delivery state is part of the row).
    const cached = this.eventRows;
    let eventRows: Row[];
    if (cached && cached.room === room && cached.version === room.eventsVersion) eventRows = cached.rows;
    else {
      eventRows = [];
      let prev: MatrixEvent | undefined;
      const add = (event: MatrixEvent, index: number) => {
        eventRows.push(this.row(event, index, prev));
        prev = event;
      };
      if (thread) for (const e of room.threadEvents(thread)) add(e, room.indexOf(e.event_id));
      else room.events.forEach((e, i) => isVisible(e) && add(e, i));
      this.eventRows = { room, version: room.eventsVersion, rows: eventRows };
    }
    const rows = eventRows.slice();
    let prev = rows.at(-1)?.event;
    for (const p of room.pending) {
      if (threadOf(p.event) !== thread) continue;
      rows.push(this.row(p.event, -1, prev, p.status, p.txnId));
      prev = p.event;
    }
    this.rows = rows;
    const keys = this.keys;
    // Same rows (a reaction, a receipt): keep the array, so the list keeps its sums.
    if (rows.length !== keys.length || rows.some((r, i) => r.key !== keys[i])) this.keys = rows.map((r) => r.key);
    this.rowsFor = { room, version: room.version, pending: room.pending.length };
  }

  private row(event: MatrixEvent, index: number, prev: MatrixEvent | undefined, status?: SendStatus, txnId?: string): Row {
    const newDay = !prev || dayKey(prev.origin_server_ts) !== dayKey(event.origin_server_ts);
    const firstInGroup =
      newDay || !prev || prev.sender !== event.sender || !isMessage(prev) || event.origin_server_ts - prev.origin_server_ts > GROUP_GAP_MS;
    return { key: event.event_id, index, event, status, txnId, newDay, firstInGroup };
  }

  protected override updated(): void {
    const scroller = this.scroller;
    if (!scroller) return;
    if (!this.resizeObserver) {
      this.resizeObserver = new ResizeObserver((entries) => this.onResize(entries));
      this.resizeObserver.observe(scroller);
    }
    for (const el of scroller.children) {
      if (el.classList.contains('row') && !this.observed.has(el)) {
        this.observed.add(el);
        this.resizeObserver.observe(el);
      }
    }
    if (this.stick) {
      scroller.scrollTop = scroller.scrollHeight;
    } else if (this.scrollPending) {
      scroller.scrollTop = this.viewTop + HEAD_PX;
    }
    this.scrollPending = false;
    if (this.fillPending) {
      this.fillPending = false;
      requestAnimationFrame(() => this.requestUpdate());
    }
    this.markReadIfVisible();
    if (this.viewTop < 400 && !this.loadingHistory && this.room?.prevBatch !== null && !this.thread) void this.loadHistory();
  }

  /** Real heights of rows (and of the viewport), after layout: correct the estimates. */
  private onResize(entries: ResizeObserverEntry[]): void {
    const scroller = this.scroller;
    if (!scroller) return;
    const anchorIndex = this.list.indexAt(this.viewTop);
    const anchorOffset = this.viewTop - this.list.offsetOf(anchorIndex);
    let changed = false;
    for (const entry of entries) {
      const el = entry.target as HTMLElement;
      if (el === scroller) {
        changed = this.viewHeight !== entry.contentRect.height || changed;
        this.viewHeight = entry.contentRect.height;
        continue;
      }
      if (!el.isConnected) {
        this.resizeObserver?.unobserve(el);
        this.observed.delete(el);
        continue;
      }
      const h = entry.borderBoxSize?.[0]?.blockSize ?? entry.contentRect.height;
      if (el.dataset.key && this.list.measure(el.dataset.key, h)) changed = true;
    }
    if (!changed) return;
    const w = this.win;
    const padTop = this.list.offsetOf(w.start);
    const padBottom = this.list.totalHeight - this.list.offsetOf(w.end);
    const top = scroller.querySelector<HTMLElement>('.spacer.top');
    const bottom = scroller.querySelector<HTMLElement>('.spacer.bottom');
    if (top) top.style.height = `${padTop}px`;
    if (bottom) bottom.style.height = `${padBottom}px`;
    this.win = { ...w, padTop, padBottom };
    if (this.stick) {
      this.viewTop = Math.max(0, this.list.totalHeight + HEAD_PX - this.viewHeight);
      scroller.scrollTop = scroller.scrollHeight;
    } else {
      const viewTop = this.list.offsetOf(anchorIndex) + anchorOffset;
      if (Math.abs(viewTop - this.viewTop) >= 0.5) {
        this.viewTop = viewTop;
        scroller.scrollTop = viewTop + HEAD_PX;
      }
    }
    // Rows came out shorter than estimated: render more next frame if the viewport needs them.
    const need = this.list.compute(this.viewTop, this.viewHeight);
    if (need.start < w.start || need.end > w.end) requestAnimationFrame(() => this.requestUpdate());
  }

  private onScroll(): void {
    if (this.scrollQueued) return;
    this.scrollQueued = true;
    requestAnimationFrame(() => {
      this.scrollQueued = false;
      const s = this.scroller;
      if (!s) return;
      const scrollTop = s.scrollTop;
      const height = this.viewHeight || s.clientHeight;
      this.viewTop = Math.max(0, scrollTop - HEAD_PX);
      const atBottom = s.scrollHeight - scrollTop - height < 40;
      this.stick = atBottom;
      if (this.atBottom !== atBottom) this.atBottom = atBottom;
      const w = this.list.compute(this.viewTop, height);
      // Re-render only when the window must move: overscan absorbs small scrolls.
      if (w.start < this.win.start || w.end > this.win.end || w.start > this.win.start + 20 || w.end < this.win.end - 20) this.requestUpdate();
      else if (atBottom) this.markReadIfVisible();
      if (this.viewTop < 400 && !this.loadingHistory && this.room?.prevBatch !== null && !this.thread) void this.loadHistory();
    });
  }

  private readonly activate = (e: Event): void => {
    const key = (e.currentTarget as HTMLElement).dataset.key;
    if (key !== this.activeRow) this.activeRow = key;
  };

  private async loadHistory(): Promise<void> {
    if (!this.client || !this.room) return;
    this.loadingHistory = true;
    try {
      await this.client.paginateBack(this.room);
    } catch {
      /* shown as nothing more to load; retried on next scroll */
    } finally {
      this.loadingHistory = false;
    }
  }

  private markReadIfVisible(): void {
    if (!this.client || !this.room || !this.stick || this.readOnly || this.thread || document.visibilityState !== 'visible') return;
    const last = this.room.events.at(-1);
    if (last) void this.client.markRead(this.room, last.event_id);
  }

  jumpToLatest(): void {
    this.stick = true;
    this.atBottom = true;
    this.requestUpdate();
  }

  /** Brings a loaded event into view and focuses it. */
  revealEvent(eventId: string): void {
    const i = this.keys.indexOf(eventId);
    const s = this.scroller;
    if (i < 0 || !s) return;
    this.stick = false;
    this.viewTop = Math.max(0, this.list.offsetOf(i) - (this.viewHeight || s.clientHeight) / 3);
    this.scrollPending = true;
    this.requestUpdate();
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`.row[data-key="${CSS.escape(eventId)}"] .msg`)?.focus());
  }

  override render() {
    const room = this.room;
    if (!room || !this.client) return nothing;
    const readers = room.readersByEvent();
    this.othersReadUpTo = -1;
    for (const [user, r] of room.receipts) if (user !== this.client.userId) this.othersReadUpTo = Math.max(this.othersReadUpTo, room.indexOf(r.eventId));
    const rows = this.rows.slice(this.win.start, this.win.end);
    return html`<div class="scroller" role="log" aria-label=${this.thread ? t.thread : t.timelineLabel} aria-live="polite" aria-relevant="additions" tabindex="0" @scroll=${this.onScroll} part="scroller">
        <p class="notice head">${this.win.start !== 0 ? nothing : this.thread ? t.threadStart : room.prevBatch === null ? t.startOfRoom : this.loadingHistory ? t.loadingHistory : nothing}</p>
        <div class="spacer top" style="height:${this.win.padTop}px"></div>
        ${repeat(rows, (row) => row.key, (row) => this.renderRow(row, readers.get(row.key)))}
        <div class="spacer bottom" style="height:${this.win.padBottom}px"></div>
      </div>
      ${this.atBottom ? nothing : html`<button class="jump" @click=${() => this.jumpToLatest()}>${icon('down', 16)} ${t.jumpToLatest}</button>`}`;
  }

  private renderRow(row: Row, readBy: string[] | undefined) {
    const room = this.room!;
    const e = row.event;
    const own = e.sender === this.client!.userId;
    const day = row.newDay ? html`<div class="day" role="separator">${formatDay(e.origin_server_ts)}</div>` : nothing;
    if (!isMessage(e)) {
      return html`<div class="row" data-key=${row.key}>${day}<p class="notice">${this.describeState(e)}</p></div>`;
    }
    const name = room.displayName(e.sender);
    const redacted = room.isRedacted(e);
    const { content, edited } = room.displayContent(e);
    const rel = relationOf(e);
    // In a thread, the reply to the thread's latest message is only a fallback for other clients.
    const reply = rel?.is_falling_back ? undefined : rel?.['m.in_reply_to']?.event_id;
    const summary = this.thread || redacted ? undefined : room.threadSummary(e.event_id);
    const replied = reply ? room.event(reply) : undefined;
    const reactions = redacted ? [] : room.reactionsFor(e.event_id);
    const canAct = !this.readOnly && !row.status && !redacted;
    return html`<div class="row ${own ? 'own' : ''} ${row.firstInGroup ? 'first' : ''}" data-key=${row.key} @pointerenter=${this.activate} @focusin=${this.activate}>
      ${day}
      <article class="msg" tabindex="-1" aria-label=${`${name}, ${formatTime(e.origin_server_ts)}`} data-event-id=${e.event_id}>
        ${own ? nothing : row.firstInGroup ? this.avatar(e.sender, name, 36) : html`<span></span>`}
        <div class="bubble" part="bubble">
          ${!own && row.firstInGroup ? html`<div class="sender">${name}</div>` : nothing}
          ${replied && !redacted
            ? html`<button class="quote" @click=${() => this.revealEvent(reply!)} aria-label=${t.replyingTo(room.displayName(replied.sender))}>
                <strong>${room.displayName(replied.sender)}</strong> ${room.isRedacted(replied) ? t.deleted : String(room.displayContent(replied).content.body ?? '')}
              </button>`
            : nothing}
          ${redacted ? html`<div class="body deleted">${t.deleted}</div>` : this.renderContent(e.event_id, content)}
          <div class="meta">
            ${edited && !redacted ? html`<span class="edited">${t.edited}</span>` : nothing}
            <time datetime=${new Date(e.origin_server_ts).toISOString()}>${formatTime(e.origin_server_ts)}</time>
            ${own ? this.renderDelivery(row) : nothing}
          </div>
          ${reactions.length
            ? html`<div class="reactions">
                ${reactions.map(
                  (r) => html`<button aria-pressed=${r.mine ? 'true' : 'false'} ?disabled=${this.readOnly}
                    aria-label=${t.reactedWith(r.key, r.senders.map((s) => room.displayName(s)).join(', '))}
                    title=${r.senders.map((s) => room.displayName(s)).join(', ')}
                    @click=${() => this.client!.react(room.roomId, e.event_id, r.key)}>${r.key} ${r.senders.length}</button>`,
                )}
              </div>`
            : nothing}
          ${summary
            ? html`<button class="thread-summary" @click=${() => this.fire('parley-thread', e.event_id)}>
                ${icon('thread', 16)} <span>${t.threadReplies(summary.count)}</span>${summary.latest
                  ? html`<span class="muted latest">${room.displayName(summary.latest.sender)}: ${String(summary.latest.content?.body ?? '')}</span>`
                  : nothing}
              </button>`
            : nothing}
        </div>
        ${canAct && this.activeRow === row.key ? this.renderActions(e, own) : nothing}
        ${this.pickerFor === e.event_id
          ? html`<parley-emoji-picker @parley-emoji=${(ev: CustomEvent) => this.pickReaction(e.event_id, ev.detail.key)} @parley-close=${() => (this.pickerFor = undefined)}></parley-emoji-picker>`
          : nothing}
      </article>
      ${readBy?.length
        ? html`<div class="receipts" aria-label=${t.readBy(readBy.map((u) => room.displayName(u)).join(', '))} role="img">
            ${readBy.slice(0, 5).map((u) => this.avatar(u, room.displayName(u), 16))}
          </div>`
        : nothing}
    </div>`;
  }

  /**
   * A member's avatar: <parley-avatar> for a picture; initials drawn in place otherwise, which
   * costs a fraction of an element with its own shadow root in rows created while scrolling.
   */
  private avatar(userId: string, name: string, size: number) {
    const mxc = this.room!.memberAvatar(userId);
    if (mxc) return html`<parley-avatar .media=${this.client!.media} size=${size} name=${name} user-id=${userId} mxc=${mxc}></parley-avatar>`;
    return html`<span class="initials s${size}" aria-hidden="true" style="background:${colorFor(userId)}">${initials(name)}</span>`;
  }

  private renderActions(e: MatrixEvent, own: boolean) {
    const room = this.room!;
    const canDelete = own || room.canDo('redact');
    const canEdit = own && e.type === 'm.room.message' && ['m.text', 'm.emote', 'm.notice'].includes(e.content.msgtype);
    return html`<div class="actions" role="toolbar" aria-label=${t.react}>
      <button class="icon" aria-label=${t.react} title=${t.react} @click=${() => this.openPicker(e.event_id)}>${icon('smile', 18)}</button>
      <button class="icon" aria-label=${t.reply} title=${t.reply} @click=${() => this.fire('parley-reply', e.event_id)}>${icon('reply', 18)}</button>
      ${this.thread || threadOf(e)
        ? nothing
        : html`<button class="icon" aria-label=${t.replyInThread} title=${t.replyInThread} @click=${() => this.fire('parley-thread', e.event_id)}>${icon('thread', 18)}</button>`}
      ${canEdit ? html`<button class="icon" aria-label=${t.edit} title=${t.edit} @click=${() => this.fire('parley-edit', e.event_id)}>${icon('edit', 18)}</button>` : nothing}
      ${canDelete ? html`<button class="icon" aria-label=${t.delete} title=${t.delete} @click=${() => this.deleteMessage(e.event_id)}>${icon('trash', 18)}</button>` : nothing}
    </div>`;
  }

  private renderDelivery(row: Row) {
    if (row.status === 'sending') return html`<span class="status" data-status="sending" aria-label=${t.sending} title=${t.sending}>◷</span>`;
    if (row.status === 'failed')
      return html`<span class="failed" data-status="failed">${t.failed}</span>
        <button @click=${() => this.client!.retry(this.room!.roomId, row.txnId!)}>${t.retry}</button>
        <button @click=${() => this.client!.discard(this.room!.roomId, row.txnId!)}>${t.discard}</button>`;
    const read = row.index >= 0 && this.othersReadUpTo >= row.index;
    return read
      ? html`<span data-status="read" aria-label=${t.read} title=${t.read}>✓✓</span>`
      : html`<span data-status="sent" aria-label=${t.sent} title=${t.sent}>✓</span>`;
  }

  private renderContent(eventId: string, content: Record<string, any>) {
    if (this.room && content === undefined) return nothing;
    const type = content.msgtype;
    if (type === 'm.image' && content.url) {
      return html`<parley-image .media=${this.client!.media} mxc=${content.url} alt=${content.body ?? ''} width=${content.info?.w ?? 0} height=${content.info?.h ?? 0}></parley-image>`;
    }
    if ((type === 'm.file' || type === 'm.video' || type === 'm.audio') && content.url) {
      return html`<div class="file">${icon('attach', 18)} <a href="#" @click=${(e: Event) => this.download(e, content)}>${content.body ?? t.download}</a>
        <span class="muted">${formatSize(content.info?.size)}</span></div>`;
    }
    if (content.format === 'org.matrix.custom.html' && typeof content.formatted_body === 'string') {
      const key = `${eventId}:${content.formatted_body.length}`;
      let clean = this.sanitized.get(key);
      if (clean === undefined) this.sanitized.set(key, (clean = sanitizeHtml(content.formatted_body)));
      return html`<div class="body html">${unsafeHTML(clean)}</div>`;
    }
    if (!type && this.room) return html`<div class="body deleted">${t.encrypted}</div>`;
    return html`<div class="body">${type === 'm.emote' ? `* ${content.body}` : String(content.body ?? '')}</div>`;
  }

  private describeState(e: MatrixEvent): string {
    const room = this.room!;
    const who = room.displayName(e.sender);
    if (e.type === 'm.room.create') return t.createdRoom(who);
    if (e.type === 'm.room.name') return t.renamedRoom(who, e.content.name ?? '');
    if (e.type === 'm.room.topic') return t.changedTopic(who, e.content.topic ?? '');
    const target = e.state_key ?? '';
    const targetName = e.content.displayname || room.displayName(target);
    const prev = e.unsigned?.prev_content?.membership;
    switch (e.content.membership) {
      case 'join':
        return prev === 'join' ? t.changedName(targetName) : t.joined(targetName);
      case 'invite':
        return t.invited(who, targetName);
      case 'leave':
        return e.sender === target ? t.left(targetName) : t.kicked(who, targetName);
      case 'ban':
        return t.banned(who, targetName);
      default:
        return '';
    }
  }

  private async download(e: Event, content: Record<string, any>): Promise<void> {
    e.preventDefault();
    const url = await this.client!.media.objectUrl(content.url);
    if (!url) return;
    const a = document.createElement('a');
    a.href = url;
    a.download = content.body ?? 'download';
    a.click();
  }

  private openPicker(eventId: string): void {
    this.pickerFor = this.pickerFor === eventId ? undefined : eventId;
    void this.updateComplete.then(() => this.renderRoot.querySelector('parley-emoji-picker')?.focus());
  }

  private async pickReaction(eventId: string, key: string): Promise<void> {
    this.pickerFor = undefined;
    await this.client!.react(this.room!.roomId, eventId, key);
  }

  private async deleteMessage(eventId: string): Promise<void> {
    if (!confirm(t.confirmDelete)) return;
    await this.client!.redact(this.room!.roomId, eventId);
  }

  private fire(name: string, eventId: string): void {
    this.dispatchEvent(new CustomEvent(name, { detail: { eventId }, bubbles: true, composed: true }));
  }
}
customElements.define('parley-timeline', ParleyTimeline);

declare global {
  interface HTMLElementTagNameMap {
    'parley-timeline': ParleyTimeline;
  }
}
