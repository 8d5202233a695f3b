// Relations through matrix-js-sdk: edits, reactions, replies, threads, references, and their
// bundled aggregations in unsigned.m.relations; /relations pagination and recursion; /threads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Direction, Preset } from 'matrix-js-sdk';
import { startTestServer, type TestServer } from '../support/server.js';
import { client as raw } from '../support/http.js';
import { errcodeOf, sdkUser, type RoomTestUser } from '../support/rooms.js';

let hs: TestServer;
let alice: RoomTestUser;
let bob: RoomTestUser;
let carol: RoomTestUser;
let dave: RoomTestUser;
let roomId: string;

const enc = encodeURIComponent;
const v1 = (path: string) => `/_matrix/client/v1/rooms/${enc(roomId)}${path}`;

beforeAll(async () => {
  hs = await startTestServer();
  [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((n) => sdkUser(hs, n)));
  ({ room_id: roomId } = await alice.client.createRoom({ preset: Preset.PublicChat }));
  await bob.client.joinRoom(roomId);
  await carol.client.joinRoom(roomId);
});
afterAll(async () => {
  await hs?.destroy();
});

const edit = (target: string, body: string) => ({
  msgtype: 'm.text',
  body: `* ${body}`,
  'm.new_content': { msgtype: 'm.text', body },
  'm.relates_to': { rel_type: 'm.replace', event_id: target },
});
const inThread = (root: string, body: string) => ({
  msgtype: 'm.text',
  body,
  'm.relates_to': { rel_type: 'm.thread', event_id: root, is_falling_back: true, 'm.in_reply_to': { event_id: root } },
});

describe('relations', () => {
  it('bundles the latest edit by the original sender', async () => {
    const { event_id: original } = await alice.client.sendTextMessage(roomId, 'helo');
    const first = await alice.client.sendMessage(roomId, edit(original, 'hello') as never);
    // An edit by someone else is a relation but never the applied edit.
    await bob.client.sendMessage(roomId, edit(original, 'hijacked') as never);
    const second = await alice.client.sendMessage(roomId, edit(original, 'hello!') as never);

    const ev = await alice.client.fetchRoomEvent(roomId, original);
    expect(ev.content!.body).toBe('helo');
    const replace = (ev.unsigned as any)['m.relations']['m.replace'];
    expect(replace.event_id).toBe(second.event_id);
    expect(replace.content['m.new_content'].body).toBe('hello!');

    // js-sdk keeps the original sender's edits; the server lists every child.
    const { events } = await alice.client.relations(roomId, original, 'm.replace', 'm.room.message');
    expect(events.map((e) => e.getId())).toEqual([second.event_id, first.event_id]);
    const all = await raw(hs.url, alice.accessToken).get(v1(`/relations/${enc(original)}/m.replace`));
    expect(all.body.chunk).toHaveLength(3);

    // The bundle appears on /messages and /context too.
    const page = await alice.client.createMessagesRequest(roomId, null, 10, Direction.Backward);
    expect((page.chunk.find((e) => e.event_id === original)!.unsigned as any)['m.relations']['m.replace'].event_id).toBe(second.event_id);
    const ctx = await raw(hs.url, alice.accessToken).get(`/_matrix/client/v3/rooms/${enc(roomId)}/context/${enc(original)}?limit=2`);
    expect(ctx.body.event.unsigned['m.relations']['m.replace'].event_id).toBe(second.event_id);
  });

  it('picks the edit with the latest origin_server_ts, not the last one received', async () => {
    const { event_id: original } = await alice.client.sendTextMessage(roomId, 'v0');
    const a = await alice.client.sendMessage(roomId, edit(original, 'v1') as never);
    const b = await alice.client.sendMessage(roomId, edit(original, 'v2') as never);
    // As a remote edit with an older clock would arrive: b received last but stamped earlier.
    const { db } = hs.context;
    const tsA = Number((await db('events').where({ event_id: a.event_id }).first('origin_server_ts')).origin_server_ts);
    await db('events').where({ event_id: b.event_id }).update({ origin_server_ts: tsA - 1000 });
    const ev = await alice.client.fetchRoomEvent(roomId, original);
    expect((ev.unsigned as any)['m.relations']['m.replace'].event_id).toBe(a.event_id);
  });

  it('lists reactions with pagination in both directions', async () => {
    const { event_id: target } = await alice.client.sendTextMessage(roomId, 'react to me');
    const keys = ['👍', '🎉', '❤️', '😀', '🚀'];
    const sent: string[] = [];
    for (const [i, key] of keys.entries()) {
      const who = [alice, bob, carol][i % 3];
      sent.push((await who.client.sendEvent(roomId, 'm.reaction' as never, { 'm.relates_to': { rel_type: 'm.annotation', event_id: target, key } } as never)).event_id);
    }
    const { events } = await bob.client.relations(roomId, target, 'm.annotation', 'm.reaction');
    expect(events.map((e) => e.getId())).toEqual([...sent].reverse());

    const api = raw(hs.url, bob.accessToken);
    const seen: string[] = [];
    let from: string | undefined;
    for (let i = 0; i < 5; i++) {
      const r: { status: number; body: any } = await api.get(v1(`/relations/${enc(target)}/m.annotation?limit=2${from ? `&from=${from}` : ''}`));
      expect(r.status).toBe(200);
      seen.push(...r.body.chunk.map((e: any) => e.event_id));
      from = r.body.next_batch;
      if (!from) break;
    }
    expect(seen).toEqual([...sent].reverse());

    const fwd: string[] = [];
    from = undefined;
    for (let i = 0; i < 5; i++) {
      const r: { body: any } = await api.get(v1(`/relations/${enc(target)}?dir=f&limit=2${from ? `&from=${from}` : ''}`));
      fwd.push(...r.body.chunk.map((e: any) => e.event_id));
      from = r.body.next_batch;
      if (!from) break;
    }
    expect(fwd).toEqual(sent);
    // Filtering by event type, and a relation type with no children.
    expect((await api.get(v1(`/relations/${enc(target)}/m.annotation/m.room.message`))).body.chunk).toEqual([]);
    expect((await api.get(v1(`/relations/${enc(target)}/m.thread`))).body.chunk).toEqual([]);
  });

  it('summarises threads and lists thread roots', async () => {
    const { event_id: root } = await alice.client.sendTextMessage(roomId, 'thread root');
    await alice.client.sendMessage(roomId, inThread(root, 'one') as never);
    await bob.client.sendMessage(roomId, inThread(root, 'two') as never);
    const last = await alice.client.sendMessage(roomId, inThread(root, 'three') as never);
    const { event_id: other } = await carol.client.sendTextMessage(roomId, 'second root');
    await carol.client.sendMessage(roomId, inThread(other, 'carol talks alone') as never);

    const forBob = await bob.client.fetchRoomEvent(roomId, root);
    const thread = (forBob.unsigned as any)['m.relations']['m.thread'];
    expect(thread.count).toBe(3);
    expect(thread.latest_event.event_id).toBe(last.event_id);
    expect(thread.latest_event.content.body).toBe('three');
    expect(thread.current_user_participated).toBe(true);
    const forCarol = await carol.client.fetchRoomEvent(roomId, root);
    expect((forCarol.unsigned as any)['m.relations']['m.thread'].current_user_participated).toBe(false);

    const api = raw(hs.url, carol.accessToken);
    const all = await api.get(v1('/threads'));
    expect(all.body.chunk.map((e: any) => e.event_id)).toEqual([other, root]);
    expect(all.body.chunk[1].unsigned['m.relations']['m.thread'].count).toBe(3);
    const mine = await api.get(v1('/threads?include=participated'));
    expect(mine.body.chunk.map((e: any) => e.event_id)).toEqual([other]);
    const p1 = await api.get(v1('/threads?limit=1'));
    expect(p1.body.chunk.map((e: any) => e.event_id)).toEqual([other]);
    const p2 = await api.get(v1(`/threads?limit=1&from=${p1.body.next_batch}`));
    expect(p2.body.chunk.map((e: any) => e.event_id)).toEqual([root]);
    expect(p2.body.next_batch).toBeUndefined();

    // The query js-sdk's thread list sends (with dir) is accepted.
    const sdkStyle = await api.get(v1('/threads?limit=10&dir=b&include=all'));
    expect(sdkStyle.body.chunk.map((e: any) => e.event_id)).toContain(root);

    // A reply in the thread that is edited: recursion finds the edit two levels down.
    const direct = await api.get(v1(`/relations/${enc(root)}`));
    expect(direct.body.chunk).toHaveLength(3);
    expect(direct.body.recursion_depth).toBeUndefined();
    const editOfReply = await alice.client.sendMessage(roomId, edit(last.event_id, 'three!') as never);
    const deep = await api.get(v1(`/relations/${enc(root)}?recurse=true`));
    expect(deep.body.chunk.map((e: any) => e.event_id)).toContain(editOfReply.event_id);
    expect(deep.body.recursion_depth).toBe(2);
    const shallow = await api.get(v1(`/relations/${enc(root)}?recurse=false`));
    expect(shallow.body.chunk.map((e: any) => e.event_id)).not.toContain(editOfReply.event_id);
  });

  it('bundles references and passes replies through', async () => {
    const { event_id: target } = await alice.client.sendTextMessage(roomId, 'see below');
    const ref = await bob.client.sendEvent(roomId, 'org.example.ref' as never, { 'm.relates_to': { rel_type: 'm.reference', event_id: target } } as never);
    const reply = await bob.client.sendMessage(roomId, { msgtype: 'm.text', body: '> see below\n\nok', 'm.relates_to': { 'm.in_reply_to': { event_id: target } } } as never);
    const ev = await alice.client.fetchRoomEvent(roomId, target);
    expect((ev.unsigned as any)['m.relations']['m.reference']).toEqual({ chunk: [{ event_id: ref.event_id }] });
    const got = await alice.client.fetchRoomEvent(roomId, reply.event_id);
    expect(got.content!['m.relates_to']).toEqual({ 'm.in_reply_to': { event_id: target } });
  });

  it('refuses non-members and unknown parents', async () => {
    const { event_id } = await alice.client.sendTextMessage(roomId, 'members only');
    const { room_id: priv } = await alice.client.createRoom({ preset: Preset.PrivateChat });
    const { event_id: privEvent } = await alice.client.sendTextMessage(priv, 'secret');
    const out = raw(hs.url, dave.accessToken);
    const r = await out.get(`/_matrix/client/v1/rooms/${enc(priv)}/relations/${enc(privEvent)}`);
    expect([r.status, r.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    const t = await out.get(`/_matrix/client/v1/rooms/${enc(priv)}/threads`);
    expect([t.status, t.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    expect(await errcodeOf(alice.client.relations(roomId, '$nope:localhost', null))).toBe('M_NOT_FOUND');
    const wrongRoom = await raw(hs.url, alice.accessToken).get(`/_matrix/client/v1/rooms/${enc(priv)}/relations/${enc(event_id)}`);
    expect(wrongRoom.body.errcode).toBe('M_NOT_FOUND');
    const badToken = await raw(hs.url, alice.accessToken).get(v1(`/relations/${enc(event_id)}?from=nonsense`));
    expect(badToken.body.errcode).toBe('M_INVALID_PARAM');
  });
});
