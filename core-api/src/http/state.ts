import type { Logger } from 'pino';
import type { Locale } from './locale.ts';

/** What the middleware keeps on `ctx.state` for what runs after it (Koa types it `any` otherwise). */
declare module 'koa' {
  interface DefaultState {
    /** Set by requestContext (request-context.ts), which runs first. */
    requestId: string;
    /** The request's logger, carrying its id (request-context.ts). */
    log: Logger;
    /** The language of the answer (locale.ts). */
    locale: Locale;
    /** The query and declared headers as validated and coerced against the operation (openapi.ts). */
    query: Record<string, unknown>;
    headers: Record<string, string>;
  }
  interface DefaultContext {
    /** The path parameters @koa/router matched. */
    params?: Record<string, string>;
  }
}
