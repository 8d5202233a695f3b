// One RoomService per server context, shared by the API modules that need it.
import type { ServerContext } from '../context.js';
import { RoomService } from './service.js';

const services = new WeakMap<ServerContext, RoomService>();

export function roomsOf(ctx: ServerContext): RoomService {
  let service = services.get(ctx);
  if (!service) services.set(ctx, (service = new RoomService(ctx)));
  return service;
}

export { RoomService } from './service.js';
export { ROOM_EVENT_CHANNEL, type RoomEventNotification } from './pipeline.js';
export { maxSafeStreamOrdering } from './stream.js';
