// Shapes of Matrix events shared by every layer.
// https://spec.matrix.org/v1.19/server-server-api/#pdus

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** v1–2 edges are `[event_id, {sha256}]` pairs; v3+ edges are plain event ids. */
export type EventEdge = string | [string, { sha256?: string }];

/** A persistent data unit as it travels between servers (fields common to all room versions). */
export interface PDU {
  event_id?: string; // only in v1–2 PDUs
  room_id?: string; // absent from v12 m.room.create
  sender: string;
  origin?: string;
  origin_server_ts: number;
  type: string;
  state_key?: string;
  content: JsonObject;
  prev_events: EventEdge[];
  auth_events: EventEdge[];
  depth: number;
  redacts?: string; // v1–10 m.room.redaction
  hashes: { sha256: string; [alg: string]: string };
  signatures: Record<string, Record<string, string>>;
  unsigned?: JsonObject;
}

/** A PDU together with its event id (carried in v1–2, computed from the reference hash in v3+). */
export interface RoomEvent extends PDU {
  event_id: string;
}

/** Key of a state entry: `${type}\u0000${stateKey}` (NUL cannot appear in either part). */
export type StateKey = string;

export function stateKey(type: string, key: string): StateKey {
  return `${type}\u0000${key}`;
}

export function splitStateKey(key: StateKey): [type: string, stateKey: string] {
  const i = key.indexOf('\u0000');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** The event ids referenced by an edge list, whatever the room version's format. */
export function edgeIds(edges: readonly EventEdge[]): string[] {
  return edges.map((e) => (typeof e === 'string' ? e : e[0]));
}
