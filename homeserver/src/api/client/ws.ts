// Parley's WebSocket stream (docs/websocket.md): the upgrade is taken by the server's upgrade
// hook; a plain GET of the path gets an error that says so.
import { MatrixError, sync } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { BucketRateLimiter } from '../../http/rate-limit.js';
import type { RealtimeServices } from '../../sync/services.js';
import { WebSocketStream } from '../../sync/ws-stream.js';

export function registerWebSocket(router: ApiRouter, s: ServerContext, r: RealtimeServices): WebSocketStream {
  const stream = new WebSocketStream(s, r, new BucketRateLimiter(s.bus.store, s.config.rate_limits));
  s.onUpgrade(stream.handleUpgrade);
  s.onStopping(() => stream.close());
  s.features.websocket = true;
  r.websocket = stream;
  router.bind(sync.websocketStream, async () => {
    throw new MatrixError(400, 'M_UNRECOGNIZED', 'This endpoint only answers WebSocket upgrades (see docs/websocket.md)');
  });
  return stream;
}
