// The OpenAPI 3.1 document, generated from the route table (lib/route.ts) and the zod schemas
// that validate each request: the reference can only say what the server checks. Zod 4 writes
// JSON Schema 2020-12, which is OpenAPI 3.1's schema dialect, so the schemas go in unchanged.
import { z } from 'zod';
import { errorCatalog, type ErrorCode } from '../../lib/error-catalog.ts';
import { rolesWith } from '../../lib/policy.ts';
import { commonErrorsOf, type RegisteredRoute, type RouteDef, type RouteDoc } from '../../lib/route.ts';
import { apiGuideMarkdown, codeSamplesFor } from './guide.ts';

type JsonSchema = Record<string, unknown>;

/** Request schemas as a caller writes them (before defaults and transforms), responses as sent. */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  // `unrepresentable: 'any'`: a check JSON Schema cannot say (a refine, a custom type) is still
  // enforced by the server; the document then shows the field without that constraint.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

/** Express `/:id` → OpenAPI `/{id}`; the trailing slash of a collection route is dropped. */
export function openApiPath(expressPath: string): string {
  const path = expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
  return path.length > 1 ? path.replace(/\/$/, '') : path;
}

/** Tag = the capability the route belongs to (/api/v1/<capability>/…). */
function tagOf(path: string): string {
  const match = /^\/api\/v1\/([^/]+)/.exec(path);
  return match ? match[1]! : 'documentation';
}

function parametersOf(def: RouteDoc): JsonSchema[] {
  const out: JsonSchema[] = [];
  const add = (schema: z.ZodType | undefined, where: 'path' | 'query') => {
    if (!schema) return;
    const json = jsonSchemaOf(schema, 'input');
    const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
    const required = new Set((json.required ?? []) as string[]);
    for (const [name, property] of Object.entries(properties)) {
      const { description, ...propertySchema } = property;
      out.push({
        name,
        in: where,
        required: where === 'path' || required.has(name),
        ...(typeof description === 'string' ? { description } : {}),
        schema: propertySchema,
      });
    }
  };
  add(def.params, 'path');
  add(def.query, 'query');
  if (def.idempotencyKey) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: def.idempotencyKey === 'required',
      description: 'A client-generated id for this save: a retry with the same key and body returns the first answer and changes nothing.',
      schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,80}$' },
    });
  }
  return out;
}

function accessText(access: RouteDef['access']): string {
  if (access === 'public') return 'Public: no sign-in needed.';
  if (access === 'authenticated') return 'Any signed-in user (session or API token).';
  return `Permission \`${access}\`: roles ${rolesWith(access).map((r) => `\`${r}\``).join(', ')}; data of other schools is refused with 403.`;
}

/** One response per status, its description listing the codes, its schema the error envelope. */
function errorResponses(codes: readonly ErrorCode[]): Record<string, JsonSchema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
    const { status } = errorCatalog[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const out: Record<string, JsonSchema> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: list.map((code) => `\`${code}\`: ${errorCatalog[code].meaning}`).join('\n\n'),
      content: {
        'application/json': {
          schema: {
            allOf: [{ $ref: '#/components/schemas/ErrorEnvelope' }],
            properties: { error: { properties: { code: { enum: list } } } },
          },
        },
      },
    };
  }
  return out;
}

function successResponse(def: RouteDoc): Record<string, JsonSchema> {
  const status = String(def.status ?? 200);
  if (status === '204') return { '204': { description: 'Done; no content.' } };
  if (def.produces) {
    const content = Object.fromEntries(def.produces.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]));
    return { [status]: { description: 'The file, as a download (Content-Disposition: attachment).', content } };
  }
  const schema = def.response ? jsonSchemaOf(def.response, 'output') : { type: 'object', description: 'JSON (its shape is not declared as a schema yet).' };
  return { [status]: { description: 'Success.', content: { 'application/json': { schema } } } };
}

function operationOf(route: RegisteredRoute): JsonSchema {
  const { def } = route;
  const errors = [...commonErrorsOf(def), ...(def.errors ?? [])];
  const operation: JsonSchema = {
    operationId: `${def.method}${openApiPath(route.path).replace(/^\/api(\/v1)?/, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    tags: [tagOf(route.path)],
    summary: def.summary,
    description: [def.description, `**Access.** ${accessText(def.access)}`].filter(Boolean).join('\n\n'),
    'x-permission': def.access,
    security: def.access === 'public' ? [] : [{ apiToken: [] }, { sessionCookie: [] }],
    parameters: parametersOf(def),
    responses: { ...successResponse(def), ...errorResponses(errors) },
  };
  if (def.body) {
    operation.requestBody = {
      required: true,
      content: def.bodyType
        ? { [def.bodyType]: { schema: { type: 'string' } } }
        : { 'application/json': { schema: jsonSchemaOf(def.body, 'input') } },
    };
  }
  const samples = codeSamplesFor(def.method, openApiPath(route.path));
  if (samples.length > 0) operation['x-codeSamples'] = samples;
  return operation;
}

export interface DocumentOptions {
  /** Where the API is reached, e.g. https://activegroups.example.org */
  serverUrl: string;
  version: string;
}

export function buildOpenApiDocument(routes: readonly RegisteredRoute[], options: DocumentOptions) {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags: string[] = [];
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] ??= {};
    // Several apps built in one process (tests) register the same routes again: first one wins.
    if (paths[path][route.def.method]) continue;
    paths[path][route.def.method] = operationOf(route);
    const tag = tagOf(route.path);
    if (!tags.includes(tag)) tags.push(tag);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'ActiveGroups API',
      version: options.version,
      description: apiGuideMarkdown(options.serverUrl),
    },
    servers: [{ url: options.serverUrl }],
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        apiToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'A personal API token (Account → API tokens), sent as `Authorization: Bearer <token>`. No CSRF header needed.',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'ag_session',
          description: 'The browser session after signing in; state-changing requests also need the X-CSRF-Token header.',
        },
      },
      schemas: {
        ErrorEnvelope: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', description: 'Stable, machine-readable code.' },
                message: { type: 'string', description: 'What went wrong, for a person.' },
                details: { description: 'More about the error, e.g. one entry per invalid field.' },
              },
            },
          },
        },
      },
    },
  };
}
