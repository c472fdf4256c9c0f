import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { withoutIds } from '../kernel/schemas.js';

type ResponseMap = Record<string, { content?: Record<string, { schema: object }> } & object>;

/** The schema a response must match: by exact status, then `4xx`-style, then `default`; by media type. */
function schemaFor(responses: ResponseMap, status: number, mediaType: string): object | string {
  const entry = responses[String(status)] ?? responses[`${String(status)[0]}xx`] ?? responses.default;
  if (!entry) return `status ${status} is not documented`;
  if (!entry.content) return entry;
  const media = entry.content[mediaType];
  return media ? media.schema : `media type ${mediaType} is not documented for status ${status}`;
}

/**
 * Opt-in (tests): every JSON response of a route with response schemas is checked against them
 * after serialisation. A mismatch, an undocumented status or an undocumented media type turns the
 * response into a logged 500 `internal` problem naming the route and the error, so a test that
 * meets it fails loudly. Streams (the event stream) and non-JSON bodies (the NDJSON export) are
 * only checked for a documented status and media type.
 *
 * @example
 * if (opts.validateResponses) validateResponses(app);
 */
export function validateResponses(app: FastifyInstance): void {
  const ajv = new Ajv({ allErrors: false, strict: false });
  const compiled = new WeakMap<object, ValidateFunction>();
  const compile = (schema: object) => {
    let fn = compiled.get(schema);
    if (!fn) {
      fn = ajv.compile(withoutIds(schema));
      compiled.set(schema, fn);
    }
    return fn;
  };
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    const responses = req.routeOptions.schema?.response as ResponseMap | undefined;
    if (!responses || reply.statusCode === 304) return payload;
    const mediaType =
      String(reply.getHeader('content-type') ?? '')
        .split(';')[0]
        ?.trim() ?? '';
    const schema = schemaFor(responses, reply.statusCode, mediaType);
    let error = typeof schema === 'string' ? schema : undefined;
    if (!error && typeof payload === 'string' && /[/+]json$/.test(mediaType)) {
      const validate = compile(schema as object);
      if (!validate(JSON.parse(payload))) {
        const e = validate.errors?.[0];
        error = `${e?.instancePath || '/'} ${e?.message ?? 'does not match'} (${e?.schemaPath ?? ''})`;
      }
    }
    if (!error) return payload;
    const detail = `response of ${req.method} ${req.routeOptions.url} (${reply.statusCode}) breaks its schema: ${error}`;
    req.log.error({ route: req.routeOptions.url, status: reply.statusCode, error }, 'response schema violation');
    reply.code(500).type('application/problem+json');
    return JSON.stringify(problemBody(reply, detail));
  });
}

function problemBody(reply: FastifyReply, detail: string) {
  return {
    type: 'urn:humanos:problem:internal',
    title: 'internal',
    status: 500,
    code: 'internal',
    detail,
    instance: reply.request.url,
  };
}
