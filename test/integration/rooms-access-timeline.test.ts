// Who may read what on the timeline and state read paths: /messages, /context, /event, /state,
// /members and /joined_members, for non-members and for a member who came and went, under each
// history visibility.
// https://spec.matrix.org/v1.19/client-server-api/#history-visibility
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { client } from '../support/http.js';
import { registerUser, type TestUser } from '../support/users.js';

let hs: TestServer;
let alice: TestUser;
let bob: TestUser;
let mallory: TestUser;
const enc = encodeURIComponent;
const api = (u: TestUser) => client(hs.url, u.accessToken);

beforeAll(async () => {
  hs = await startTestServer();
  [alice, bob, mallory] = await Promise.all(['alice', 'bob', 'mallory'].map((n) => registerUser(hs, n)));
});
afterAll(async () => {
  await hs?.destroy();
});

type Visibility = 'joined' | 'invited' | 'shared' | 'world_readable';

/**
 * A room with the given visibility where bob is invited, joins and leaves:
 * pre (before the invite), invited (between invite and join), during, post (after he left),
 * and a name change after he left.
 */
async function history(visibility: Visibility) {
  const a = api(alice);
  const created = await a.post('/_matrix/client/v3/createRoom', {
    preset: 'public_chat',
    name: 'before',
    initial_state: [{ type: 'm.room.history_visibility', state_key: '', content: { history_visibility: visibility } }],
  });
  expect(created.status).toBe(200);
  const roomId: string = created.body.room_id;
  let n = 0;
  const say = async (body: string) => (await a.put(`/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/${visibility}-${n++}`, { msgtype: 'm.text', body })).body.event_id as string;
  const ids: Record<string, string> = {};
  ids.pre = await say('pre');
  expect((await a.post(`/_matrix/client/v3/rooms/${enc(roomId)}/invite`, { user_id: bob.userId })).status).toBe(200);
  ids.invited = await say('invited');
  expect((await api(bob).post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {})).status).toBe(200);
  ids.during = await say('during');
  expect((await api(bob).post(`/_matrix/client/v3/rooms/${enc(roomId)}/leave`, {})).status).toBe(200);
  ids.post = await say('post');
  expect((await a.put(`/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.name/`, { name: 'after' })).status).toBe(200);
  return { roomId, ids };
}

/** Message bodies `user` reads with /messages, walking the whole timeline back. */
async function readMessages(user: TestUser, roomId: string): Promise<{ status: number; errcode?: string; bodies: string[]; members: string[] }> {
  const bodies: string[] = [];
  const members: string[] = [];
  let from: string | undefined;
  for (;;) {
    const page = await api(user).get(`/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=3${from ? `&from=${enc(from)}` : ''}`);
    if (page.status !== 200) return { status: page.status, errcode: page.body.errcode, bodies, members };
    for (const e of page.body.chunk) {
      if (e.type === 'm.room.message') bodies.push(e.content.body);
      if (e.type === 'm.room.member') members.push(`${e.state_key}:${e.content.membership}`);
    }
    if (!page.body.end || page.body.chunk.length === 0) break;
    from = page.body.end;
  }
  return { status: 200, bodies: bodies.reverse(), members: members.reverse() };
}

const VISIBLE_TO_BOB: Record<Visibility, string[]> = {
  joined: ['during'],
  invited: ['invited', 'during'],
  shared: ['pre', 'invited', 'during'],
  world_readable: ['pre', 'invited', 'during', 'post'],
};

describe.each(['joined', 'invited', 'shared', 'world_readable'] as Visibility[])('history visibility %s', (visibility) => {
  let roomId: string;
  let ids: Record<string, string>;
  beforeAll(async () => {
    ({ roomId, ids } = await history(visibility));
  });

  it('gives a member who left exactly the messages the spec allows, on /messages, /event and /context', async () => {
    const read = await readMessages(bob, roomId);
    expect(read.status).toBe(200);
    expect(read.bodies).toEqual(VISIBLE_TO_BOB[visibility]);
    // His own membership events are always his to see.
    expect(read.members).toEqual(expect.arrayContaining([`${bob.userId}:invite`, `${bob.userId}:join`, `${bob.userId}:leave`]));

    for (const [label, eventId] of Object.entries(ids)) {
      const visible = VISIBLE_TO_BOB[visibility].includes(label);
      const event = await api(bob).get(`/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(eventId)}`);
      expect([label, event.status, event.body.errcode]).toEqual(visible ? [label, 200, undefined] : [label, 404, 'M_NOT_FOUND']);
      const context = await api(bob).get(`/_matrix/client/v3/rooms/${enc(roomId)}/context/${enc(eventId)}?limit=10`);
      expect([label, context.status]).toEqual([label, visible ? 200 : 404]);
      if (visible) {
        const around = [...context.body.events_before, ...context.body.events_after].filter((e: any) => e.type === 'm.room.message').map((e: any) => e.content.body);
        for (const body of around) expect(VISIBLE_TO_BOB[visibility]).toContain(body);
      }
    }
  });

  it('gives a member who left the state as it was when he left (the current state if world readable)', async () => {
    const name = await api(bob).get(`/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.name/`);
    expect([name.status, name.body.name]).toEqual([200, visibility === 'world_readable' ? 'after' : 'before']);
    const state = await api(bob).get(`/_matrix/client/v3/rooms/${enc(roomId)}/state`);
    expect(state.status).toBe(200);
    expect(state.body.find((e: any) => e.type === 'm.room.name').content.name).toBe(visibility === 'world_readable' ? 'after' : 'before');
    const members = await api(bob).get(`/_matrix/client/v3/rooms/${enc(roomId)}/members`);
    expect(members.status).toBe(200);
    const bobs = members.body.chunk.find((e: any) => e.state_key === bob.userId);
    expect(bobs.content.membership).toBe('leave');
    // joined_members is for members of the room only.
    const joined = await api(bob).get(`/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
    expect([joined.status, joined.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
  });

  it(visibility === 'world_readable' ? 'lets anyone read the room, but not list its joined members' : 'refuses users who never joined on every read path', async () => {
    const paths = {
      messages: `/_matrix/client/v3/rooms/${enc(roomId)}/messages?dir=b&limit=10`,
      context: `/_matrix/client/v3/rooms/${enc(roomId)}/context/${enc(ids.during)}`,
      state: `/_matrix/client/v3/rooms/${enc(roomId)}/state`,
      stateKey: `/_matrix/client/v3/rooms/${enc(roomId)}/state/m.room.name/`,
      members: `/_matrix/client/v3/rooms/${enc(roomId)}/members`,
    };
    for (const [what, path] of Object.entries(paths)) {
      const res = await api(mallory).get(path);
      expect([what, res.status, res.body.errcode]).toEqual(visibility === 'world_readable' ? [what, 200, undefined] : [what, 403, 'M_FORBIDDEN']);
    }
    const event = await api(mallory).get(`/_matrix/client/v3/rooms/${enc(roomId)}/event/${enc(ids.during)}`);
    expect([event.status, event.body.errcode]).toEqual(visibility === 'world_readable' ? [200, undefined] : [404, 'M_NOT_FOUND']);
    const joined = await api(mallory).get(`/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
    expect([joined.status, joined.body.errcode]).toEqual([403, 'M_FORBIDDEN']);
    if (visibility === 'world_readable') {
      expect((await readMessages(mallory, roomId)).bodies).toEqual(['pre', 'invited', 'during', 'post']);
    }
  });
});

describe('the members of the room', () => {
  it('read everything since they joined, whatever the visibility, and an unknown room is 403', async () => {
    const { roomId } = await history('joined');
    const read = await readMessages(alice, roomId);
    expect(read.bodies).toEqual(['pre', 'invited', 'during', 'post']);
    const joined = await api(alice).get(`/_matrix/client/v3/rooms/${enc(roomId)}/joined_members`);
    expect(Object.keys(joined.body.joined)).toEqual([alice.userId]);
    const unknown = '!nowhere:localhost';
    for (const path of [`/messages?dir=b`, '/state', '/members', '/joined_members', '/context/%24x']) {
      const res = await api(alice).get(`/_matrix/client/v3/rooms/${enc(unknown)}${path}`);
      expect([path, res.status, res.body.errcode]).toEqual([path, 403, 'M_FORBIDDEN']);
    }
  });

  it('stop seeing new events once they are kicked or banned, and see them again after rejoining', async () => {
    const { roomId } = await history('shared');
    const a = api(alice);
    expect((await api(bob).post(`/_matrix/client/v3/rooms/${enc(roomId)}/join`, {})).status).toBe(200);
    await a.put(`/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/k1`, { msgtype: 'm.text', body: 'back' });
    expect((await a.post(`/_matrix/client/v3/rooms/${enc(roomId)}/ban`, { user_id: bob.userId, reason: 'bye' })).status).toBe(200);
    await a.put(`/_matrix/client/v3/rooms/${enc(roomId)}/send/m.room.message/k2`, { msgtype: 'm.text', body: 'after ban' });
    const read = await readMessages(bob, roomId);
    // "post" was sent while he was away and the room is shared: he joined again later, so he sees it.
    expect(read.bodies).toEqual(['pre', 'invited', 'during', 'post', 'back']);
    expect(read.members).toContain(`${bob.userId}:ban`);
  });
});
