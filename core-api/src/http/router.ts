import Router from '@koa/router';
import type { Context } from 'koa';
import type { AuthUser, Handler, HandlerInput, Handlers, OperationId } from './handler.ts';
import type { OpenApiValidator, Operation } from './openapi.ts';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { refuseNulCharacters } from './input-guards.ts';
import { withMultipart } from './multipart.ts';
import { forbidden, unauthorized } from './problem.ts';

/**
 * If-None-Match by weak comparison. As the origin we answer 304 even when the client also sends
 * Cache-Control: no-cache (browsers and fetch do with conditional requests): it asked us to check.
 */
function matchesEtag(ifNoneMatch: string, etag: string): boolean {
  if (!ifNoneMatch || !etag) return false;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || bare(tag) === bare(etag));
}

function weakEtag(body: unknown): string {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return `W/"${createHash('sha1').update(bytes).digest('base64url')}"`;
}

/**
 * Routes come from the spec: one route per operation, guarded by its `security` and `x-roles`,
 * validated against its parameters and body, answered by the handler of the same operationId.
 * A missing or extra handler is a startup error, so the routes cannot drift from the contract.
 */
export function buildApiRouter(
  validator: OpenApiValidator,
  handlers: Partial<Handlers>,
  authenticate: (ctx: Context) => Promise<AuthUser>,
  uploadTmpDir = tmpdir(),
): Router {
  const known = new Set(validator.operations.map((op) => op.operationId));
  const extra = Object.keys(handlers).filter((id) => !known.has(id));
  const missing = [...known].filter((id) => !(id in handlers));
  if (extra.length || missing.length) {
    throw new Error(`Handlers and openapi.yaml disagree. Without an operation: [${extra}]. Without a handler: [${missing}].`);
  }

  const router = new Router();
  for (const op of validator.operations) {
    const handler = handlers[op.operationId as OperationId] as Handler<OperationId>;
    router.register(op.routerPath, [op.method.toUpperCase()], (ctx) => handle(ctx, op, handler, validator, authenticate, uploadTmpDir), {
      name: op.operationId,
    });
  }
  return router;
}

async function handle(
  ctx: Context,
  op: Operation,
  handler: Handler<OperationId>,
  validator: OpenApiValidator,
  authenticate: (ctx: Context) => Promise<AuthUser>,
  uploadTmpDir: string,
): Promise<void> {
  const upload = validator.acceptsMultipart(op) && ctx.is('multipart');
  let user: AuthUser | undefined;
  try {
    if (op.secured) {
      user = await authenticate(ctx);
      if (op.roles.length > 0 && !op.roles.includes(user.role)) {
        throw forbidden(`Only ${op.roles.join(' or ')} accounts may do this.`);
      }
    }
    // path, query and headers are judged before an upload is read; its fields after
    refuseNulCharacters(ctx);
    validator.validateRequest(op, ctx);
  } catch (err) {
    // an unread upload would otherwise hold the connection
    if (upload) ctx.set('Connection', 'close');
    throw err;
  }
  if (!upload) return answer(ctx, op, handler, user);
  await withMultipart(ctx, uploadTmpDir, async () => {
    refuseNulCharacters(ctx);
    await answer(ctx, op, handler, user);
  });
}

async function answer(ctx: Context, op: Operation, handler: Handler<OperationId>, user: AuthUser | undefined): Promise<void> {
  const input = {
    body: ctx.request.body,
    query: ctx.state.query,
    params: ctx.params,
    headers: ctx.state.headers,
    user: () => user ?? (() => { throw unauthorized(); })(),
    ctx,
  } as HandlerInput<OperationId>;
  const reply = (await handler(input)) as { status: number; body?: unknown; headers?: Record<string, string> };
  ctx.status = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) ctx.set(name, value);
  if (reply.body !== undefined) ctx.body = reply.body;
  // operations that document 304 answer conditional requests
  if (op.method === 'get' && op.definition.responses?.['304'] && ctx.status === 200) {
    if (!ctx.response.get('ETag')) ctx.etag = weakEtag(ctx.body);
    if (matchesEtag(ctx.get('If-None-Match'), ctx.response.get('ETag'))) {
      ctx.status = 304;
      ctx.body = null;
    }
  }
}
