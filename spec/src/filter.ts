// Event filters: the JSON schema of a filter and a pure matcher for room events.
// https://spec.matrix.org/v1.19/client-server-api/#filtering
import { z } from 'zod';
import { lazy } from './api/endpoint.js';

const stringList = lazy(() => z.array(z.string()));

/** `EventFilter`: types / senders with `*` wildcards, and a limit. */
export const eventFilterSchema = lazy(() => z.looseObject({
  limit: z.number().int().optional(),
  not_senders: stringList().optional(),
  not_types: stringList().optional(),
  senders: stringList().optional(),
  types: stringList().optional(),
}));

/** `RoomEventFilter`: an EventFilter plus rooms, URLs, relations and lazy-loading options. */
export const roomEventFilterSchema = lazy(() => eventFilterSchema().extend({
  not_rooms: stringList().optional(),
  rooms: stringList().optional(),
  contains_url: z.boolean().optional(),
  include_redundant_members: z.boolean().optional(),
  lazy_load_members: z.boolean().optional(),
  unread_thread_notifications: z.boolean().optional(),
  related_by_senders: stringList().optional(),
  related_by_rel_types: stringList().optional(),
  // MSC3874 spelling used by some clients.
  'org.matrix.msc3874.not_rel_types': stringList().optional(),
}));

export const roomFilterSchema = lazy(() => z.looseObject({
  not_rooms: stringList().optional(),
  rooms: stringList().optional(),
  ephemeral: roomEventFilterSchema().optional(),
  include_leave: z.boolean().optional(),
  state: roomEventFilterSchema().optional(),
  timeline: roomEventFilterSchema().optional(),
  account_data: roomEventFilterSchema().optional(),
}));

/** The body of POST /user/{userId}/filter. */
export const filterSchema = lazy(() => z.looseObject({
  event_fields: stringList().optional(),
  event_format: z.enum(['client', 'federation']).optional(),
  presence: eventFilterSchema().optional(),
  account_data: eventFilterSchema().optional(),
  room: roomFilterSchema().optional(),
}));

export type EventFilter = z.infer<ReturnType<typeof eventFilterSchema>>;
export type RoomEventFilter = z.infer<ReturnType<typeof roomEventFilterSchema>>;
export type Filter = z.infer<ReturnType<typeof filterSchema>>;

/** The parts of an event a filter looks at. */
export interface FilterableEvent {
  type: string;
  sender: string;
  room_id?: string;
  content?: unknown;
}

/** `*` matches any run of characters; everything else is literal. */
export function wildcardMatches(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  return re.test(value);
}

function hasUrl(content: unknown): boolean {
  return typeof content === 'object' && content !== null && typeof (content as { url?: unknown }).url === 'string';
}

function relType(content: unknown): string | undefined {
  const rel = (content as { 'm.relates_to'?: { rel_type?: unknown } } | undefined)?.['m.relates_to'];
  return typeof rel?.rel_type === 'string' ? rel.rel_type : undefined;
}

/**
 * Whether an event passes a (room) event filter. `related` says, for `related_by_*`, which
 * senders and relation types relate to the event (omit it and those keys are ignored).
 */
export function matchesEventFilter(
  filter: RoomEventFilter | EventFilter | undefined,
  event: FilterableEvent,
  related?: { senders: Iterable<string>; relTypes: Iterable<string> },
): boolean {
  if (!filter) return true;
  const f = filter as RoomEventFilter;
  if (f.not_types?.some((t) => wildcardMatches(t, event.type))) return false;
  if (f.types && !f.types.some((t) => wildcardMatches(t, event.type))) return false;
  if (f.not_senders?.includes(event.sender)) return false;
  if (f.senders && !f.senders.includes(event.sender)) return false;
  if (event.room_id !== undefined) {
    if (f.not_rooms?.includes(event.room_id)) return false;
    if (f.rooms && !f.rooms.includes(event.room_id)) return false;
  }
  if (f.contains_url !== undefined && hasUrl(event.content) !== f.contains_url) return false;
  const notRel = f['org.matrix.msc3874.not_rel_types'];
  if (notRel) {
    const rt = relType(event.content);
    if (rt && notRel.includes(rt)) return false;
  }
  if (related) {
    if (f.related_by_senders && ![...related.senders].some((s) => f.related_by_senders!.includes(s))) return false;
    if (f.related_by_rel_types && ![...related.relTypes].some((t) => f.related_by_rel_types!.includes(t))) return false;
  }
  return true;
}

/** Parses a filter given inline as JSON (the `filter` query parameter); undefined if it is not JSON. */
export function parseRoomEventFilter(json: string): RoomEventFilter | undefined {
  try {
    const parsed = roomEventFilterSchema().safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
