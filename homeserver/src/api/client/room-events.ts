// Sending and getting room events.
// https://spec.matrix.org/v1.19/client-server-api/#sending-events-to-a-room
// https://spec.matrix.org/v1.19/client-server-api/#getting-events-for-a-room
import { Errors, roomEvents as api, type JsonObject } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { roomsOf } from '../../rooms/index.js';
import type { StoredEvent } from '../../rooms/store.js';

export function registerRoomEvents(router: ApiRouter, s: ServerContext): void {
  const rooms = roomsOf(s);

  router.bind(api.sendMessage, async ({ params, body, requester }) => {
    if (params.eventType === 'm.room.redaction' && typeof body.redacts !== 'string') throw Errors.badJson('m.room.redaction needs content.redacts');
    const sent = await rooms.send(
      requester,
      params.roomId,
      { type: params.eventType, content: body as JsonObject, redacts: params.eventType === 'm.room.redaction' ? (body.redacts as string) : undefined },
      { scope: `send:${params.roomId}`, txnId: params.txnId },
    );
    return { event_id: sent.eventId };
  }, { rateLimit: 'message' });

  const putState = async ({ params, body, requester }: { params: { roomId: string; eventType: string; stateKey?: string }; body: Record<string, unknown>; requester: { userId: string; deviceId: string } }) => {
    const stateKey = params.stateKey ?? '';
    // Re-sending identical content is a no-op that answers the existing event.
    const room = await rooms.store.room(params.roomId);
    if (room) {
      const current = await rooms.store.currentStateEvent(room.roomNid, params.eventType, stateKey);
      if (current && current.sender === requester.userId && JSON.stringify(current.pdu.content) === JSON.stringify(body)) return { event_id: current.eventId };
    }
    const sent = await rooms.send(requester, params.roomId, { type: params.eventType, state_key: stateKey, content: body as JsonObject });
    return { event_id: sent.eventId };
  };
  router.bind(api.setRoomStateWithKey, putState);
  router.bind(api.setRoomState, putState);

  const getState = async ({ params, query, requester }: { params: { roomId: string; eventType: string; stateKey?: string }; query: { format?: 'content' | 'event' }; requester: { userId: string; deviceId: string } }) => {
    const { room, access } = await rooms.readAccess(requester.userId, params.roomId);
    const key = params.stateKey ?? '';
    let event: StoredEvent | undefined;
    if (access.until === 'now') event = await rooms.store.currentStateEvent(room.roomNid, params.eventType, key);
    else event = (await rooms.readableState(room, access)).find((e) => e.type === params.eventType && e.stateKey === key);
    if (!event) throw Errors.notFound('Event not found');
    if (query.format === 'event') return (await rooms.serialize(requester, [event]))[0] as unknown as Record<string, unknown>;
    return (event.pdu.content ?? {}) as Record<string, unknown>;
  };
  router.bind(api.getRoomStateWithKey, getState);
  router.bind(api.getRoomStateEmptyKey, getState);

  router.bind(api.getRoomState, async ({ params, requester }) => {
    const { room, access } = await rooms.readAccess(requester.userId, params.roomId);
    return rooms.serializer.serialize(await rooms.readableState(room, access), { bundleAggregations: false });
  });

  router.bind(api.getOneRoomEvent, async ({ params, requester }) => {
    const { event } = await rooms.visibleEvent(requester, params.roomId, params.eventId);
    return (await rooms.serialize(requester, [event]))[0];
  });

  router.bind(api.getMembersByRoom, async ({ params, query, requester }) => {
    const { room, access } = await rooms.readAccess(requester.userId, params.roomId);
    let state: StoredEvent[];
    if (query.at !== undefined) {
      const parsed = query.at;
      const page = await rooms.paginate(requester, room, access, { from: parsed, dir: 'b', limit: 1 });
      const at = page.chunk[0];
      state = at ? [...(await rooms.store.stateAfter(at)).values()] : [];
    } else state = await rooms.readableState(room, access);
    const members = state.filter((e) => {
      if (e.type !== 'm.room.member') return false;
      const m = (e.pdu.content as { membership?: string }).membership;
      if (query.membership && m !== query.membership) return false;
      if (query.not_membership && m === query.not_membership) return false;
      return true;
    });
    return { chunk: await rooms.serializer.serialize(members, { bundleAggregations: false }) };
  });

  router.bind(api.getJoinedMembersByRoom, async ({ params, requester }) => {
    const { room, access, membership } = await rooms.readAccess(requester.userId, params.roomId);
    // "The current user must be in the room": not for former members or world-readable visitors.
    if (membership !== 'join') throw Errors.forbidden('You are not a member of this room');
    const joined: Record<string, { display_name?: string; avatar_url?: string }> = {};
    for (const e of await rooms.readableState(room, access)) {
      const c = e.pdu.content as { membership?: string; displayname?: unknown; avatar_url?: unknown };
      if (e.type !== 'm.room.member' || c.membership !== 'join') continue;
      joined[e.stateKey!] = {
        ...(typeof c.displayname === 'string' ? { display_name: c.displayname } : {}),
        ...(typeof c.avatar_url === 'string' ? { avatar_url: c.avatar_url } : {}),
      };
    }
    return { joined };
  });

  router.bind(api.getRoomEvents, async ({ params, query, requester }) => {
    const filter = rooms.parseFilter(query.filter);
    const limit = query.limit ?? filter?.limit ?? 10;
    const { room, page } = await rooms.messages(requester, params.roomId, { from: query.from, to: query.to, dir: query.dir, limit, filter });
    const chunk = await rooms.serialize(requester, page.chunk);
    const out: { chunk: typeof chunk; start: string; end?: string; state?: typeof chunk } = { chunk, start: page.start };
    if (page.end !== undefined) out.end = page.end;
    if (filter?.lazy_load_members) out.state = await rooms.serializer.serialize(await rooms.memberEventsFor(room, page.chunk), { bundleAggregations: false });
    return out;
  });

  router.bind(api.getEventContext, async ({ params, query, requester }) => {
    // 403 for readers of nothing in the room, then 404 for an event outside what they may read.
    const { access } = await rooms.readAccess(requester.userId, params.roomId);
    const { room, event } = await rooms.visibleEvent(requester, params.roomId, params.eventId);
    const filter = rooms.parseFilter(query.filter);
    const limit = Math.min(query.limit ?? 10, 100);
    const position = `t${event.depth}_${event.nid}`;
    const beforeLimit = Math.floor(limit / 2);
    const before = await rooms.paginate(requester, room, access, { from: `t${event.depth}_${event.nid - 1}`, dir: 'b', limit: beforeLimit, filter });
    const after = await rooms.paginate(requester, room, access, { from: position, dir: 'f', limit: limit - beforeLimit, filter });
    const state = filter?.lazy_load_members
      ? await rooms.memberEventsFor(room, [event, ...before.chunk, ...after.chunk])
      : [...(await rooms.store.stateAfter(event)).values()];
    return {
      event: (await rooms.serialize(requester, [event]))[0],
      events_before: await rooms.serialize(requester, before.chunk),
      events_after: await rooms.serialize(requester, after.chunk),
      start: before.end ?? `t${event.depth}_${event.nid - 1}`,
      end: after.end ?? (after.chunk.length ? `t${after.chunk[after.chunk.length - 1].depth}_${after.chunk[after.chunk.length - 1].nid}` : position),
      state: await rooms.serializer.serialize(state, { bundleAggregations: false }),
    };
  });

  router.bind(api.getEventByTimestamp, async ({ params, query, requester }) => {
    const { room, access } = await rooms.readAccess(requester.userId, params.roomId);
    const q = s.db('events')
      .where({ room_nid: room.roomNid, outlier: false, soft_failed: false })
      .whereNull('rejected_reason')
      .select('event_id', 'origin_server_ts', 'stream_ordering');
    if (access.until !== 'now') q.where('stream_ordering', '<=', access.until);
    if (query.dir === 'f') q.where('origin_server_ts', '>=', query.ts).orderBy([{ column: 'origin_server_ts' }, { column: 'stream_ordering' }]);
    else q.where('origin_server_ts', '<=', query.ts).orderBy([{ column: 'origin_server_ts', order: 'desc' }, { column: 'stream_ordering', order: 'desc' }]);
    for (const row of await q.limit(50)) {
      const [visible] = await rooms.visibility.filter(requester.userId, room.roomNid, await rooms.store.eventsByNids([Number(row.stream_ordering)]));
      if (visible) return { event_id: row.event_id, origin_server_ts: Number(row.origin_server_ts) };
    }
    throw Errors.notFound('No event found');
  });

  router.bind(api.redactEvent, async ({ params, body, requester }) => {
    const content: JsonObject = {};
    if (body.reason !== undefined) content.reason = body.reason;
    const sent = await rooms.send(
      requester,
      params.roomId,
      { type: 'm.room.redaction', content, redacts: params.eventId },
      { scope: `redact:${params.roomId}`, txnId: params.txnId },
    );
    return { event_id: sent.eventId };
  }, { rateLimit: 'message' });
}
