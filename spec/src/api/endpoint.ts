// One definition per API endpoint: the server binds it, the client calls through it,
// and the published OpenAPI document is generated from it.
import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * - `none`: no authentication.
 * - `optional`: an access token is used when given (e.g. peeking world-readable rooms).
 * - `user`: a valid access token is required.
 * - `server`: an X-Matrix signed federation request is required.
 */
export type AuthKind = 'none' | 'optional' | 'user' | 'server';

/** The plain fields of an endpoint: the router binds its routes from these at start-up. */
export interface EndpointInfo {
  /** The spec's operationId where one exists (parley-specific ones are prefixed `parley`). */
  readonly operationId: string;
  readonly method: HttpMethod;
  /** The path exactly as the spec writes it, e.g. `/_matrix/client/v3/rooms/{roomId}/join`. */
  readonly path: string;
  readonly auth: AuthKind;
  readonly rateLimited: boolean;
  readonly summary: string;
  /** Spec section (module) the endpoint belongs to; becomes the OpenAPI tag. */
  readonly section: string;
  /** The body is read by the handler as a stream (media uploads), not parsed as JSON. */
  readonly rawBody?: boolean;
  /** Default status of a success response. */
  readonly status?: number;
  /** Link to the spec section describing the endpoint. */
  readonly specUrl?: string;
  /** Marks extensions outside the Matrix spec (documented under /_parley). */
  readonly extension?: boolean;
}

/** The zod schemas of an endpoint. */
export interface EndpointSchemas {
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  /** JSON body schema. Omit for endpoints without a body or with a raw body. */
  readonly body?: z.ZodType;
  readonly response?: z.ZodType;
}

export interface Endpoint extends EndpointInfo, EndpointSchemas {}

/** What `defineEndpoint` takes: the plain fields, and the schemas behind a function (never as fields). */
export type EndpointDefinition = EndpointInfo & {
  readonly schemas?: () => EndpointSchemas;
} & { readonly [K in keyof EndpointSchemas]?: never };

export type DefinedEndpoint<D extends EndpointDefinition> = Omit<D, 'schemas'> &
  (D extends { schemas: () => infer S extends EndpointSchemas } ? S : unknown);

const schemaKeys = ['params', 'query', 'body', 'response'] as const;

/**
 * Defines an endpoint. The server imports every endpoint at start-up but validates with a
 * schema only when a request comes in, so the zod schemas are built lazily: `schemas()` is
 * called on the first read of `params`, `query`, `body` or `response`, once.
 */
export function defineEndpoint<const D extends EndpointDefinition>(definition: D): DefinedEndpoint<D> {
  const { schemas, ...endpoint } = definition;
  if (schemas) {
    let built: EndpointSchemas | undefined;
    for (const key of schemaKeys) {
      Object.defineProperty(endpoint, key, { enumerable: true, get: () => (built ??= schemas())[key] });
    }
  }
  return endpoint as DefinedEndpoint<D>;
}

/** A shared schema, built on the first call, once (for any value but undefined or null). */
export function lazy<T extends {}>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

type Infer<S> = S extends z.ZodType ? z.output<S> : Record<string, never>;
type Input<S> = S extends z.ZodType ? z.input<S> : Record<string, never>;

export type ParamsOf<E extends Endpoint> = Infer<E['params']>;
export type QueryOf<E extends Endpoint> = Infer<E['query']>;
export type BodyOf<E extends Endpoint> = Infer<E['body']>;
export type ResponseOf<E extends Endpoint> = E['response'] extends z.ZodType ? z.input<E['response']> : unknown;
export type RequestInput<E extends Endpoint> = {
  params: Input<E['params']>;
  query: Input<E['query']>;
  body: Input<E['body']>;
};

/** Fills `{name}` placeholders of an endpoint path with URI-encoded values. */
export function buildPath(path: string, params: Record<string, string | number> = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`missing path parameter ${name}`);
    return encodeURIComponent(String(value));
  });
}
