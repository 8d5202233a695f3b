// The server-default push rules: https://spec.matrix.org/v1.19/client-server-api/#predefined-rules
import type { PushAction, PushRule, PushRuleKind } from './types.js';

const notify = 'notify';
const sound = (value: string): PushAction => ({ set_tweak: 'sound', value });
const highlight: PushAction = { set_tweak: 'highlight' };
const match = (key: string, pattern: string) => ({ kind: 'event_match', key, pattern });
const is = (key: string, value: string | boolean) => ({ kind: 'event_property_is', key, value });
const oneToOne = { kind: 'room_member_count', is: '2' };

function rule(rule_id: string, conditions: PushRule['conditions'], actions: PushAction[], enabled = true): PushRule {
  return { rule_id, default: true, enabled, conditions, actions };
}

/** The predefined rules for `userId` (localpart derived from it), in evaluation order per kind. */
export function defaultPushRules(userId: string): Record<PushRuleKind, PushRule[]> {
  const localpart = userId.slice(1, userId.indexOf(':'));
  return {
    override: [
      rule('.m.rule.master', [], [], false),
      rule('.m.rule.suppress_notices', [match('content.msgtype', 'm.notice')], []),
      rule(
        '.m.rule.invite_for_me',
        [match('type', 'm.room.member'), match('content.membership', 'invite'), match('state_key', userId)],
        [notify, sound('default')],
      ),
      rule('.m.rule.member_event', [match('type', 'm.room.member')], []),
      rule(
        '.m.rule.is_user_mention',
        [{ kind: 'event_property_contains', key: 'content.m\\.mentions.user_ids', value: userId }],
        [notify, sound('default'), highlight],
      ),
      rule('.m.rule.contains_display_name', [{ kind: 'contains_display_name' }], [notify, sound('default'), highlight]),
      rule(
        '.m.rule.is_room_mention',
        [is('content.m\\.mentions.room', true), { kind: 'sender_notification_permission', key: 'room' }],
        [notify, highlight],
      ),
      rule(
        '.m.rule.roomnotif',
        [{ kind: 'sender_notification_permission', key: 'room' }, match('content.body', '@room')],
        [notify, highlight],
      ),
      rule('.m.rule.tombstone', [match('type', 'm.room.tombstone'), match('state_key', '')], [notify, highlight]),
      rule('.m.rule.reaction', [match('type', 'm.reaction')], []),
      rule('.m.rule.room.server_acl', [match('type', 'm.room.server_acl'), match('state_key', '')], []),
      rule('.m.rule.suppress_edits', [is('content.m\\.relates_to.rel_type', 'm.replace')], []),
    ],
    content: [
      { rule_id: '.m.rule.contains_user_name', default: true, enabled: true, pattern: localpart, actions: [notify, sound('default'), highlight] },
    ],
    room: [],
    sender: [],
    underride: [
      rule('.m.rule.call', [match('type', 'm.call.invite')], [notify, sound('ring')]),
      rule('.m.rule.encrypted_room_one_to_one', [oneToOne, match('type', 'm.room.encrypted')], [notify, sound('default')]),
      rule('.m.rule.room_one_to_one', [oneToOne, match('type', 'm.room.message')], [notify, sound('default')]),
      rule('.m.rule.message', [match('type', 'm.room.message')], [notify]),
      rule('.m.rule.encrypted', [match('type', 'm.room.encrypted')], [notify]),
      rule('.m.rule.poll_start_one_to_one', [oneToOne, match('type', 'org.matrix.msc3381.poll.start')], [notify, sound('default')]),
      rule('.m.rule.poll_start', [match('type', 'org.matrix.msc3381.poll.start')], [notify]),
      rule('.m.rule.poll_end_one_to_one', [oneToOne, match('type', 'org.matrix.msc3381.poll.end')], [notify, sound('default')]),
      rule('.m.rule.poll_end', [match('type', 'org.matrix.msc3381.poll.end')], [notify]),
    ],
  };
}
