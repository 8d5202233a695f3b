// User directory search, and profile changes propagated into rooms (the profile endpoints
// belong to accounts; the member events they cause belong to rooms).
// https://spec.matrix.org/v1.19/client-server-api/#user-directory
import { userDirectory as api } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';
import { roomsOf } from '../../rooms/index.js';
import { userDirectoryOf } from '../../rooms/features.js';
import { propagateProfile } from '../../rooms/profile-propagation.js';

export function registerUserDirectory(router: ApiRouter, s: ServerContext): void {
  const directory = userDirectoryOf(s);
  router.bind(api.searchUserDirectory, async ({ body, requester }) => directory.search(requester.userId, body.search_term, body.limit ?? 10));

  const rooms = roomsOf(s);
  s.accounts.profiles.onProfileChanged.push((change) => propagateProfile(rooms, s.log, change));
}
