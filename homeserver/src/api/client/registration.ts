// https://spec.matrix.org/v1.19/client-server-api/#account-registration
import { Errors, registration } from '@parley/spec';
import type { ApiRouter } from '../../http/router.js';
import type { ServerContext } from '../../context.js';

export function registerRegistration(router: ApiRouter, s: ServerContext): void {
  const { registration: service, registrationTokens, adminNonces } = s.accounts;

  router.bind(
    registration.register,
    async ({ query, body, ip }) => {
      if (query.kind === 'guest') throw Errors.guestAccessForbidden();
      return service.register(body, ip);
    },
    { rateLimit: 'register' },
  );

  router.bind(registration.checkUsernameAvailability, async ({ query }) => {
    await service.checkAvailable(query.username);
    return { available: true };
  });

  router.bind(
    registration.registrationTokenValidity,
    async ({ query }) => {
      if (!s.config.registration.enabled) throw Errors.forbidden('Registration is disabled');
      return { valid: await registrationTokens.isValid(query.token) };
    },
    { rateLimit: 'register' },
  );

  router.bind(registration.adminRegisterNonce, async () => ({ nonce: await adminNonces.issue() }));

  router.bind(
    registration.adminRegister,
    async ({ body }) => {
      await adminNonces.verify(s.config.registration.shared_secret, body);
      const created = await service.createAccount(
        { localpart: body.username, password: body.password, admin: body.admin, displayname: body.displayname, allowReserved: true },
        { deviceDisplayName: 'shared-secret registration' },
      );
      return { user_id: created.userId, access_token: created.tokens!.access_token, device_id: created.tokens!.device_id, home_server: s.config.server_name };
    },
    { rateLimit: 'register' },
  );
}
