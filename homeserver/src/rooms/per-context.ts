// One instance of a room service per server context (as roomsOf does for RoomService).
import type { ServerContext } from '../context.js';

export function perContext<T>(make: (ctx: ServerContext) => T): (ctx: ServerContext) => T {
  const instances = new WeakMap<ServerContext, T>();
  return (ctx) => {
    let instance = instances.get(ctx);
    if (instance === undefined) instances.set(ctx, (instance = make(ctx)));
    return instance;
  };
}
