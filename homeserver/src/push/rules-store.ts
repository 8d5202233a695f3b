// Each user's push rules: their own rules and their changes to the server defaults, with the
// CRUD of https://spec.matrix.org/v1.19/client-server-api/#push-rules-api
import type { Knex } from 'knex';
import {
  Errors,
  MatrixError,
  buildRuleset,
  rulesetForClient,
  type DefaultRuleChange,
  type PushAction,
  type PushCondition,
  type PushRule,
  type PushRuleKind,
  type PushRuleset,
} from '@parley/spec';
import type { EventBus } from '../bus/bus.js';
import { CHANNEL, type UserMessage } from '../sync/channels.js';
import { advanceStream } from '../sync/streams.js';

interface RuleRow {
  kind: PushRuleKind;
  rule_id: string;
  priority: number;
  conditions: PushCondition[] | null;
  pattern: string | null;
  actions: PushAction[];
  enabled: boolean;
}

export class PushRulesStore {
  private readonly cache = new Map<string, PushRuleset>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Knex,
    private readonly bus: EventBus,
  ) {
    this.unsubscribe = bus.subscribe(CHANNEL.pushRules, (m) => this.cache.delete((m as UserMessage).userId));
  }

  async ruleset(userId: string): Promise<PushRuleset> {
    const cached = this.cache.get(userId);
    if (cached) return cached;
    const [rows, changes] = await Promise.all([
      this.db('push_rules').where({ user_id: userId }).orderBy('priority', 'desc').select<RuleRow[]>(),
      this.db('push_rule_overrides').where({ user_id: userId }).select(),
    ]);
    const own: Partial<Record<PushRuleKind, PushRule[]>> = {};
    for (const r of rows) {
      const rule: PushRule = { rule_id: r.rule_id, default: false, enabled: r.enabled, actions: r.actions };
      if (r.conditions) rule.conditions = r.conditions;
      if (r.pattern !== null) rule.pattern = r.pattern;
      (own[r.kind] ??= []).push(rule);
    }
    const defaults = new Map<string, DefaultRuleChange>(changes.map((c) => [c.rule_id, { enabled: c.enabled, actions: c.actions }]));
    const ruleset = buildRuleset(userId, own, defaults);
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(userId, ruleset);
    return ruleset;
  }

  async forClient(userId: string): Promise<PushRuleset> {
    return rulesetForClient(await this.ruleset(userId));
  }

  async rule(userId: string, kind: PushRuleKind, ruleId: string): Promise<PushRule> {
    const rule = (await this.forClient(userId))[kind].find((r) => r.rule_id === ruleId);
    if (!rule) throw Errors.notFound('Unknown push rule');
    return rule;
  }

  async put(
    userId: string,
    kind: PushRuleKind,
    ruleId: string,
    body: { actions: PushAction[]; conditions?: PushCondition[]; pattern?: string },
    position: { before?: string; after?: string },
  ): Promise<void> {
    if (ruleId.startsWith('.')) {
      // Server-default rules cannot be replaced; only their actions or enabled flag change.
      throw new MatrixError(400, 'M_INVALID_PARAM', 'Cannot create a rule whose id starts with "."');
    }
    if (kind === 'content' && body.pattern === undefined) throw Errors.missingParam('Content rules need a pattern');
    if ((kind === 'override' || kind === 'underride') && body.conditions === undefined) body = { ...body, conditions: [] };
    validateActions(body.actions);
    await this.change(userId, async (trx) => {
      const siblings: Array<{ rule_id: string; priority: number }> = await trx('push_rules')
        .where({ user_id: userId, kind })
        .whereNot({ rule_id: ruleId })
        .orderBy('priority', 'desc')
        .select('rule_id', 'priority');
      const priority = placeRule(siblings, position);
      await trx('push_rules')
        .insert({
          user_id: userId,
          kind,
          rule_id: ruleId,
          priority,
          conditions: kind === 'override' || kind === 'underride' ? JSON.stringify(body.conditions) : null,
          pattern: kind === 'content' ? body.pattern : null,
          actions: JSON.stringify(body.actions),
          enabled: true,
        })
        .onConflict(['user_id', 'kind', 'rule_id'])
        .merge(['priority', 'conditions', 'pattern', 'actions']);
    });
  }

  async delete(userId: string, kind: PushRuleKind, ruleId: string): Promise<void> {
    await this.change(userId, async (trx) => {
      const n = await trx('push_rules').where({ user_id: userId, kind, rule_id: ruleId }).delete();
      if (n === 0) throw Errors.notFound('Unknown push rule');
    });
  }

  async setEnabled(userId: string, kind: PushRuleKind, ruleId: string, enabled: boolean): Promise<void> {
    await this.rule(userId, kind, ruleId);
    await this.change(userId, async (trx) => {
      if (ruleId.startsWith('.')) {
        await trx('push_rule_overrides').insert({ user_id: userId, rule_id: ruleId, enabled }).onConflict(['user_id', 'rule_id']).merge(['enabled']);
      } else {
        await trx('push_rules').where({ user_id: userId, kind, rule_id: ruleId }).update({ enabled });
      }
    });
  }

  async setActions(userId: string, kind: PushRuleKind, ruleId: string, actions: PushAction[]): Promise<void> {
    validateActions(actions);
    await this.rule(userId, kind, ruleId);
    await this.change(userId, async (trx) => {
      if (ruleId.startsWith('.')) {
        await trx('push_rule_overrides')
          .insert({ user_id: userId, rule_id: ruleId, actions: JSON.stringify(actions) })
          .onConflict(['user_id', 'rule_id'])
          .merge(['actions']);
      } else {
        await trx('push_rules').where({ user_id: userId, kind, rule_id: ruleId }).update({ actions: JSON.stringify(actions) });
      }
    });
  }

  /** Runs a change and moves the user's rules to a new `push_rules` position (sync shows m.push_rules). */
  private async change(userId: string, fn: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
    await this.db.transaction(async (trx) => {
      await fn(trx);
      const streamId = await advanceStream(trx, 'push_rules');
      await trx('push_rules_changes').insert({ user_id: userId, stream_id: streamId }).onConflict('user_id').merge();
    });
    this.cache.delete(userId);
    await this.bus.publish(CHANNEL.pushRules, { userId });
  }

  /** Whether the user's rules changed in (since, upTo]. */
  async changedSince(userId: string, since: number, upTo: number): Promise<boolean> {
    const row = await this.db('push_rules_changes').where({ user_id: userId }).first('stream_id');
    return !!row && row.stream_id > since && row.stream_id <= upTo;
  }

  close(): void {
    this.unsubscribe();
  }
}

function validateActions(actions: PushAction[]): void {
  for (const a of actions) {
    if (typeof a === 'string' && !['notify', 'dont_notify', 'coalesce'].includes(a)) throw Errors.invalidParam(`Unknown action ${a}`);
  }
}

/** A priority that places a rule first, or just before/after a sibling (higher priority = earlier). */
function placeRule(siblings: Array<{ rule_id: string; priority: number }>, position: { before?: string; after?: string }): number {
  const at = (id: string) => {
    const i = siblings.findIndex((s) => s.rule_id === id);
    if (i < 0) throw Errors.notFound(`Unknown rule ${id}`);
    return i;
  };
  if (position.before !== undefined) {
    const i = at(position.before);
    const upper = i === 0 ? siblings[i].priority + 2 : siblings[i - 1].priority;
    return (upper + siblings[i].priority) / 2;
  }
  if (position.after !== undefined) {
    const i = at(position.after);
    const lower = i === siblings.length - 1 ? siblings[i].priority - 2 : siblings[i + 1].priority;
    return (lower + siblings[i].priority) / 2;
  }
  return siblings.length ? siblings[0].priority + 1 : 0;
}
