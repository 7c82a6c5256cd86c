import cors from '@koa/cors';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createAuthenticator } from './http/auth.ts';
import { docsRouter } from './http/docs.ts';
import { problemErrors } from './http/errors.ts';
import { OpenApiValidator, loadSpec } from './http/openapi.ts';
import { requestContext } from './http/request-context.ts';
import { buildApiRouter } from './http/router.ts';
import { accountHandlers } from './modules/accounts/routes.ts';
import { AccountsService } from './modules/accounts/service.ts';
import { catalogHandlers } from './modules/catalog/routes.ts';
import { systemHandlers } from './modules/system/routes.ts';
import type { Platform } from './platform/index.ts';

export interface AppDeps {
  config: Config;
  platform: Platform;
  log: Logger;
}

export function buildApp({ config, platform, log }: AppDeps): Koa {
  const spec = loadSpec();
  const validator = new OpenApiValidator(spec);
  const api = buildApiRouter(
    validator,
    {
      ...systemHandlers(platform, log),
      ...accountHandlers(new AccountsService(platform.db, config), config),
      ...catalogHandlers(platform.db),
    },
    createAuthenticator(config.auth.jwtSecret),
  );
  const docs = docsRouter(spec);

  const app = new Koa({ proxy: config.trustProxy });
  app.use(requestContext(log));
  app.use(problemErrors(log));
  app.use(cors({ origin: (ctx) => (config.corsOrigins.includes(ctx.get('Origin')) ? ctx.get('Origin') : ''), credentials: true, exposeHeaders: ['X-Request-Id', 'Retry-After', 'ETag'] }));
  app.use(koaBody({ json: true, jsonLimit: '100kb', jsonStrict: true, text: false, urlencoded: false, multipart: false }));
  app.use(docs.routes());
  app.use(api.routes());
  app.use(api.allowedMethods());
  return app;
}
