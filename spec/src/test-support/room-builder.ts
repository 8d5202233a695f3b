// Builds small rooms of events for tests: ids, prev_events, depth, timestamps and auth_events
// (by the auth events selection) are filled in; events are not signed or hashed.

import type { EventLookup } from '../auth-chain.js';
import { selectAuthEvents, type StateLookup } from '../auth/auth-events.js';
import { stateKey, type JsonObject, type RoomEvent, type StateKey } from '../events.js';
import { getRoomVersion, type RoomVersion } from '../room-versions.js';

export interface EventSpec {
  type: string;
  sender: string;
  state_key?: string;
  content?: JsonObject;
  /** Overrides of any built field (prev_events, auth_events, room_id, …). */
  overrides?: Partial<RoomEvent>;
}

export const ALICE = '@alice:example.com';
export const BOB = '@bob:example.com';
export const CHARLIE = '@charlie:example.com';
export const EVE = '@eve:evil.example';

export class RoomBuilder {
  readonly roomVersion: RoomVersion;
  readonly events = new Map<string, RoomEvent>();
  /** The current state (key → event id), updated by `add` for state events. */
  readonly state = new Map<StateKey, string>();
  roomId: string;
  private counter = 0;
  private head: string | undefined;

  constructor(roomVersionId: string, readonly creator: string = ALICE, createContent: JsonObject = {}) {
    const rv = getRoomVersion(roomVersionId);
    if (!rv) throw new Error(`unknown room version ${roomVersionId}`);
    this.roomVersion = rv;
    this.roomId = `!room:${creator.split(':')[1]}`;
    const content: JsonObject = { room_version: rv.id, ...createContent };
    if (!rv.implicitRoomCreator && content.creator === undefined) content.creator = creator;
    const create = this.build({ type: 'm.room.create', sender: creator, state_key: '', content });
    if (rv.roomIdIsCreateEventHash) {
      delete create.room_id;
      this.roomId = `!${create.event_id.slice(1)}`;
    }
    this.apply(create);
  }

  /** A room with the creator joined, power levels (creator 100 before v12) and a join rule. */
  static standard(roomVersionId: string, joinRule = 'public', powerLevels: JsonObject = {}): RoomBuilder {
    const room = new RoomBuilder(roomVersionId);
    room.join(room.creator);
    const users: JsonObject = room.roomVersion.creatorsInfinitePowerLevel ? {} : { [room.creator]: 100 };
    room.add({ type: 'm.room.power_levels', sender: room.creator, state_key: '', content: { users, ...powerLevels } });
    room.add({ type: 'm.room.join_rules', sender: room.creator, state_key: '', content: { join_rule: joinRule } });
    return room;
  }

  get createEvent(): RoomEvent {
    return this.current('m.room.create', '')!;
  }

  /** Builds the next event (auth events from the current state) without applying it. */
  build(spec: EventSpec): RoomEvent {
    const id = `$${++this.counter}-${spec.type}${spec.state_key ? `-${spec.state_key}` : ''}`;
    const base = { type: spec.type, sender: spec.sender, state_key: spec.state_key, content: spec.content ?? {} };
    const event: RoomEvent = {
      event_id: id,
      room_id: this.roomId,
      sender: spec.sender,
      type: spec.type,
      content: spec.content ?? {},
      origin_server_ts: this.counter,
      depth: this.counter,
      prev_events: this.head ? [this.head] : [],
      auth_events: spec.type === 'm.room.create' ? [] : selectAuthEvents(base, this.roomVersion, this.lookup),
      hashes: { sha256: '' },
      signatures: { [spec.sender.split(':')[1]]: { 'ed25519:1': 'sig' } },
      ...(spec.state_key !== undefined ? { state_key: spec.state_key } : {}),
      ...spec.overrides,
    };
    return event;
  }

  /** Records an event (and, for state events, makes it current) without any auth check. */
  apply(event: RoomEvent): RoomEvent {
    this.events.set(event.event_id, event);
    this.head = event.event_id;
    if (typeof event.state_key === 'string') this.state.set(stateKey(event.type, event.state_key), event.event_id);
    return event;
  }

  add(spec: EventSpec): RoomEvent {
    return this.apply(this.build(spec));
  }

  join(user: string, content: JsonObject = {}): RoomEvent {
    return this.add({ type: 'm.room.member', sender: user, state_key: user, content: { membership: 'join', ...content } });
  }

  member(sender: string, target: string, membership: string, content: JsonObject = {}): RoomEvent {
    return this.add({ type: 'm.room.member', sender, state_key: target, content: { membership, ...content } });
  }

  buildMember(sender: string, target: string, membership: string, content: JsonObject = {}): RoomEvent {
    return this.build({ type: 'm.room.member', sender, state_key: target, content: { membership, ...content } });
  }

  current(type: string, key: string): RoomEvent | undefined {
    const id = this.state.get(stateKey(type, key));
    return id === undefined ? undefined : this.events.get(id);
  }

  readonly lookup: StateLookup = (type, key) => this.current(type, key);
  readonly fetch: EventLookup = (id) => this.events.get(id);

  /** The events an event cites, for `checkAuthEvents`. */
  authEventsOf(event: RoomEvent): RoomEvent[] {
    if (!Array.isArray(event.auth_events)) return [];
    return event.auth_events.map((id) => this.events.get(String(id))).filter((e): e is RoomEvent => e !== undefined);
  }

  /** Where the room is now (state and head), to build a fork from it later with `restore`. */
  checkpoint(): { state: Map<StateKey, string>; head: string | undefined } {
    return { state: new Map(this.state), head: this.head };
  }

  restore(checkpoint: { state: ReadonlyMap<StateKey, string>; head: string | undefined }): void {
    this.state.clear();
    for (const [key, id] of checkpoint.state) this.state.set(key, id);
    this.head = checkpoint.head;
  }

  /** A snapshot of the current state. */
  snapshot(): Map<StateKey, string> {
    return new Map(this.state);
  }
}
