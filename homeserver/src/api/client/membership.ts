// https://spec.matrix.org/v1.19/client-server-api/#room-membership
import { Errors, membership as api, type JsonObject } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { roomsOf } from '../../rooms/index.js';

export function registerMembership(router: ApiRouter, s: ServerContext): void {
  const rooms = roomsOf(s);
  const withReason = (reason: string | undefined): JsonObject => (reason !== undefined ? { reason } : {});

  router.bind(api.joinRoomById, async ({ params, body, requester }) => ({ room_id: await rooms.join(requester.userId, params.roomId, body.reason) }), { rateLimit: 'message' });
  router.bind(api.joinRoom, async ({ params, body, requester }) => ({ room_id: await rooms.join(requester.userId, params.roomIdOrAlias, body.reason) }), { rateLimit: 'message' });

  router.bind(api.knockRoom, async ({ params, body, requester }) => {
    const room = await rooms.resolveRoom(params.roomIdOrAlias);
    await rooms.setMembership(room, requester.userId, requester.userId, 'knock', withReason(body.reason));
    return { room_id: room.roomId };
  }, { rateLimit: 'message' });

  router.bind(api.inviteUser, async ({ params, body, requester }) => {
    const room = await rooms.store.room(params.roomId);
    if (!room) throw Errors.forbidden('You are not in this room');
    const target = await rooms.store.membership(room.roomNid, body.user_id);
    if (target.membership === 'ban') throw Errors.forbidden(`${body.user_id} is banned from the room`);
    if (target.membership === 'join') throw Errors.forbidden(`${body.user_id} is already in the room`);
    // Keep is_direct when re-inviting is not needed: a plain invite.
    await rooms.setMembership(room, requester.userId, body.user_id, 'invite', withReason(body.reason));
    return {};
  }, { rateLimit: 'message' });

  router.bind(api.leaveRoom, async ({ params, body, requester }) => {
    const room = await rooms.store.room(params.roomId);
    if (!room) throw Errors.notFound('Unknown room');
    const current = await rooms.store.membership(room.roomNid, requester.userId);
    if (current.membership === 'leave' || current.membership === 'ban') return {};
    await rooms.setMembership(room, requester.userId, requester.userId, 'leave', withReason(body.reason));
    return {};
  }, { rateLimit: 'message' });

  router.bind(api.forgetRoom, async ({ params, requester }) => {
    await rooms.forget(requester.userId, params.roomId);
    return {};
  });

  const moderation = (membership: 'leave' | 'ban', requireCurrent?: string) =>
    async ({ params, body, requester }: { params: { roomId: string }; body: { user_id: string; reason?: string }; requester: { userId: string } }) => {
      const room = await rooms.store.room(params.roomId);
      if (!room) throw Errors.forbidden('You are not in this room');
      if (requireCurrent) {
        const target = await rooms.store.membership(room.roomNid, body.user_id);
        if (target.membership !== requireCurrent) throw Errors.forbidden(`${body.user_id} is not ${requireCurrent === 'ban' ? 'banned' : 'in the room'}`);
      }
      await rooms.setMembership(room, requester.userId, body.user_id, membership, withReason(body.reason));
      return {};
    };
  router.bind(api.kick, async (input) => {
    const room = await rooms.store.room(input.params.roomId);
    if (room) {
      const target = await rooms.store.membership(room.roomNid, input.body.user_id);
      if (!['join', 'invite', 'knock'].includes(target.membership)) throw Errors.forbidden(`${input.body.user_id} is not in the room`);
    }
    return moderation('leave')(input);
  });
  router.bind(api.ban, moderation('ban'));
  router.bind(api.unban, moderation('leave', 'ban'));

  router.bind(api.getJoinedRooms, async ({ requester }) => ({ joined_rooms: await rooms.store.joinedRoomIds(requester.userId) }));
}
