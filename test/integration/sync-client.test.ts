// /sync through matrix-js-sdk: two users in two clients see each other's messages, typing,
// receipts and presence; an incremental sync continues from an old token after a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Preset } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';
import { sdkUser, type RoomTestUser } from '../support/rooms.js';
import { client as raw } from '../support/http.js';
import { startSyncing, timelineBodies, waitFor } from '../support/sync.js';

let hs: TestServer;
let alice: RoomTestUser;
let bob: RoomTestUser;
let roomId: string;

beforeAll(async () => {
  hs = await startTestServer();
  alice = await sdkUser(hs, 'alice', { displayname: 'Alice' });
  bob = await sdkUser(hs, 'bob', { displayname: 'Bob' });
  ({ room_id: roomId } = await alice.client.createRoom({ preset: Preset.PrivateChat, name: 'Chat', invite: [bob.userId] }));
  await startSyncing(alice.client);
  await startSyncing(bob.client);
});
afterAll(async () => {
  alice?.client.stopClient();
  bob?.client.stopClient();
  await hs?.destroy();
});

describe('sync with matrix-js-sdk', () => {
  it('delivers an invite, then messages both ways', async () => {
    await waitFor(bob.client, () => bob.client.getRoom(roomId)?.getMyMembership() === 'invite', 10_000, 'invite');
    await bob.client.joinRoom(roomId);
    await waitFor(alice.client, () => alice.client.getRoom(roomId)?.getMember(bob.userId)?.membership === 'join', 10_000, 'bob joined');
    await alice.client.sendTextMessage(roomId, 'hello bob');
    await waitFor(bob.client, () => timelineBodies(bob.client.getRoom(roomId)).includes('hello bob'), 10_000, 'message to bob');
    await bob.client.sendTextMessage(roomId, 'hi alice');
    await waitFor(alice.client, () => timelineBodies(alice.client.getRoom(roomId)).includes('hi alice'), 10_000, 'message to alice');
    expect(bob.client.getRoom(roomId)?.name).toBe('Chat');
    expect(alice.client.getRoom(roomId)?.getJoinedMemberCount()).toBe(2);
  });

  it('shows typing and its end', async () => {
    await alice.client.sendTyping(roomId, true, 20_000);
    await waitFor(bob.client, () => bob.client.getRoom(roomId)?.getMember(alice.userId)?.typing, 10_000, 'typing');
    await alice.client.sendTyping(roomId, false, 0);
    await waitFor(bob.client, () => bob.client.getRoom(roomId)?.getMember(alice.userId)?.typing === false, 10_000, 'typing stopped');
  });

  it('shows read receipts and clears unread counts', async () => {
    const { event_id } = await alice.client.sendTextMessage(roomId, 'read me');
    await waitFor(bob.client, () => bob.client.getRoom(roomId)?.findEventById(event_id), 10_000, 'event');
    const unread = await waitFor(bob.client, () => (bob.client.getRoom(roomId)?.getUnreadNotificationCount() ?? 0) > 0 && true, 10_000, 'unread count');
    expect(unread).toBe(true);
    const event = bob.client.getRoom(roomId)!.findEventById(event_id)!;
    await bob.client.sendReadReceipt(event);
    await waitFor(alice.client, () => alice.client.getRoom(roomId)?.getEventReadUpTo(bob.userId) === event_id, 10_000, 'receipt');
    await waitFor(bob.client, () => bob.client.getRoom(roomId)?.getUnreadNotificationCount() === 0, 10_000, 'unread cleared');
  });

  it('shows presence of users sharing a room', async () => {
    await alice.client.setPresence({ presence: 'unavailable', status_msg: 'lunch' });
    await waitFor(bob.client, () => bob.client.getUser(alice.userId)?.presenceStatusMsg === 'lunch', 10_000, 'presence');
    expect(bob.client.getUser(alice.userId)?.presence).toBe('unavailable');
    const res = await raw(hs.url, bob.accessToken).get(`/_matrix/client/v3/presence/${encodeURIComponent(alice.userId)}/status`);
    expect(res.body).toMatchObject({ presence: 'unavailable', status_msg: 'lunch' });
  });

  it('sends push rules in account data and applies changes', async () => {
    await waitFor(alice.client, () => alice.client.pushRules?.global?.override?.some((r) => r.rule_id === '.m.rule.master'), 10_000, 'push rules');
    await alice.client.setPushRuleEnabled('global', 'override' as never, '.m.rule.master', true);
    await waitFor(alice.client, () => alice.client.pushRules?.global?.override?.find((r) => r.rule_id === '.m.rule.master')?.enabled, 10_000, 'master enabled');
    await alice.client.setPushRuleEnabled('global', 'override' as never, '.m.rule.master', false);
  });

  it('delivers account data, room tags and the fully-read marker', async () => {
    await alice.client.setAccountData('org.example.settings' as never, { theme: 'dark' } as never);
    await waitFor(alice.client, () => alice.client.getAccountData('org.example.settings' as never)?.getContent().theme === 'dark', 10_000, 'account data');
    await alice.client.setRoomTag(roomId, 'm.favourite', { order: 0.5 });
    await waitFor(alice.client, () => alice.client.getRoom(roomId)?.tags['m.favourite']?.order === 0.5, 10_000, 'tag');
    const event = alice.client.getRoom(roomId)!.getLiveTimeline().getEvents().at(-1)!;
    await alice.client.setRoomReadMarkers(roomId, event.getId()!);
    await waitFor(alice.client, () => alice.client.getRoom(roomId)?.getAccountData('m.fully_read')?.getContent().event_id === event.getId(), 10_000, 'fully read');
    // Bob sees none of it.
    expect(bob.client.getAccountData('org.example.settings' as never)).toBeUndefined();
    expect(bob.client.getRoom(roomId)?.tags['m.favourite']).toBeUndefined();
  });

  it('continues an incremental sync from an old token after a restart', async () => {
    const api = raw(hs.url, bob.accessToken);
    const first = await api.get('/_matrix/client/v3/sync?timeout=0');
    const token = first.body.next_batch as string;
    alice.client.stopClient();
    bob.client.stopClient();
    hs = await hs.restart();
    const aliceApi = raw(hs.url, alice.accessToken);
    await aliceApi.put(`/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/after-restart`, { msgtype: 'm.text', body: 'after restart' });
    const next = await raw(hs.url, bob.accessToken).get(`/_matrix/client/v3/sync?since=${token}&timeout=5000`);
    expect(next.status).toBe(200);
    const events = next.body.rooms.join[roomId].timeline.events;
    expect(events.map((e: any) => e.content.body)).toEqual(['after restart']);
    expect(next.body.rooms.join[roomId].timeline.limited).toBe(false);
  });
});
