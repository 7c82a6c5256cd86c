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

const NUL = /\u0000/;
const escape = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/** No request of the contract nests deeper than this; deeper JSON is refused before anything walks it. */
const MAX_DEPTH = 32;

/** JSON pointers of the strings (and keys) holding a NUL, walked without recursion; throws past MAX_DEPTH. */
function nulPointers(value: unknown, root: string, out: string[]): void {
  const stack: Array<[unknown, string, number]> = [[value, root, 0]];
  while (stack.length) {
    const [item, pointer, depth] = stack.pop()!;
    if (typeof item === 'string') {
      if (NUL.test(item)) out.push(pointer);
    } else if (item && typeof item === 'object' && !Buffer.isBuffer(item)) {
      if (depth >= MAX_DEPTH) throw badRequest(`The body nests deeper than ${MAX_DEPTH} levels.`, [{ pointer, message: 'is nested too deeply' }]);
      for (const [key, child] of Object.entries(item)) {
        if (NUL.test(key)) out.push(`${pointer}/${escape(key)}`);
        else stack.push([child, `${pointer}/${escape(key)}`, depth + 1]);
      }
    }
  }
  out.sort();
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
