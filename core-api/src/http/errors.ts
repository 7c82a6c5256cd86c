import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { TITLES, translate } from './i18n.ts';
import type { Locale } from './locale.ts';
import { isDatabaseUnavailable, missingReferenceTable, sqlState } from '../platform/db/errors.ts';
import { ProblemError } from './problem.ts';
import { DomainError, type DomainErrorKind } from '../domain/errors.ts';

const STATUS: Record<DomainErrorKind, number> = {
  malformed: 400,
  unauthenticated: 401,
  'payment-failed': 402,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'precondition-failed': 412,
  'unsupported-media': 415,
  invalid: 422,
  'rate-limited': 429,
  'upstream-failed': 502,
};

/** A domain refusal as the problem the client is told: its kind picks the status, its code the type. */
export function fromDomainError(err: DomainError): ProblemError {
  const { limit } = err;
  return new ProblemError(STATUS[err.kind], err.message, {
    type: err.code,
    errors: err.errors,
    extensions: err.details,
    headers: limit && {
      'Retry-After': String(limit.retryAfterSeconds),
      RateLimit: `limit=${limit.points}, remaining=0, reset=${limit.retryAfterSeconds}`,
      'RateLimit-Policy': `${limit.points};w=${limit.windowSeconds}`,
    },
  });
}

interface HttpishError {
  status?: number;
  /** formidable's (multipart uploads) */
  httpCode?: number;
  statusCode?: number;
  expose?: boolean;
  type?: string;
  limit?: number;
  message?: string;
  headers?: Record<string, string>;
  code?: string;
}

/** Seconds a client should wait before retrying while the database is unreachable. */
const DATABASE_RETRY_AFTER = 5;

/** Errors raised by Koa's own layers (body parsing, routing) that are the client's doing. */
function fromHttpError(err: HttpishError): ProblemError | null {
  const status = err.status ?? err.statusCode;
  // inflation's refusal of an encoding the JSON parser does not know
  if (status === 415 && /^Unsupported Content-Encoding/.test(err.message ?? '')) {
    return new ProblemError(415, err.message!, { errors: [{ header: 'Content-Encoding', message: 'is not supported' }] });
  }
  // zlib failing on a gzip/deflate/br body that is not what its Content-Encoding says
  if (typeof err.code === 'string' && /^(Z_|ERR_BROTLI|ERR_ZLIB)/.test(err.code)) {
    return new ProblemError(400, 'The body could not be decompressed: it is not valid for its Content-Encoding.', {
      type: 'malformed-body',
      errors: [{ header: 'Content-Encoding', message: 'does not match the body' }],
    });
  }
  if (!status || status >= 500 || status < 400) return null;
  // the JSON parser marks its failures 400 without marking them safe to show
  if (status === 400 && (err instanceof SyntaxError || err.type === 'entity.parse.failed')) {
    return new ProblemError(400, 'The body is not valid JSON (an object is expected).', { type: 'malformed-body' });
  }
  if (!err.expose) return null;
  if (status === 413) {
    return new ProblemError(413, err.limit ? `The body is larger than the ${err.limit} bytes allowed.` : 'The body is too large.');
  }
  if (status === 400 && (err.type === 'encoding.unsupported' || err.type === 'charset.unsupported')) {
    return new ProblemError(415, err.message ?? 'Unsupported encoding.');
  }
  return new ProblemError(status, err.message ?? 'The request could not be handled.', { headers: err.headers });
}

/**
 * The last line for database failures a handler did not foresee: an unreachable database is a
 * 503 to retry; a constraint the client's input broke (a race on a unique value, a number out
 * of range, a row removed meanwhile) is a 4xx. Each is logged, as it marks a check to add.
 */
function fromDatabaseError(err: unknown): ProblemError | null {
  if (isDatabaseUnavailable(err)) {
    return new ProblemError(503, 'The database is unavailable; try again shortly.', { headers: { 'Retry-After': String(DATABASE_RETRY_AFTER) } });
  }
  // the only user a request writes is its caller: their account was removed while the token lived
  if (missingReferenceTable(err) === 'users') return new ProblemError(401, 'This account no longer exists.', { headers: { 'WWW-Authenticate': 'Bearer realm="pasar", error="invalid_token"' } });
  switch (sqlState(err)) {
    case '23505':
      return new ProblemError(409, 'Another request changed the same thing at the same time; try again.');
    case '23503':
      return new ProblemError(409, 'Something this request refers to was removed meanwhile.');
    case '22003':
      return new ProblemError(422, 'A number in the request is out of the range that can be stored.');
    case '22P05':
    case '22021':
      return new ProblemError(400, 'The request contains characters that cannot be stored.');
    case '40001':
    case '40P01':
      return new ProblemError(503, 'The request collided with others; try again.', { headers: { 'Retry-After': '1' } });
    default:
      return null;
  }
}

export function sendProblem(ctx: Context, problem: ProblemError): void {
  ctx.status = problem.status;
  // the rest of an oversized body was never read: the connection cannot carry another request
  if (problem.status === 413) ctx.set('Connection', 'close');
  for (const [name, value] of Object.entries(problem.headers ?? {})) ctx.set(name, value);
  ctx.type = 'application/problem+json';
  // in the caller's language (ctx.state.locale, see locale.ts): the code writes English
  const locale: Locale = ctx.state.locale ?? 'id';
  ctx.body = {
    type: problem.type,
    title: problem.title === TITLES.en[problem.status] ? TITLES[locale][problem.status] : translate(problem.title, locale),
    status: problem.status,
    detail: translate(problem.message, locale),
    instance: ctx.path,
    requestId: ctx.state.requestId,
    ...(problem.errors ? { errors: problem.errors.map((e) => ({ ...e, message: translate(e.message, locale) })) } : {}),
    ...problem.extensions,
  };
}

/** Turns every failure into application/problem+json; unexpected ones are logged and never described. */
export function problemErrors(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined && ctx.status === 404) {
        sendProblem(ctx, new ProblemError(404, `Nothing at ${ctx.method} ${ctx.path}.`));
      } else if (ctx.body === undefined && (ctx.status === 405 || ctx.status === 501)) {
        // a method no route knows (PROPFIND) is the client's mistake as much as a known one: 405, not 501
        sendProblem(ctx, new ProblemError(405, `${ctx.path} does not answer ${ctx.method}; it answers ${ctx.response.get('Allow') || 'nothing'}.`));
      }
    } catch (err) {
      if (err instanceof ProblemError || err instanceof DomainError) {
        sendProblem(ctx, err instanceof DomainError ? fromDomainError(err) : err);
        return;
      }
      const problem = fromHttpError(err as HttpishError);
      if (problem) {
        sendProblem(ctx, problem);
        return;
      }
      const database = fromDatabaseError(err);
      if (database) {
        (ctx.state.log ?? log).warn({ err }, 'the database refused or failed a request');
        sendProblem(ctx, database);
        return;
      }
      (ctx.state.log ?? log).error({ err }, 'unexpected error');
      sendProblem(ctx, new ProblemError(500, 'Something went wrong on our side. Quote the request id when reporting it.'));
    }
  };
}

/**
 * Requests Node's HTTP parser refuses before Koa sees them (a NUL or a bad character in a header,
 * a broken request line, headers too large) get a problem+json answer too, not Node's bare 400.
 */
export function answerUnparsableRequests(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({
      type: 'urn:pasar:problem:malformed-request',
      title: STATUS_CODES[status],
      status,
      detail: status === 431 ? 'The request headers are too large.' : 'The request is not valid HTTP/1.1.',
    });
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
