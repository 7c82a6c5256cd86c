import type { Middleware } from 'koa';
import helmet from 'koa-helmet';
import proxyaddr from 'proxy-addr';

/**
 * The client's address: X-Forwarded-For is followed only through peers listed in TRUSTED_PROXIES
 * (the storefront's server, a load balancer), so limits apply per shopper behind them while anyone
 * else's forged header is ignored.
 */
export function clientAddress(trustedProxies: string[]): Middleware {
  const trust = proxyaddr.compile(trustedProxies);
  return async (ctx, next) => {
    ctx.request.ip = proxyaddr(ctx.req, trust);
    await next();
  };
}

const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
// the self-hosted reference page: its scripts are files of ours (no inline script, no eval); Swagger UI sets inline styles
const DOCS_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Headers every response carries: nosniff, no framing, no referrer, a Content-Security-Policy
 * (the strictest for JSON, one for /docs), HSTS in production. Responses to requests that carry
 * credentials are never stored by a cache.
 */
export function securityHeaders(production: boolean): Middleware {
  const headers = helmet({
    contentSecurityPolicy: false,
    // partners' front ends and the storefront show our images from their own origins
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    referrerPolicy: { policy: 'no-referrer' },
    frameguard: { action: 'deny' },
    strictTransportSecurity: production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
  });
  return async (ctx, next) => {
    try {
      await headers(ctx, next);
    } finally {
      ctx.set('Content-Security-Policy', ctx.path === '/docs' || ctx.path.startsWith('/docs/') ? DOCS_POLICY : API_POLICY);
      if (ctx.get('Authorization') || ctx.get('Cookie')) ctx.set('Cache-Control', 'no-store');
    }
  };
}
