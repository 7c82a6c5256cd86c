import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { TITLES, translate } from './i18n.ts';
import type { Locale } from './locale.ts';
import { ProblemError } from './problem.ts';

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
}

/** Errors raised by Koa's own layers (body parsing, routing) that are the client's doing. */
function fromHttpError(err: HttpishError): ProblemError | null {
  if (err.httpCode === 413) return new ProblemError(413, 'The upload is larger than the 5 MB allowed.');
  const status = err.status ?? err.statusCode;
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
        sendProblem(ctx, new ProblemError(ctx.status, `${ctx.path} does not answer ${ctx.method}; it answers ${ctx.response.get('Allow') || 'nothing'}.`));
      }
    } catch (err) {
      const problem = err instanceof ProblemError ? err : fromHttpError(err as HttpishError);
      if (problem) {
        sendProblem(ctx, problem);
        return;
      }
      (ctx.state.log ?? log).error({ err }, 'unexpected error');
      sendProblem(ctx, new ProblemError(500, 'Something went wrong on our side. Quote the request id when reporting it.'));
    }
  };
}
