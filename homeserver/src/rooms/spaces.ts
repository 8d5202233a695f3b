// Room previews: the room summary (MSC3266) and the space hierarchy, which share who may see a
// room without being in it (Synapse calls it "accessible": public or knockable join rules,
// world_readable history, a membership other than leave/ban, or a member of a restricted
// room's allowed rooms).
// https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv1room_summaryroomidoralias
// https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv1roomsroomidhierarchy
import { Errors, type JsonObject } from '@parley/spec';
import type { RoomService } from './service.js';
import type { RoomInfo, StoredEvent } from './store.js';
import { RoomSummaries, type RoomSummary } from './summary.js';

const DEFAULT_MAX_DEPTH = 10;
const MAX_DEPTH = 50;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;
/** Rooms visited per request at most (the tree is walked from the root for each page). */
const MAX_ROOMS = 1000;

export type ChildState = {
  type: string;
  state_key: string;
  content: Record<string, unknown>;
  sender: string;
  origin_server_ts: number;
};

type Membership = 'invite' | 'join' | 'knock' | 'leave' | 'ban';

export type HierarchyRoom = RoomSummary & { children_state: ChildState[] };

/** `order` counts only when it is a short printable ASCII string (spec: m.space.child ordering). */
function orderOf(content: JsonObject): string | undefined {
  const o = content.order;
  return typeof o === 'string' && o.length <= 50 && /^[\x20-\x7E]*$/.test(o) ? o : undefined;
}

export class RoomPreviews {
  readonly summaries: RoomSummaries;

  constructor(private readonly rooms: RoomService) {
    this.summaries = new RoomSummaries(rooms.db);
  }

  async canPreview(userId: string | undefined, room: RoomInfo, summary: RoomSummary): Promise<boolean> {
    if (['public', 'knock', 'knock_restricted'].includes(summary.join_rule) || summary.world_readable) return true;
    if (!userId) return false;
    const { membership } = await this.rooms.store.membership(room.roomNid, userId);
    if (membership === 'join' || membership === 'invite' || membership === 'knock') return true;
    if (membership === 'ban') return false;
    for (const allowed of summary.allowed_room_ids ?? []) {
      const other = await this.rooms.store.room(allowed);
      if (other && (await this.rooms.store.membership(other.roomNid, userId)).membership === 'join') return true;
    }
    return false;
  }

  /** The summary of a room the user may preview; 404 otherwise (the spec's only error). */
  async summary(userId: string | undefined, roomIdOrAlias: string): Promise<RoomSummary & { membership?: Membership }> {
    const room = await this.rooms.resolveRoom(roomIdOrAlias).catch(() => {
      throw Errors.notFound('Room not found');
    });
    const summary = (await this.summaries.of([room.roomNid])).get(room.roomNid);
    if (!summary || !(await this.canPreview(userId, room, summary))) throw Errors.notFound('Room not found or not accessible');
    if (!userId) return summary;
    return { ...summary, membership: (await this.rooms.store.membership(room.roomNid, userId)).membership as Membership };
  }

  private async children(room: RoomInfo, suggestedOnly: boolean): Promise<StoredEvent[]> {
    const state = await this.rooms.db('current_state').where({ room_nid: room.roomNid, type: 'm.space.child' }).select('event_nid');
    const events = await this.rooms.store.eventsByNids(state.map((r) => Number(r.event_nid)));
    return events
      .filter((e) => {
        const c = e.pdu.content as JsonObject;
        return Array.isArray(c.via) && c.via.length > 0 && (!suggestedOnly || c.suggested === true);
      })
      .sort((a, b) => {
        const oa = orderOf(a.pdu.content as JsonObject);
        const ob = orderOf(b.pdu.content as JsonObject);
        if (oa !== undefined && ob === undefined) return -1;
        if (oa === undefined && ob !== undefined) return 1;
        if (oa !== undefined && ob !== undefined && oa !== ob) return oa < ob ? -1 : 1;
        return a.originServerTs - b.originServerTs || (a.stateKey! < b.stateKey! ? -1 : 1);
      });
  }

  async hierarchy(
    userId: string,
    rootId: string,
    opts: { suggestedOnly: boolean; maxDepth?: number; limit?: number; from?: string },
  ): Promise<{ rooms: HierarchyRoom[]; next_batch?: string }> {
    const maxDepth = Math.min(opts.maxDepth ?? DEFAULT_MAX_DEPTH, MAX_DEPTH);
    const limit = Math.min(opts.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
    const shape = `${opts.suggestedOnly ? 's' : 'a'}${maxDepth}`;
    let offset = 0;
    if (opts.from !== undefined) {
      const m = /^h(\d+)_([sa]\d+)$/.exec(opts.from);
      if (!m) throw Errors.invalidParam('unknown from token');
      if (m[2] !== shape) throw Errors.invalidParam('suggested_only and max_depth cannot change while paginating');
      offset = Number(m[1]);
    }
    const root = await this.rooms.store.room(rootId);
    const rootSummary = root && (await this.summaries.of([root.roomNid])).get(root.roomNid);
    if (!root || !rootSummary || !(await this.canPreview(userId, root, rootSummary))) throw Errors.forbidden('You cannot view or peek on this room');

    const out: HierarchyRoom[] = [];
    const seen = new Set<string>([rootId]);
    const queue: Array<{ room: RoomInfo; summary: RoomSummary; depth: number }> = [{ room: root, summary: rootSummary, depth: 0 }];
    let index = 0;
    let more = false;
    while (queue.length && index < MAX_ROOMS) {
      const { room, summary, depth } = queue.shift()!;
      const children = await this.children(room, opts.suggestedOnly);
      if (index >= offset) {
        if (out.length === limit) {
          more = true;
          break;
        }
        out.push({
          ...summary,
          children_state: children.map((e) => ({ type: e.type, state_key: e.stateKey!, content: e.pdu.content as JsonObject, sender: e.sender, origin_server_ts: e.originServerTs })),
        });
      }
      index++;
      if (depth >= maxDepth) continue;
      for (const child of children) {
        const id = child.stateKey!;
        if (seen.has(id)) continue;
        seen.add(id);
        // Rooms this server is not in would need federation; they are left out.
        const childRoom = await this.rooms.store.room(id);
        const childSummary = childRoom && (await this.summaries.of([childRoom.roomNid])).get(childRoom.roomNid);
        if (!childRoom || !childSummary || !(await this.canPreview(userId, childRoom, childSummary))) continue;
        queue.push({ room: childRoom, summary: childSummary, depth: depth + 1 });
      }
    }
    return more ? { rooms: out, next_batch: `h${offset + out.length}_${shape}` } : { rooms: out };
  }
}
