// https://spec.matrix.org/v1.19/client-server-api/#server-side-search
import { search as api } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { searchOf } from '../../rooms/features.js';

export function registerSearch(router: ApiRouter, s: ServerContext): void {
  const search = searchOf(s);
  router.bind(api.search, async ({ body, query, requester }) => {
    const criteria = body.search_categories.room_events;
    if (!criteria) return { search_categories: {} };
    return { search_categories: { room_events: await search.search(requester, criteria, query.next_batch) } };
  });
}
