// Shapes shared by endpoints behind user-interactive authentication:
// https://spec.matrix.org/v1.19/client-server-api/#user-interactive-authentication-api
import { z } from 'zod';
import { lazy } from '../endpoint.js';

/** `auth` in a request body: the stage being attempted, plus its stage-specific keys. */
export const authenticationData = lazy(() => z.looseObject({
  type: z.string().optional(),
  session: z.string().optional(),
}));

export type AuthenticationData = z.output<ReturnType<typeof authenticationData>>;

/** The 401 answer that lists the flows (documented here; sent as an error response). */
export const authenticationResponse = lazy(() => z.looseObject({
  flows: z.array(z.object({ stages: z.array(z.string()) })),
  params: z.record(z.string(), z.unknown()).optional(),
  session: z.string().optional(),
  completed: z.array(z.string()).optional(),
}));

/** `identifier` of m.login.password: https://spec.matrix.org/v1.19/client-server-api/#identifier-types */
export const userIdentifier = lazy(() => z.looseObject({ type: z.string() }));
