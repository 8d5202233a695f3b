// https://spec.matrix.org/v1.19/client-server-api/#push-rules
export type PushRuleKind = 'override' | 'content' | 'room' | 'sender' | 'underride';
export const PUSH_RULE_KINDS: readonly PushRuleKind[] = ['override', 'content', 'room', 'sender', 'underride'];

export type Tweak = { set_tweak: string; value?: unknown };
export type PushAction = string | Tweak;

export type PushCondition =
  | { kind: 'event_match'; key: string; pattern: string }
  | { kind: 'event_property_is'; key: string; value: string | number | boolean | null }
  | { kind: 'event_property_contains'; key: string; value: string | number | boolean | null }
  | { kind: 'contains_display_name' }
  | { kind: 'room_member_count'; is: string }
  | { kind: 'sender_notification_permission'; key: string }
  | { kind: string; [k: string]: unknown };

export interface PushRule {
  rule_id: string;
  default: boolean;
  enabled: boolean;
  actions: PushAction[];
  conditions?: PushCondition[];
  /** Content rules only: a glob matched against content.body. */
  pattern?: string;
}

export type PushRuleset = Record<PushRuleKind, PushRule[]>;
