// One room as the client sees it: state, the loaded timeline, relations (reactions, edits,
// redactions), receipts, typing, and local echoes of messages being sent.
import type { BasicEvent, MatrixEvent, StrippedEvent } from './types.js';

export type Membership = 'join' | 'invite' | 'leave';
export type SendStatus = 'sending' | 'sent' | 'failed';

export interface Reaction {
  key: string;
  senders: string[];
  /** The event id of my own reaction with this key, for removing it. */
  mine?: string;
}

export interface Receipt {
  eventId: string;
  ts: number;
}

export interface LocalEcho {
  txnId: string;
  event: MatrixEvent;
  status: SendStatus;
}

const HIDDEN_RELATIONS = new Set(['m.annotation', 'm.replace']);

export function relationOf(
  e: MatrixEvent,
): { rel_type?: string; event_id?: string; key?: string; is_falling_back?: boolean; 'm.in_reply_to'?: { event_id: string } } | undefined {
  return e.content?.['m.relates_to'];
}

export function redactsOf(e: MatrixEvent): string | undefined {
  return e.redacts ?? e.content?.redacts;
}

export class Room {
  membership: Membership = 'join';
  readonly state = new Map<string, Map<string, MatrixEvent | StrippedEvent>>();
  /** Events in order, oldest first (what is loaded). */
  readonly events: MatrixEvent[] = [];
  private readonly byId = new Map<string, MatrixEvent>();
  readonly reactions = new Map<string, Map<string, Map<string, string>>>(); // target -> key -> sender -> reaction event id
  readonly edits = new Map<string, MatrixEvent>();
  /** Thread root -> ids of its replies loaded so far, oldest first. */
  readonly threads = new Map<string, string[]>();
  readonly redacted = new Set<string>();
  readonly receipts = new Map<string, Receipt>(); // user -> latest m.read
  readonly pending: LocalEcho[] = [];
  typing: string[] = [];
  heroes: string[] = [];
  /** Token to paginate backwards from; null when the start of the room was reached. */
  prevBatch: string | null | undefined;
  inviter?: string;
  accountData = new Map<string, Record<string, any>>();
  /** Bumped on every change, so views can cheaply tell whether to re-render. */
  version = 0;
  /** Bumped only when the events loaded change (not for receipts, typing, echoes' status). */
  eventsVersion = 0;

  constructor(
    readonly roomId: string,
    readonly myUserId: string,
  ) {}

  stateEvent(type: string, stateKey = ''): MatrixEvent | StrippedEvent | undefined {
    return this.state.get(type)?.get(stateKey);
  }

  setState(e: MatrixEvent | StrippedEvent): void {
    if (e.state_key === undefined) return;
    let m = this.state.get(e.type);
    if (!m) this.state.set(e.type, (m = new Map()));
    m.set(e.state_key, e);
  }

  get name(): string | undefined {
    return this.stateEvent('m.room.name')?.content.name || this.stateEvent('m.room.canonical_alias')?.content.alias || undefined;
  }

  get topic(): string | undefined {
    return this.stateEvent('m.room.topic')?.content.topic;
  }

  get avatarUrl(): string | undefined {
    return this.stateEvent('m.room.avatar')?.content.url;
  }

  memberEvent(userId: string) {
    return this.stateEvent('m.room.member', userId);
  }

  membershipOf(userId: string): string | undefined {
    return this.memberEvent(userId)?.content.membership;
  }

  displayName(userId: string): string {
    const name = this.memberEvent(userId)?.content.displayname;
    return typeof name === 'string' && name ? name : userId.replace(/^@/, '').split(':')[0];
  }

  memberAvatar(userId: string): string | undefined {
    return this.memberEvent(userId)?.content.avatar_url;
  }

  members(membership = 'join'): string[] {
    const out: string[] = [];
    for (const [userId, e] of this.state.get('m.room.member') ?? []) if (e.content.membership === membership) out.push(userId);
    return out;
  }

  powerLevel(userId: string): number {
    const pl = this.stateEvent('m.room.power_levels')?.content;
    if (!pl) return this.stateEvent('m.room.create')?.sender === userId ? 100 : 0;
    return pl.users?.[userId] ?? pl.users_default ?? 0;
  }

  canDo(action: 'invite' | 'kick' | 'ban' | 'redact' | 'state', userId = this.myUserId): boolean {
    const pl = this.stateEvent('m.room.power_levels')?.content;
    const mine = this.powerLevel(userId);
    if (!pl) return true;
    const needed = action === 'state' ? (pl.state_default ?? 50) : (pl[action] ?? (action === 'invite' ? 0 : 50));
    return mine >= needed;
  }

  /** Other members for naming a room without a name and for DMs. */
  otherMembers(): string[] {
    const others = this.members('join').concat(this.members('invite')).filter((u) => u !== this.myUserId);
    return others.length ? others : this.heroes.filter((u) => u !== this.myUserId);
  }

  event(eventId: string): MatrixEvent | undefined {
    return this.byId.get(eventId) ?? this.pending.find((p) => p.event.event_id === eventId)?.event;
  }

  /** Adds events at the live end (from sync). */
  addLive(events: MatrixEvent[], myTxnIds?: Map<string, string>): void {
    for (const e of events) {
      if (this.byId.has(e.event_id)) continue;
      const txn = e.unsigned?.transaction_id;
      if (txn) {
        const i = this.pending.findIndex((p) => p.txnId === txn);
        if (i >= 0) this.pending.splice(i, 1);
      } else if (myTxnIds) {
        const i = this.pending.findIndex((p) => myTxnIds.get(p.txnId) === e.event_id);
        if (i >= 0) this.pending.splice(i, 1);
      }
      this.events.push(e);
      this.index(e);
      this.eventsVersion++;
    }
    this.version++;
  }

  /** Adds older events (from /messages, newest first as the server returns them). */
  addHistory(eventsNewestFirst: MatrixEvent[]): void {
    const fresh = eventsNewestFirst.filter((e) => !this.byId.has(e.event_id)).reverse();
    this.events.unshift(...fresh);
    for (const e of fresh) this.index(e, true);
    if (fresh.length) this.eventsVersion++;
    this.version++;
  }

  private index(e: MatrixEvent, historical = false): void {
    this.byId.set(e.event_id, e);
    if (e.state_key !== undefined && !historical) this.setState(e);
    if (e.type === 'm.room.redaction') {
      const target = redactsOf(e);
      if (target) this.applyRedaction(target);
      return;
    }
    if (this.redacted.has(e.event_id)) return;
    const rel = relationOf(e);
    if (rel?.rel_type === 'm.annotation' && rel.event_id && rel.key) {
      let byKey = this.reactions.get(rel.event_id);
      if (!byKey) this.reactions.set(rel.event_id, (byKey = new Map()));
      let bySender = byKey.get(rel.key);
      if (!bySender) byKey.set(rel.key, (bySender = new Map()));
      bySender.set(e.sender, e.event_id);
    } else if (rel?.rel_type === 'm.thread' && rel.event_id) {
      let replies = this.threads.get(rel.event_id);
      if (!replies) this.threads.set(rel.event_id, (replies = []));
      if (!replies.includes(e.event_id)) {
        replies.push(e.event_id);
        if (replies.length > 1 && this.byId.get(replies[replies.length - 2])!.origin_server_ts > e.origin_server_ts) {
          replies.sort((a, b) => this.byId.get(a)!.origin_server_ts - this.byId.get(b)!.origin_server_ts);
        }
      }
    } else if (rel?.rel_type === 'm.replace' && rel.event_id && e.content['m.new_content']) {
      const original = this.byId.get(rel.event_id);
      const prev = this.edits.get(rel.event_id);
      if ((!original || original.sender === e.sender) && (!prev || prev.origin_server_ts <= e.origin_server_ts)) this.edits.set(rel.event_id, e);
    }
  }

  /** Adds events fetched out of timeline order (a thread's replies from /relations). */
  addRelated(events: MatrixEvent[]): void {
    for (const e of events) {
      if (this.byId.has(e.event_id)) continue;
      this.index(e, true);
      this.eventsVersion++;
    }
    this.version++;
  }

  /** A thread: its root and the replies loaded, oldest first. */
  threadEvents(rootId: string): MatrixEvent[] {
    const root = this.event(rootId);
    const replies = (this.threads.get(rootId) ?? []).map((id) => this.byId.get(id)!).filter(Boolean);
    return root ? [root, ...replies] : replies;
  }

  /** How many replies a thread has and the latest, from loaded events or the server's summary. */
  threadSummary(rootId: string): { count: number; latest?: MatrixEvent } | undefined {
    const loaded = (this.threads.get(rootId) ?? []).filter((id) => !this.redacted.has(id));
    const bundled = (this.byId.get(rootId)?.unsigned?.['m.relations'] as Record<string, any> | undefined)?.['m.thread'];
    const count = Math.max(loaded.length, bundled?.count ?? 0);
    if (!count) return undefined;
    const latest = loaded.length ? this.byId.get(loaded[loaded.length - 1]) : bundled?.latest_event;
    return { count, latest };
  }

  private applyRedaction(target: string): void {
    this.redacted.add(target);
    const e = this.byId.get(target);
    if (!e) return;
    const rel = relationOf(e);
    if (rel?.rel_type === 'm.annotation' && rel.event_id && rel.key) {
      const bySender = this.reactions.get(rel.event_id)?.get(rel.key);
      if (bySender?.get(e.sender) === target) bySender.delete(e.sender);
      if (bySender && bySender.size === 0) this.reactions.get(rel.event_id)!.delete(rel.key);
    }
    if (rel?.rel_type === 'm.replace' && rel.event_id && this.edits.get(rel.event_id)?.event_id === target) this.edits.delete(rel.event_id);
  }

  isRedacted(e: MatrixEvent): boolean {
    return this.redacted.has(e.event_id) || !!e.unsigned?.redacted_because;
  }

  /** The events a timeline shows: messages and membership changes, not relations or redactions. */
  visibleEvents(): MatrixEvent[] {
    const out: MatrixEvent[] = [];
    for (const e of this.events) if (isVisible(e)) out.push(e);
    return out;
  }

  reactionsFor(eventId: string): Reaction[] {
    const byKey = this.reactions.get(eventId);
    if (!byKey) return [];
    return [...byKey].map(([key, bySender]) => ({ key, senders: [...bySender.keys()], mine: bySender.get(this.myUserId) }));
  }

  /** Content to show for a message, with its latest edit applied. */
  displayContent(e: MatrixEvent): { content: Record<string, any>; edited: boolean } {
    const edit = this.edits.get(e.event_id);
    return edit ? { content: edit.content['m.new_content'], edited: true } : { content: e.content, edited: false };
  }

  setReceipt(userId: string, eventId: string, ts: number): void {
    const prev = this.receipts.get(userId);
    if (prev && this.indexOf(prev.eventId) > this.indexOf(eventId)) return;
    this.receipts.set(userId, { eventId, ts });
  }

  indexOf(eventId: string): number {
    for (let i = this.events.length - 1; i >= 0; i--) if (this.events[i].event_id === eventId) return i;
    return -1;
  }

  /**
   * Users (other than me) whose read receipt sits at each shown event. A receipt on an event the
   * timeline does not show (a reaction, an edit, a redaction) counts for the shown event before it.
   */
  readersByEvent(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [user, r] of this.receipts) {
      if (user === this.myUserId) continue;
      let i = this.indexOf(r.eventId);
      while (i > 0 && !isVisible(this.events[i])) i--;
      const eventId = i >= 0 ? this.events[i].event_id : r.eventId;
      const list = out.get(eventId) ?? [];
      list.push(user);
      out.set(eventId, list);
    }
    return out;
  }

  lastMessage(): MatrixEvent | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) if (isMessage(this.events[i])) return this.events[i];
    return undefined;
  }

  lastActivity(): number {
    const last = this.pending.at(-1)?.event ?? this.events.at(-1);
    return last?.origin_server_ts ?? 0;
  }

  /** Messages from others after my read receipt, and how many of them mention me. */
  unread(myNames: string[]): { count: number; highlights: number } {
    const mine = this.receipts.get(this.myUserId)?.eventId;
    let count = 0;
    let highlights = 0;
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i];
      if (e.event_id === mine || e.sender === this.myUserId) break;
      if (!isMessage(e) || this.isRedacted(e)) continue;
      count++;
      const body = String(e.content.body ?? '').toLowerCase();
      if (myNames.some((n) => n && body.includes(n.toLowerCase()))) highlights++;
    }
    return { count, highlights };
  }

  applyEphemeral(events: BasicEvent[]): void {
    for (const e of events) {
      if (e.type === 'm.typing') this.typing = (e.content.user_ids ?? []).filter((u: string) => u !== this.myUserId);
      if (e.type === 'm.receipt') {
        for (const [eventId, types] of Object.entries<any>(e.content)) {
          for (const [type, users] of Object.entries<any>(types ?? {})) {
            if (type !== 'm.read' && type !== 'm.read.private') continue;
            for (const [user, r] of Object.entries<any>(users ?? {})) this.setReceipt(user, eventId, r?.ts ?? 0);
          }
        }
      }
    }
    this.version++;
  }

  touch(): void {
    this.version++;
  }
}

export function isMessage(e: MatrixEvent): boolean {
  if (e.type !== 'm.room.message' && e.type !== 'm.sticker' && e.type !== 'm.room.encrypted') return false;
  return !HIDDEN_RELATIONS.has(relationOf(e)?.rel_type ?? '');
}

/** A reply in a thread: shown in the thread's view, not the room's timeline. */
export function threadOf(e: MatrixEvent): string | undefined {
  const rel = relationOf(e);
  return rel?.rel_type === 'm.thread' ? rel.event_id : undefined;
}

/** Shown as a row of the room's main timeline. */
export function isVisible(e: MatrixEvent): boolean {
  if (isMessage(e)) return !threadOf(e);
  return e.type === 'm.room.member' || e.type === 'm.room.name' || e.type === 'm.room.topic' || e.type === 'm.room.create';
}
