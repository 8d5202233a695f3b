// https://spec.matrix.org/v1.19/client-server-api/#receipts
// https://spec.matrix.org/v1.19/client-server-api/#fully-read-markers
import { Errors, receipts } from '@parley/spec';
import type { Knex } from 'knex';
import type { ApiRouter } from '../../http/router.js';
import { requireJoined } from '../../sync/membership.js';
import type { RealtimeServices } from '../../sync/services.js';

type ReceiptKind = (typeof receipts.receiptTypes)[number];

/** Shared by the HTTP endpoint and the WebSocket `receipt` frame. */
export async function postReceipt(
  db: Knex,
  r: RealtimeServices,
  userId: string,
  roomId: string,
  receiptType: ReceiptKind,
  eventId: string,
  threadId?: string,
): Promise<void> {
  if (receiptType === 'm.fully_read') {
    if (threadId !== undefined) throw Errors.invalidParam('m.fully_read cannot be threaded');
    await requireJoined(db, userId, roomId);
    await r.accountData.set(userId, roomId, 'm.fully_read', { event_id: eventId });
    return;
  }
  if (threadId !== undefined && threadId !== 'main' && !threadId.startsWith('$')) throw Errors.invalidParam('thread_id must be "main" or an event id');
  await r.receipts.setReceipt(userId, roomId, receiptType, eventId, threadId);
}

export function registerReceipts(router: ApiRouter, db: Knex, r: RealtimeServices): void {
  router.bind(
    receipts.postReceipt,
    async ({ requester, params, body }) => {
      await postReceipt(db, r, requester.userId, params.roomId, params.receiptType, params.eventId, body.thread_id);
      return {};
    },
    { rateLimit: 'message' },
  );

  router.bind(receipts.setReadMarker, async ({ requester, params, body }) => {
    const { roomId } = params;
    if (body['m.fully_read']) await postReceipt(db, r, requester.userId, roomId, 'm.fully_read', body['m.fully_read']);
    if (body['m.read']) await postReceipt(db, r, requester.userId, roomId, 'm.read', body['m.read']);
    if (body['m.read.private']) await postReceipt(db, r, requester.userId, roomId, 'm.read.private', body['m.read.private']);
    return {};
  });
}
