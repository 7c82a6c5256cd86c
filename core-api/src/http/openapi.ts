import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Context } from 'koa';
import { parse as parseYaml } from 'yaml';
import type { FieldError } from './problem.ts';
import { ProblemError, badRequest } from './problem.ts';
import { translate } from './i18n.ts';
import type { Locale } from './locale.ts';

// ajv-formats is CommonJS with a default export
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Location = 'path' | 'query' | 'header';

/** The parts of an OpenAPI 3.1 document this file reads; the rest is left to Ajv, which compiles the schemas. */
interface Reference {
  $ref?: string;
}
interface SchemaObject extends Reference {
  default?: unknown;
  required?: string[];
  /** What a `pattern` means, said to people: { en, id }. */
  'x-pattern-message'?: Partial<Record<Locale, string>> & { en: string };
  [keyword: string]: unknown;
}
interface MediaType {
  schema?: SchemaObject;
}
interface ParameterObject extends Reference {
  name: string;
  in: Location | 'cookie';
  required?: boolean;
  schema?: SchemaObject;
}
interface RequestBodyObject extends Reference {
  required?: boolean;
  content?: Record<string, MediaType>;
}
interface ResponseObject extends Reference {
  content?: Record<string, MediaType>;
}
type SecurityRequirement = Record<string, string[]>;
export interface OperationObject {
  operationId: string;
  security?: SecurityRequirement[];
  'x-roles'?: string[];
  parameters?: ParameterObject[];
  requestBody?: RequestBodyObject;
  responses?: Record<string, ResponseObject>;
  [field: string]: unknown;
}
type PathItem = Partial<Record<HttpMethod, OperationObject>>;
export interface OpenApiDocument {
  servers: Array<{ url: string; description?: string }>;
  paths?: Record<string, PathItem>;
  security?: SecurityRequirement[];
  [field: string]: unknown;
}

export const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface Operation {
  operationId: string;
  method: HttpMethod;
  /** The path as the spec writes it: /products/{id} */
  path: string;
  /** The same path as @koa/router writes it: /products/:id */
  routerPath: string;
  secured: boolean;
  roles: string[];
  definition: OperationObject;
}

const SPEC_ID = 'pasar';

export function loadSpec(): OpenApiDocument {
  const file = fileURLToPath(import.meta.resolve('@pasar/openapi/openapi.yaml'));
  return parseYaml(readFileSync(file, 'utf8')) as OpenApiDocument;
}

function escapeSegment(segment: string): string {
  return encodeURIComponent(segment.replace(/~/g, '~0').replace(/\//g, '~1'));
}
function pointerTo(...segments: Array<string | number>): string {
  return `${SPEC_ID}#/${segments.map((s) => escapeSegment(String(s))).join('/')}`;
}

/**
 * Follows local `$ref`s ('#/components/...'), returning the target and its pointer segments. A
 * reference to a parameter lands on a parameter (and so on): the spec's own lint holds that.
 */
function follow<T extends Reference>(spec: OpenApiDocument, node: T, segments: Array<string | number>): { node: T; segments: Array<string | number> } {
  while (typeof node.$ref === 'string' && node.$ref.startsWith('#/')) {
    segments = node.$ref.slice(2).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    node = segments.reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], spec) as T;
  }
  return { node, segments };
}

export function listOperations(spec: OpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const definition = item[method];
      if (!definition) continue;
      const security = definition.security ?? spec.security ?? [];
      ops.push({
        operationId: definition.operationId,
        method,
        path,
        routerPath: path.replace(/\{([^}]+)\}/g, ':$1'),
        secured: security.some((requirement) => Object.keys(requirement).length > 0),
        roles: definition['x-roles'] ?? [],
        definition,
      });
    }
  }
  return ops;
}

const FORMATS: Record<string, string> = {
  uuid: 'a UUID', 'date-time': 'a date-time (RFC 3339)', date: 'a date (YYYY-MM-DD)', email: 'an email address', uri: 'a URL',
};

/**
 * What is wrong and what is expected, naming the rule ("must be at most 100"). A pattern says what
 * it means through its schema's `x-pattern-message` ({ en, id }); `\S` alone means "not blank".
 */
/** The params Ajv gives the keywords `describe` speaks of. */
interface ErrorParams {
  limit?: number;
  allowedValues?: unknown[];
  allowedValue?: unknown;
  type?: string;
  format?: string;
  pattern?: string;
  missingProperty?: string;
  additionalProperty?: string;
}

function describe(error: ErrorObject, where: 'body' | Location, locale: Locale): string {
  const p = error.params as ErrorParams;
  switch (error.keyword) {
    case 'required':
      return 'is required';
    case 'additionalProperties':
      return where === 'body' ? 'is not a known field' : 'is not a known parameter';
    case 'minLength':
      return p.limit === 1 ? 'must not be blank' : `must be at least ${p.limit} characters long`;
    case 'maxLength':
      return `must be at most ${p.limit} characters long`;
    case 'minimum':
      return `must be at least ${p.limit}`;
    case 'maximum':
      return `must be at most ${p.limit}`;
    case 'exclusiveMinimum':
      return `must be more than ${p.limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${p.limit}`;
    case 'minItems':
      return `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'maxItems':
      return `must have at most ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'uniqueItems':
      return 'must not repeat an item';
    case 'minProperties':
      return 'must have at least one field';
    case 'enum':
      return `must be one of: ${(p.allowedValues ?? []).join(', ')}`;
    case 'const':
      return `must be exactly ${JSON.stringify(p.allowedValue)}`;
    case 'type':
      return `must be ${/^[aeiou]/.test(String(p.type)) ? 'an' : 'a'} ${String(p.type).replace(',', ' or ')}`;
    case 'format':
      return `must be ${FORMATS[String(p.format)] ?? `a valid ${p.format}`}`;
    case 'pattern': {
      const custom = (error.parentSchema as SchemaObject | undefined)?.['x-pattern-message'];
      if (custom) return custom[locale] ?? custom.en;
      return p.pattern === '\\S' ? 'must not be blank' : `must match the pattern ${p.pattern}`;
    }
    case 'oneOf': {
      const choices = ((error.schema as SchemaObject[] | undefined) ?? []).flatMap((branch) => branch.required ?? []);
      return choices.length ? `must have exactly one of: ${choices.join(', ')}` : 'must match exactly one form';
    }
    default:
      return error.message ?? 'is invalid';
  }
}

/** Where an ajv error points: the offending member for required/additionalProperties, else the value. */
function errorPath(error: ErrorObject): string {
  const p = error.params as ErrorParams;
  if (error.keyword === 'required') return `${error.instancePath}/${p.missingProperty}`;
  if (error.keyword === 'additionalProperties') return `${error.instancePath}/${p.additionalProperty}`;
  return error.instancePath;
}

function toFieldErrors(errors: ErrorObject[] | null | undefined, where: 'body' | Location, locale: Locale): FieldError[] {
  const out: FieldError[] = [];
  const seen = new Set<string>();
  for (const error of errors ?? []) {
    // `if`/`then` and anyOf repeat what the inner errors already say; a oneOf of `required`
    // alternatives ("an addressId or a shippingAddress") speaks for its branches
    if (['if', 'anyOf'].includes(error.keyword)) continue;
    if (error.keyword === 'required' && error.schemaPath.includes('/oneOf/')) continue;
    const path = errorPath(error);
    const message = translate(describe(error, where, locale), locale);
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    if (where === 'body') out.push({ pointer: path, message });
    else {
      const name = path.split('/')[1] ?? '';
      out.push(where === 'header' ? { header: name, message } : { parameter: name, message });
    }
  }
  return out;
}

interface CompiledOperation {
  params: Partial<Record<Location, ValidateFunction>>;
  /** Declared header parameters, as the spec spells them. */
  headerNames: string[];
  bodyTypes: string[];
  bodyRequired: boolean;
  body?: ValidateFunction;
}

/**
 * Validates requests (and, in tests, responses) against openapi.yaml itself: every schema is
 * compiled from a JSON pointer into the spec, so nothing is restated here.
 */
export class OpenApiValidator {
  readonly spec: OpenApiDocument;
  readonly operations: Operation[];
  private readonly strict: Ajv2020;
  private readonly coercing: Ajv2020;
  /** PATCH bodies change only what they send: no default is filled in. */
  private readonly strictNoDefaults: Ajv2020;
  private readonly compiled = new Map<string, CompiledOperation>();

  constructor(spec: OpenApiDocument) {
    this.spec = spec;
    this.operations = listOperations(spec);
    const make = (coerceTypes: boolean | 'array', useDefaults = true) => {
      // verbose: a pattern's message sits beside it in the schema (x-pattern-message)
      const ajv = new Ajv2020({ allErrors: true, strict: false, coerceTypes, useDefaults, verbose: true });
      addFormats(ajv);
      ajv.addSchema(spec, SPEC_ID);
      return ajv;
    };
    this.strict = make(false);
    this.coercing = make('array');
    this.strictNoDefaults = make(false, false);
    for (const op of this.operations) this.compiled.set(op.operationId, this.compile(op));
  }

  private compile(op: Operation): CompiledOperation {
    const base = ['paths', op.path, op.method];
    const params: CompiledOperation['params'] = {};
    const headerNames: string[] = [];
    const byLocation = new Map<Location, { properties: Record<string, SchemaObject>; required: string[] }>();
    (op.definition.parameters ?? []).forEach((raw, index) => {
      const { node: param, segments } = follow(this.spec, raw, [...base, 'parameters', index]);
      if (param.in === 'cookie') return;
      const location = param.in;
      const entry = byLocation.get(location) ?? { properties: {}, required: [] };
      if (location === 'header') headerNames.push(param.name);
      const name = location === 'header' ? param.name.toLowerCase() : param.name;
      // Ajv applies a default only where it sits beside `properties`, not behind a $ref: lift it here
      const fallback = param.schema?.default;
      entry.properties[name] = { $ref: pointerTo(...segments, 'schema'), ...(fallback !== undefined ? { default: fallback } : {}) };
      if (param.required) entry.required.push(name);
      byLocation.set(location, entry);
    });
    for (const location of ['path', 'query', 'header'] as const) {
      const entry = byLocation.get(location) ?? { properties: {}, required: [] };
      params[location] = this.coercing.compile({
        type: 'object',
        properties: entry.properties,
        required: entry.required,
        // unknown query parameters are refused like unknown body fields; other headers are not ours to judge
        additionalProperties: location === 'header',
      });
    }
    const compiled: CompiledOperation = { params, headerNames, bodyTypes: [], bodyRequired: false };
    if (op.definition.requestBody) {
      const { node: body, segments } = follow(this.spec, op.definition.requestBody, [...base, 'requestBody']);
      compiled.bodyTypes = Object.keys(body.content ?? {});
      compiled.bodyRequired = Boolean(body.required);
      if (body.content?.['application/json']?.schema) {
        compiled.body = (op.method === 'patch' ? this.strictNoDefaults : this.strict).compile({ $ref: pointerTo(...segments, 'content', 'application/json', 'schema') });
      }
    }
    return compiled;
  }

  acceptsMultipart(op: Operation): boolean {
    return this.compiled.get(op.operationId)!.bodyTypes.includes('multipart/form-data');
  }

  /** Validates and coerces the request in place; throws a 400/415 problem naming every bad field. */
  validateRequest(op: Operation, ctx: Context): void {
    const compiled = this.compiled.get(op.operationId)!;
    const errors: FieldError[] = [];
    const inputs: Record<Location, Record<string, unknown>> = {
      path: ctx.params ?? {},
      query: { ...ctx.query },
      header: ctx.headers,
    };
    for (const location of ['path', 'query', 'header'] as const) {
      const validate = compiled.params[location]!;
      if (!validate(inputs[location])) errors.push(...toFieldErrors(validate.errors, location, ctx.state.locale ?? 'id'));
    }
    ctx.state.query = inputs.query;
    ctx.state.headers = Object.fromEntries(compiled.headerNames.map((name) => [name, ctx.get(name)]));

    const hasBody = Number(ctx.get('Content-Length') || 0) > 0 || Boolean(ctx.get('Transfer-Encoding'));
    if (compiled.bodyTypes.length > 0) {
      if (hasBody) {
        if (!ctx.is(compiled.bodyTypes)) {
          throw new ProblemError(415, `Send the body as ${compiled.bodyTypes.join(' or ')}.`);
        }
      } else if (compiled.bodyRequired) {
        errors.push({ pointer: '', message: 'a request body is required' });
      }
      if (hasBody && compiled.body && !compiled.body(ctx.request.body)) {
        errors.push(...toFieldErrors(compiled.body.errors, 'body', ctx.state.locale ?? 'id'));
      }
    }
    if (errors.length > 0) throw badRequest('The request has invalid fields; see errors.', errors);
  }

  /** Returns what is wrong with a response (empty when it matches the spec). Used by the tests on every response. */
  responseErrors(op: Operation, status: number, contentType: string | null, body: unknown): string[] {
    const base = ['paths', op.path, op.method, 'responses'];
    // the spec documents 500 and 503 once, for every operation
    const raw: ResponseObject | undefined =
      op.definition.responses?.[String(status)] ??
      (status === 500 ? { $ref: '#/components/responses/InternalError' } : status === 503 ? { $ref: '#/components/responses/ServiceUnavailable' } : undefined);
    if (!raw) return [`${status} is not a documented response of ${op.operationId}`];
    const { node: response, segments } = follow(this.spec, raw, [...base, String(status)]);
    const content = response.content;
    if (!content) return body === undefined || body === '' ? [] : [`${status} of ${op.operationId} documents no body`];
    const type = (contentType ?? '').split(';')[0].trim();
    if (!content[type]) return [`${status} of ${op.operationId} is ${type || 'untyped'}, not ${Object.keys(content).join(' or ')}`];
    const validate = this.strict.getSchema(pointerTo(...segments, 'content', type, 'schema'))!;
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
  }

  /** Which operation a concrete request path belongs to (tests use it to validate responses). */
  match(method: string, path: string): Operation | undefined {
    const bare = path.split('?')[0];
    const candidates = this.operations.filter(
      (op) => op.method === method.toLowerCase() && new RegExp(`^${op.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare),
    );
    // a literal segment wins over a template: /products/search before /products/{id}
    const templated = (op: Operation) => (op.path.match(/\{/g) ?? []).length;
    return candidates.sort((a, b) => templated(a) - templated(b))[0];
  }
}
