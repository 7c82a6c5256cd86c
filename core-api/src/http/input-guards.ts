import type { Context, Middleware } from 'koa';
import type { FieldError } from './problem.ts';
import { ProblemError, badRequest } from './problem.ts';

/** What the JSON parser (co-body, through inflation) decodes; anything else is refused before reading. */
const DECODABLE = new Set(['identity', 'gzip', 'deflate', 'br']);

/**
 * Content-Encoding is checked before a body is read: an unknown one is a 415 (the JSON parser
 * would throw an unmarked error), and uploads are read as sent, so they take no encoding at all.
 */
export function contentEncodingGuard(): Middleware {
  return async (ctx, next) => {
    const encoding = (ctx.get('Content-Encoding') || 'identity').trim().toLowerCase();
    const hasBody = Number(ctx.get('Content-Length') || 0) > 0 || Boolean(ctx.get('Transfer-Encoding'));
    if (hasBody && (!DECODABLE.has(encoding) || (encoding !== 'identity' && ctx.is('multipart')))) {
      throw new ProblemError(415, `Content-Encoding "${ctx.get('Content-Encoding')}" is not accepted here: send the body as is${ctx.is('multipart') ? '' : ', or gzip, deflate or br'}.`, {
        errors: [{ header: 'Content-Encoding', message: 'is not supported' }],
      });
    }
    await next();
  };
}

// eslint-disable-next-line no-control-regex
const NUL = /\u0000/;
const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

function nulPointers(value: unknown, pointer: string, out: string[]): void {
  if (typeof value === 'string') {
    if (NUL.test(value)) out.push(pointer);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => nulPointers(item, `${pointer}/${i}`, out));
  } else if (value && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (NUL.test(key)) out.push(`${pointer}/${escape(key)}`);
      else nulPointers(item, `${pointer}/${escape(key)}`, out);
    }
  }
}

/** Postgres cannot store U+0000 in text or jsonb: a NUL anywhere in the input is the client's mistake. */
export function refuseNulCharacters(ctx: Context): void {
  const errors: FieldError[] = [];
  const message = 'must not contain the NUL character (U+0000)';
  for (const [name, value] of Object.entries({ ...(ctx.params ?? {}), ...ctx.query })) {
    const found: string[] = [];
    nulPointers(value, '', found);
    if (found.length || NUL.test(name)) errors.push({ parameter: name, message });
  }
  const body: string[] = [];
  nulPointers(ctx.request.body, '', body);
  errors.push(...body.map((pointer) => ({ pointer, message })));
  if (errors.length) throw badRequest('The request has invalid fields; see errors.', errors);
}
