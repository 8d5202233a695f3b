// A user's effective ruleset: their own rules and the server defaults (with their changes to
// enabled/actions), in evaluation order. User rules come before the defaults of their kind,
// except that `.m.rule.master` stays first among the overrides.
import { defaultPushRules } from './default-rules.js';
import { PUSH_RULE_KINDS, type PushAction, type PushRule, type PushRuleKind, type PushRuleset } from './types.js';

export interface DefaultRuleChange {
  enabled?: boolean | null;
  actions?: PushAction[] | null;
}

export function buildRuleset(
  userId: string,
  userRules: Partial<Record<PushRuleKind, PushRule[]>>,
  defaultChanges: ReadonlyMap<string, DefaultRuleChange> = new Map(),
): PushRuleset {
  const defaults = defaultPushRules(userId);
  const out = {} as PushRuleset;
  for (const kind of PUSH_RULE_KINDS) {
    const changed = defaults[kind].map((r) => {
      const c = defaultChanges.get(r.rule_id);
      return { ...r, enabled: c?.enabled ?? r.enabled, actions: c?.actions ?? r.actions };
    });
    const own = userRules[kind] ?? [];
    out[kind] = kind === 'override' ? [changed[0], ...own, ...changed.slice(1)] : [...own, ...changed];
  }
  return out;
}

/** The ruleset in the shape clients expect (no undefined conditions/pattern keys). */
export function rulesetForClient(ruleset: PushRuleset): PushRuleset {
  const out = {} as PushRuleset;
  for (const kind of PUSH_RULE_KINDS) {
    out[kind] = ruleset[kind].map((r) => {
      const rule: PushRule = { rule_id: r.rule_id, default: r.default, enabled: r.enabled, actions: r.actions };
      if (r.conditions !== undefined && kind !== 'content') rule.conditions = r.conditions;
      if (r.pattern !== undefined) rule.pattern = r.pattern;
      return rule;
    });
  }
  return out;
}
