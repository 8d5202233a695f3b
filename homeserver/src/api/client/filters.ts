// https://spec.matrix.org/v1.19/client-server-api/#filtering
import { Errors, filters } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { RealtimeServices } from '../../sync/services.js';

export function registerFilters(router: ApiRouter, r: RealtimeServices): void {
  router.bind(filters.defineFilter, async ({ requester, params, body }) => {
    if (params.userId !== requester.userId) throw Errors.forbidden('Cannot create filters for other users');
    return { filter_id: await r.filters.create(requester.userId, body) };
  });

  router.bind(filters.getFilter, async ({ requester, params }) => {
    if (params.userId !== requester.userId) throw Errors.forbidden('Cannot read the filters of other users');
    const filter = await r.filters.get(requester.userId, params.filterId);
    if (!filter) throw Errors.notFound('Unknown filter');
    return filter;
  });
}
