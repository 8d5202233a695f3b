// Generates the published OpenAPI 3.1 document from the endpoint definitions.
import { z } from 'zod';
import type { Endpoint } from './endpoint.js';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
  serverUrl?: string;
}

type JsonSchema = Record<string, unknown>;

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parameters(e: Endpoint): JsonSchema[] {
  const out: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', e.params],
    ['query', e.query],
  ] as const) {
    if (!schema) continue;
    const json = toSchema(schema, 'input');
    const props = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries(props)) {
      const { description, ...rest } = s;
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

const errorSchema: JsonSchema = {
  type: 'object',
  required: ['errcode', 'error'],
  properties: { errcode: { type: 'string' }, error: { type: 'string' } },
  additionalProperties: true,
};

export function generateOpenApi(endpoints: readonly Endpoint[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags = new Set<string>();
  for (const e of endpoints) {
    tags.add(e.section);
    const op: JsonSchema = {
      operationId: e.operationId,
      summary: e.summary,
      tags: [e.section],
      parameters: parameters(e),
      responses: {
        [String(e.status ?? 200)]: {
          description: 'Success',
          ...(e.response ? { content: { 'application/json': { schema: toSchema(e.response, 'output') } } } : {}),
        },
        default: { description: 'Matrix error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
    if (e.auth === 'user') op.security = [{ accessTokenBearer: [] }];
    if (e.auth === 'optional') op.security = [{ accessTokenBearer: [] }, {}];
    if (e.auth === 'server') op.security = [{ signedRequest: [] }];
    if (e.rateLimited) op['x-rate-limited'] = true;
    if (e.specUrl) op.externalDocs = { url: e.specUrl };
    if (e.extension) op['x-parley-extension'] = true;
    if (e.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: toSchema(e.body, 'input') } } };
    } else if (e.rawBody) {
      op.requestBody = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
    }
    (paths[e.path] ??= {})[e.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: info.title, version: info.version, ...(info.description ? { description: info.description } : {}) },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    tags: [...tags].sort().map((name) => ({ name })),
    paths,
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        accessTokenBearer: { type: 'http', scheme: 'bearer', description: 'Matrix access token' },
        signedRequest: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'X-Matrix request signature' },
      },
    },
  };
}
