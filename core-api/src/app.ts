import cors from '@koa/cors';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createAuthenticator } from './http/auth.ts';
import { docsRouter } from './http/docs.ts';
import { problemErrors } from './http/errors.ts';
import { contentEncodingGuard } from './http/input-guards.ts';
import { clientAddress, securityHeaders } from './http/security.ts';
import { OpenApiValidator, loadSpec } from './http/openapi.ts';
import { negotiateLocale } from './http/locale.ts';
import { requestContext } from './http/request-context.ts';
import { buildApiRouter } from './http/router.ts';
import { accountHandlers, storeLogoHandlers, AccountsService, SessionRegistry, StoreLogoService } from './modules/accounts/index.ts';
import { ImagesService, ProductsService, CatalogCache, dropCacheAfterWrites, catalogHandlers, PublicCatalog, processImage } from './modules/catalog/index.ts';
import { inventoryHandlers, InventoryService } from './modules/inventory/index.ts';
import { systemHandlers } from './modules/system/index.ts';
import { CheckoutFlow } from './flows/checkout.flow.ts';
import { checkoutHandlers } from './flows/routes.ts';
import { cartHandlers, CartService } from './modules/cart/index.ts';
import { orderHandlers, OrdersService } from './modules/orders/index.ts';
import { paymentHandlers, PaymentsService, paymentHooks } from './modules/payments/index.ts';
import { reviewHandlers, ReviewsService } from './modules/reviews/index.ts';
import { QuoteFlow } from './flows/quote.flow.ts';
import { addressHandlers, AddressesService } from './modules/addresses/index.ts';
import { regionHandlers, RegionsService } from './modules/regions/index.ts';
import { SimulatedCourier } from './modules/shipping/index.ts';
import { analyticsHandlers, AnalyticsService, ProductCounters, visitorKey } from './modules/analytics/index.ts';
import type { Platform } from './platform/index.ts';

export interface AppDeps {
  config: Config;
  platform: Platform;
  log: Logger;
}

/** Every operation's handler, built on the module services. */
function handlers({ config, platform, log }: AppDeps, cache: CatalogCache, sessions: SessionRegistry) {
  const { db, storage, search, payments: gateway } = platform;
  const urls = { publicUrl: config.publicUrl, s3PublicUrl: config.s3PublicUrl };
  const products = new ProductsService(db, urls);
  const counters = new ProductCounters(db, config.performance.counterFlushMs);
  platform.beforeStop(() => counters.stop());
  const cart = new CartService(db, urls, (productId, userId) => counters.count(productId, 'addsToCart', visitorKey({ userId, ip: '', userAgent: '' })));
  const regions = new RegionsService(db);
  const addresses = new AddressesService(db, regions);
  // the one shipping calculator, for quotes and checkout alike
  const shipping = { addresses, regions, calculator: new SimulatedCourier() };
  const accounts = new AccountsService(db, config, regions, sessions);
  return {
    ...systemHandlers(platform, log),
    ...accountHandlers(accounts, config),
    ...storeLogoHandlers(new StoreLogoService(db, storage, accounts, processImage)),
    ...regionHandlers(regions),
    ...addressHandlers(addresses),
    ...catalogHandlers({
      db,
      storage,
      products,
      publicCatalog: new PublicCatalog(db, search, urls),
      images: new ImagesService(db, storage, products, urls),
      cache,
      onViewed: (productId, ctx) => counters.count(productId, 'views', visitorKey({ ip: ctx.ip, userAgent: ctx.get('User-Agent') })),
    }),
    ...inventoryHandlers(new InventoryService(db)),
    ...cartHandlers(cart),
    ...orderHandlers(new OrdersService(db, paymentHooks(db, gateway))),
    ...checkoutHandlers(
      new CheckoutFlow(db, gateway, cart, shipping, { paymentTtlSeconds: config.payments.ttlSeconds, log }),
      new QuoteFlow(db, { cart, ...shipping }),
    ),
    ...paymentHandlers(new PaymentsService(db, gateway, log)),
    ...reviewHandlers(new ReviewsService(db)),
    ...analyticsHandlers(new AnalyticsService(db)),
  };
}

export function buildApp(deps: AppDeps): Koa {
  const { config, log, platform } = deps;
  const spec = loadSpec();
  const cache = new CatalogCache(platform.listener, config.performance.catalogCacheBytes);
  cache.start().catch((err) => log.warn({ err }, 'catalog cache is off: cannot listen to catalog changes'));
  const sessions = new SessionRegistry(platform.db);
  const authenticate = createAuthenticator(config.auth.jwtSecret, (userId, sessionId) => sessions.isLive(userId, sessionId));
  const api = buildApiRouter(new OpenApiValidator(spec), handlers(deps, cache, sessions), authenticate, config.uploadTmpDir);
  const docs = docsRouter(spec, config.publicUrl);

  // X-Forwarded-Proto (secure cookies) from trusted proxies; the client's address is clientAddress's
  const app = new Koa({ proxy: config.trustedProxies.length > 0 });
  app.use(requestContext(log));
  app.use(negotiateLocale(config.auth.jwtSecret));
  app.use(securityHeaders(config.env === 'production'));
  app.use(problemErrors(log));
  app.use(clientAddress(config.trustedProxies));
  app.use(contentEncodingGuard());
  app.use(cors({ origin: (ctx) => (config.corsOrigins.includes(ctx.get('Origin')) ? ctx.get('Origin') : ''), credentials: true, exposeHeaders: ['X-Request-Id', 'Retry-After', 'ETag', 'Idempotent-Replayed', 'Content-Language', 'RateLimit', 'RateLimit-Policy'] }));
  // includeUnparsed keeps the raw body beside the parsed one: webhook signatures are over the bytes sent
  app.use(koaBody({ json: true, jsonLimit: '100kb', jsonStrict: true, text: false, urlencoded: false, multipart: false, includeUnparsed: true }));
  app.use(docs.routes());
  app.use(dropCacheAfterWrites(cache));
  app.use(api.routes());
  app.use(api.allowedMethods());
  return app;
}
