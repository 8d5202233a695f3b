// Identifier grammar: server names, user IDs, room IDs, room aliases, event IDs, room versions.
// https://spec.matrix.org/v1.19/appendices/#identifier-grammar
import { utf8Length } from './canonical-json.js';
import type { RoomVersion } from './room-versions.js';

export class IdentifierError extends Error {
  override readonly name = 'IdentifierError';
}

/** Users, rooms, aliases and events: at most 255 bytes including sigil and server name. */
export const MAX_ID_BYTES = 255;

// ---------------------------------------------------------------------------------------
// Server names  https://spec.matrix.org/v1.19/appendices/#server-name

export type HostKind = 'ipv4' | 'ipv6' | 'dns';

export interface ServerName {
  /** As written, IPv6 literals keep their brackets. */
  host: string;
  hostKind: HostKind;
  /** 1–5 digits per the grammar; may exceed 65535 (not a usable TCP port). */
  port?: number;
}

const DNS_NAME = /^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*$/; // no empty labels (as Synapse)
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
const PORT = /^\d{1,5}$/;

export function isIPv4Literal(s: string): boolean {
  const m = IPV4.exec(s);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

/** IPv6 text forms of RFC 3513 §2.2 (without brackets), including a trailing dotted IPv4 part. */
export function isIPv6Literal(s: string): boolean {
  if (s.length < 2 || s.length > 45) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (part: string): string[] | undefined => (part === '' ? [] : part.split(':'));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (head === undefined || tail === undefined) return false;
  const groups = [...head, ...tail];
  let units = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    if (i === groups.length - 1 && g.includes('.')) {
      if (!isIPv4Literal(g)) return false;
      units += 2;
    } else if (HEX_GROUP.test(g)) units += 1;
    else return false;
  }
  return halves.length === 2 ? units <= 7 : units === 8;
}

export function parseServerName(s: string): ServerName | undefined {
  let host: string;
  let rest: string;
  let hostKind: HostKind;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || !isIPv6Literal(s.slice(1, close))) return undefined;
    host = s.slice(0, close + 1);
    rest = s.slice(close + 1);
    hostKind = 'ipv6';
  } else {
    const colon = s.indexOf(':');
    host = colon < 0 ? s : s.slice(0, colon);
    rest = colon < 0 ? '' : s.slice(colon);
    if (host.length === 0 || host.length > 255 || !DNS_NAME.test(host)) return undefined;
    // Shaped like IPv4 but with an octet above 255: still a grammatical dns-name (Synapse's reading).
    hostKind = isIPv4Literal(host) ? 'ipv4' : 'dns';
  }
  if (rest === '') return { host, hostKind };
  if (rest[0] !== ':' || !PORT.test(rest.slice(1))) return undefined;
  return { host, hostKind, port: Number(rest.slice(1)) };
}

export function isValidServerName(s: string): boolean {
  return parseServerName(s) !== undefined;
}

// ---------------------------------------------------------------------------------------
// Sigilled identifiers  `<sigil><localpart>:<server_name>`, split at the first colon.

/** Any code point except NUL and ":", and no lone surrogates. */
function isOpaqueLocalpart(s: string): boolean {
  if (s.includes('\u0000') || s.includes(':')) return false;
  return (s as unknown as { isWellFormed(): boolean }).isWellFormed();
}

interface SigilParts {
  localpart: string;
  serverName: string;
}

function splitSigilled(s: string, sigil: string): SigilParts | undefined {
  if (typeof s !== 'string' || s[0] !== sigil || utf8Length(s) > MAX_ID_BYTES) return undefined;
  const colon = s.indexOf(':');
  if (colon < 0) return undefined;
  const serverName = s.slice(colon + 1);
  if (!isValidServerName(serverName)) return undefined;
  return { localpart: s.slice(1, colon), serverName };
}

// ---------------------------------------------------------------------------------------
// User IDs  https://spec.matrix.org/v1.19/appendices/#user-identifiers

/**
 * `strict`: the current grammar (may be generated). `historical`: printable ASCII except ":"
 * (https://spec.matrix.org/v1.19/appendices/#historical-user-ids), must be accepted.
 * `non_compliant`: empty or other characters; MUST still be accepted in events over federation.
 */
export type UserIdGrammar = 'strict' | 'historical' | 'non_compliant';

export interface UserId {
  localpart: string;
  serverName: string;
  grammar: UserIdGrammar;
}

const STRICT_LOCALPART = /^[a-z0-9._=\-/+]+$/;
const HISTORICAL_LOCALPART = /^[\x21-\x39\x3b-\x7e]+$/;
const GRAMMAR_RANK: Record<UserIdGrammar, number> = { strict: 0, historical: 1, non_compliant: 2 };

export function parseUserId(s: string): UserId | undefined {
  const parts = splitSigilled(s, '@');
  if (parts === undefined || !isOpaqueLocalpart(parts.localpart)) return undefined;
  const grammar: UserIdGrammar = STRICT_LOCALPART.test(parts.localpart)
    ? 'strict'
    : HISTORICAL_LOCALPART.test(parts.localpart)
      ? 'historical'
      : 'non_compliant';
  return { ...parts, grammar };
}

/** `accept` is the loosest grammar allowed: `historical` for clients, `non_compliant` in events. */
export function isValidUserId(s: string, accept: UserIdGrammar = 'historical'): boolean {
  const id = parseUserId(s);
  return id !== undefined && GRAMMAR_RANK[id.grammar] <= GRAMMAR_RANK[accept];
}

export function isValidUserLocalpart(localpart: string): boolean {
  return STRICT_LOCALPART.test(localpart);
}

/** Server name of a user, room (v1–11), alias or event (v1–2) ID; `undefined` if there is none. */
export function serverNameOf(id: string): string | undefined {
  const colon = typeof id === 'string' ? id.indexOf(':') : -1;
  return colon < 0 ? undefined : id.slice(colon + 1);
}

// ---------------------------------------------------------------------------------------
// Room IDs  https://spec.matrix.org/v1.19/appendices/#room-ids

export interface RoomId {
  localpart: string;
  /** Absent in v12 room IDs, which are `!` + the create event's reference hash. */
  serverName?: string;
}

const URL_SAFE_HASH = /^[A-Za-z0-9_-]{43}$/;
const STANDARD_HASH = /^[A-Za-z0-9+/]{43}$/;

export function parseRoomId(s: string): RoomId | undefined {
  if (typeof s !== 'string' || s[0] !== '!' || utf8Length(s) > MAX_ID_BYTES) return undefined;
  if (!s.includes(':')) {
    const localpart = s.slice(1);
    return localpart !== '' && isOpaqueLocalpart(localpart) ? { localpart } : undefined;
  }
  const parts = splitSigilled(s, '!');
  return parts !== undefined && isOpaqueLocalpart(parts.localpart) ? parts : undefined;
}

export function isValidRoomId(s: string): boolean {
  return parseRoomId(s) !== undefined;
}

/** v1–11: `!opaque:server`; v12: `!` + 43 characters of URL-safe unpadded base64. */
export function isValidRoomIdForVersion(s: string, roomVersion: RoomVersion): boolean {
  const id = parseRoomId(s);
  if (id === undefined) return false;
  return roomVersion.roomIdIsCreateEventHash
    ? id.serverName === undefined && URL_SAFE_HASH.test(id.localpart)
    : id.serverName !== undefined;
}

// ---------------------------------------------------------------------------------------
// Room aliases  https://spec.matrix.org/v1.19/appendices/#room-aliases

export function parseRoomAlias(s: string): SigilParts | undefined {
  const parts = splitSigilled(s, '#');
  return parts !== undefined && isOpaqueLocalpart(parts.localpart) ? parts : undefined;
}

export function isValidRoomAlias(s: string): boolean {
  return parseRoomAlias(s) !== undefined;
}

// ---------------------------------------------------------------------------------------
// Event IDs  https://spec.matrix.org/v1.19/appendices/#event-ids

export interface EventId {
  /** `domain`: `$opaque:server` (v1–2); otherwise a reference hash (v3 `base64`, v4+ `url_safe_base64`). */
  formats: Array<'domain' | 'base64' | 'url_safe_base64'>;
  serverName?: string;
}

/** The formats an event ID fits (a hash with neither `+/` nor `-_` fits both hash formats). */
export function parseEventId(s: string): EventId | undefined {
  if (typeof s !== 'string' || s[0] !== '$' || utf8Length(s) > MAX_ID_BYTES) return undefined;
  if (s.includes(':')) {
    const parts = splitSigilled(s, '$');
    if (parts === undefined || !isOpaqueLocalpart(parts.localpart)) return undefined;
    return { formats: ['domain'], serverName: parts.serverName };
  }
  const hash = s.slice(1);
  const formats: EventId['formats'] = [];
  if (STANDARD_HASH.test(hash)) formats.push('base64');
  if (URL_SAFE_HASH.test(hash)) formats.push('url_safe_base64');
  return formats.length > 0 ? { formats } : undefined;
}

export function isValidEventIdForVersion(s: string, roomVersion: RoomVersion): boolean {
  return parseEventId(s)?.formats.includes(roomVersion.eventIdFormat) ?? false;
}

// ---------------------------------------------------------------------------------------
// Room version strings  https://spec.matrix.org/v1.19/rooms/#room-version-grammar

const ROOM_VERSION = /^[a-z0-9.-]{1,32}$/;

export function isValidRoomVersionString(s: string): boolean {
  return typeof s === 'string' && ROOM_VERSION.test(s);
}

// ---------------------------------------------------------------------------------------
// Namespaced and opaque identifiers
// https://spec.matrix.org/v1.19/appendices/#common-namespaced-identifier-grammar
// https://spec.matrix.org/v1.19/appendices/#opaque-identifiers

const NAMESPACED = /^[a-z][a-z0-9_.-]{0,254}$/;
const OPAQUE = /^[0-9A-Za-z._~-]{1,255}$/;

export function isValidNamespacedIdentifier(s: string): boolean {
  return typeof s === 'string' && NAMESPACED.test(s);
}

export function isValidOpaqueIdentifier(s: string): boolean {
  return typeof s === 'string' && OPAQUE.test(s);
}

// ---------------------------------------------------------------------------------------
// Dot-separated property paths  https://spec.matrix.org/v1.19/appendices/#dot-separated-property-paths

export function encodeDotSeparatedPath(path: readonly string[]): string {
  return path.map((part) => part.replace(/[\\.]/g, (c) => '\\' + c)).join('.');
}

export function splitDotSeparatedPath(encoded: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < encoded.length; i++) {
    const c = encoded[i];
    if (c === '\\' && i + 1 < encoded.length) current += encoded[++i];
    else if (c === '.') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  return parts;
}

// ---------------------------------------------------------------------------------------
// 3PIDs  https://spec.matrix.org/v1.19/appendices/#3pid-types

/** Email addresses compare caselessly; this folds case (including `ß` → `ss`). */
export function normaliseEmailAddress(address: string): string {
  return address.toUpperCase().toLowerCase();
}

// ---------------------------------------------------------------------------------------
// matrix: and matrix.to URIs  https://spec.matrix.org/v1.19/appendices/#uris

export interface MatrixLink {
  /** `#alias:server`, `!room:server` or `@user:server`. */
  id: string;
  /** An event within the room. */
  eventId?: string;
  via: string[];
  action?: string;
}

const URI_SIGILS: Record<string, string> = { r: '#', roomid: '!', u: '@', e: '$' };

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

function queryOf(query: string): Pick<MatrixLink, 'via' | 'action'> {
  const params = new URLSearchParams(query);
  const action = params.get('action');
  return { via: params.getAll('via'), ...(action !== null ? { action } : {}) };
}

/** Parses `matrix:r/alias:server`, `matrix:roomid/x:server/e/event?via=...`, `matrix:u/user:server?action=chat`. */
export function parseMatrixUri(uri: string): MatrixLink | undefined {
  if (!uri.startsWith('matrix:')) return undefined;
  let rest = uri.slice('matrix:'.length);
  const q = rest.indexOf('?');
  const query = q < 0 ? '' : rest.slice(q + 1);
  rest = (q < 0 ? rest : rest.slice(0, q)).split('#')[0];
  if (rest.startsWith('//')) {
    const slash = rest.indexOf('/', 2); // the authority is not used
    rest = slash < 0 ? '' : rest.slice(slash + 1);
  }
  const segments = rest.split('/').map(safeDecode);
  if (segments.some((s) => s === undefined || s === '')) return undefined;
  const [kind, body, eventKind, eventBody] = segments as string[];
  const sigil = URI_SIGILS[kind];
  if (sigil === undefined || sigil === '$' || body === undefined) return undefined;
  const link: MatrixLink = { id: sigil + body, ...queryOf(query) };
  if (segments.length === 4 && sigil === '!' && eventKind === 'e') link.eventId = '$' + eventBody;
  else if (segments.length !== 2) return undefined;
  return link;
}

/** Parses `https://matrix.to/#/<id>[/<event id>][?via=...]` (identifiers may be percent-encoded). */
export function parseMatrixToLink(url: string): MatrixLink | undefined {
  const prefix = 'https://matrix.to/#/';
  if (!url.startsWith(prefix)) return undefined;
  const rest = url.slice(prefix.length);
  const q = rest.indexOf('?');
  const segments = (q < 0 ? rest : rest.slice(0, q)).split('/').map(safeDecode);
  if (segments.length > 2 || segments.some((s) => s === undefined || s === '')) return undefined;
  const [id, eventId] = segments as string[];
  if (!'#!@'.includes(id[0]) || (eventId !== undefined && eventId[0] !== '$')) return undefined;
  return { id, ...(eventId !== undefined ? { eventId } : {}), ...queryOf(q < 0 ? '' : rest.slice(q + 1)) };
}

export function buildMatrixUri(link: MatrixLink): string {
  const kind = { '#': 'r', '!': 'roomid', '@': 'u' }[link.id[0]];
  if (kind === undefined) throw new IdentifierError(`not a linkable identifier: ${link.id}`);
  const encode = (s: string): string => encodeURIComponent(s).replace(/%3A/gi, ':');
  let uri = `matrix:${kind}/${encode(link.id.slice(1))}`;
  if (link.eventId !== undefined) uri += `/e/${encode(link.eventId.slice(1))}`;
  const query = [...link.via.map((v) => `via=${encodeURIComponent(v)}`), ...(link.action ? [`action=${encodeURIComponent(link.action)}`] : [])];
  return query.length > 0 ? `${uri}?${query.join('&')}` : uri;
}
