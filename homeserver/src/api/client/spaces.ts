// Room summaries and the space hierarchy.
// https://spec.matrix.org/v1.19/client-server-api/#get_matrixclientv1room_summaryroomidoralias
// https://spec.matrix.org/v1.19/client-server-api/#spaces
import { roomSummary as summaryApi, spaces as api } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { previewsOf } from '../../rooms/features.js';

export function registerSpaces(router: ApiRouter, s: ServerContext): void {
  const previews = previewsOf(s);

  for (const endpoint of [summaryApi.getRoomSummary, summaryApi.getRoomSummaryUnstable]) {
    router.bind(endpoint, async ({ params, requester }) => previews.summary(requester?.userId, params.roomIdOrAlias));
  }

  router.bind(api.getSpaceHierarchy, async ({ params, query, requester }) =>
    previews.hierarchy(requester.userId, params.roomId, {
      suggestedOnly: query.suggested_only === 'true',
      maxDepth: query.max_depth,
      limit: query.limit,
      from: query.from,
    }),
  );
}
