// https://spec.matrix.org/v1.19/client-server-api/#profiles
import { Errors, profile } from '@parley/spec';
import type { ApiRouter, Requester } from '../../http/router.js';
import type { ServerContext } from '../../context.js';

export function registerProfile(router: ApiRouter, s: ServerContext): void {
  const { profiles } = s.accounts;

  const mayEdit = (requester: Requester, userId: string) => {
    if (requester.userId !== userId && !requester.isAdmin) throw Errors.forbidden("Cannot change another user's profile");
  };

  router.bind(profile.getUserProfile, async ({ params }) => {
    const p = await profiles.get(params.userId);
    if (!p) throw Errors.notFound('Profile not found');
    return p;
  });

  router.bind(profile.getProfileField, async ({ params }) => {
    const p = await profiles.get(params.userId);
    if (!p || !(params.keyName in p)) throw Errors.notFound('Profile field not found');
    return { [params.keyName]: p[params.keyName] };
  });

  router.bind(profile.setProfileField, async ({ requester, params, body }) => {
    mayEdit(requester, params.userId);
    if (!(params.keyName in body)) throw Errors.missingParam(`Missing ${params.keyName}`);
    await profiles.set(params.userId, params.keyName, body[params.keyName]);
    return {};
  });

  router.bind(profile.deleteProfileField, async ({ requester, params }) => {
    mayEdit(requester, params.userId);
    await profiles.delete(params.userId, params.keyName);
    return {};
  });
}
