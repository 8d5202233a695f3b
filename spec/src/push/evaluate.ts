// Push rule evaluation: https://spec.matrix.org/v1.19/client-server-api/#push-rules
import { globMatches, globMatchesWords } from './glob.js';
import { PUSH_RULE_KINDS, type PushAction, type PushCondition, type PushRule, type PushRuleset } from './types.js';

export interface PushContext {
  /** The user whose rules are evaluated. */
  userId: string;
  /** Their display name in the room, if any. */
  displayName?: string | null;
  roomMemberCount: number;
  senderPowerLevel: number;
  /** `notifications` of the room's power levels, e.g. `{room: 50}`. */
  notificationPowerLevels: Record<string, number>;
}

type Json = unknown;

/** Splits a dotted key into its parts; `\.` is a literal dot and `\\` a literal backslash. */
export function splitKey(key: string): string[] {
  const parts: string[] = [];
  let cur = '';
  for (let i = 0; i < key.length; i++) {
    const ch = key[i];
    if (ch === '\\' && (key[i + 1] === '.' || key[i + 1] === '\\')) {
      cur += key[++i];
    } else if (ch === '.') {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

/** Parts of the keys seen so far: the same few keys are read for every event and member. */
const keyParts = new Map<string, readonly string[]>();

function partsOf(key: string): readonly string[] {
  let parts = keyParts.get(key);
  if (!parts) {
    if (keyParts.size >= 10_000) keyParts.clear();
    keyParts.set(key, (parts = splitKey(key)));
  }
  return parts;
}

export function valueAt(event: Json, key: string): Json {
  let cur: Json = event;
  for (const part of partsOf(key)) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
    cur = (cur as Record<string, Json>)[part];
  }
  return cur;
}

function isScalar(v: Json): boolean {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
}

function memberCountMatches(is: string, count: number): boolean {
  const m = /^(==|<=|>=|<|>)?(\d+)$/.exec(is);
  if (!m) return false;
  const n = Number(m[2]);
  switch (m[1] ?? '==') {
    case '<':
      return count < n;
    case '>':
      return count > n;
    case '<=':
      return count <= n;
    case '>=':
      return count >= n;
    default:
      return count === n;
  }
}

/** The display name as a whole word, case-insensitive; compiled once per name. */
const displayNamePatterns = new Map<string, RegExp>();

function displayNamePattern(name: string): RegExp {
  let re = displayNamePatterns.get(name);
  if (!re) {
    if (displayNamePatterns.size >= 10_000) displayNamePatterns.clear();
    re = new RegExp(`(?:^|[^\\p{L}\\p{N}_])${name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?:[^\\p{L}\\p{N}_]|$)`, 'iu');
    displayNamePatterns.set(name, re);
  }
  return re;
}

export function conditionMatches(condition: PushCondition, event: Json, ctx: PushContext): boolean {
  const c = condition as Record<string, unknown>;
  switch (condition.kind) {
    case 'event_match': {
      const value = valueAt(event, String(c.key));
      if (typeof value !== 'string' || typeof c.pattern !== 'string') return false;
      // content.body is matched by words (as Synapse and the legacy @room rule expect).
      return c.key === 'content.body' ? globMatchesWords(c.pattern, value) : globMatches(c.pattern, value);
    }
    case 'event_property_is': {
      const value = valueAt(event, String(c.key));
      return isScalar(value) && value === c.value;
    }
    case 'event_property_contains': {
      const value = valueAt(event, String(c.key));
      return Array.isArray(value) && value.some((v) => isScalar(v) && v === c.value);
    }
    case 'contains_display_name': {
      const body = valueAt(event, 'content.body');
      const name = ctx.displayName;
      if (typeof body !== 'string' || !name) return false;
      return displayNamePattern(name).test(body);
    }
    case 'room_member_count':
      return typeof c.is === 'string' && memberCountMatches(c.is, ctx.roomMemberCount);
    case 'sender_notification_permission': {
      if (typeof c.key !== 'string') return false;
      const required = ctx.notificationPowerLevels[c.key] ?? 50;
      return ctx.senderPowerLevel >= required;
    }
    default:
      // Unknown condition kinds never match (spec: "unrecognised conditions MUST NOT match").
      return false;
  }
}

function ruleMatches(kind: string, rule: PushRule, event: Json, ctx: PushContext): boolean {
  if (kind === 'content') {
    const body = valueAt(event, 'content.body');
    return typeof rule.pattern === 'string' && typeof body === 'string' && globMatchesWords(rule.pattern, body);
  }
  if (kind === 'room') return valueAt(event, 'room_id') === rule.rule_id;
  if (kind === 'sender') return valueAt(event, 'sender') === rule.rule_id;
  return (rule.conditions ?? []).every((c) => conditionMatches(c, event, ctx));
}

/** The first enabled matching rule in priority order, or null. */
export function findMatchingRule(ruleset: PushRuleset, event: Json, ctx: PushContext): { kind: string; rule: PushRule } | null {
  for (const kind of PUSH_RULE_KINDS) {
    for (const rule of ruleset[kind] ?? []) {
      if (rule.enabled && ruleMatches(kind, rule, event, ctx)) return { kind, rule };
    }
  }
  return null;
}

export interface Notification {
  notify: boolean;
  highlight: boolean;
  actions: PushAction[];
}

/** What the user's rules say about an event: notify and highlight flags and the actions. */
export function evaluatePushRules(ruleset: PushRuleset, event: Json, ctx: PushContext): Notification {
  const match = findMatchingRule(ruleset, event, ctx);
  const actions = match?.rule.actions ?? [];
  return { ...interpretActions(actions), actions };
}

export function interpretActions(actions: PushAction[]): { notify: boolean; highlight: boolean } {
  let notify = false;
  let highlight = false;
  for (const a of actions) {
    if (a === 'notify') notify = true;
    else if (typeof a === 'object' && a.set_tweak === 'highlight') highlight = a.value === undefined ? true : a.value === true;
  }
  return { notify, highlight };
}
