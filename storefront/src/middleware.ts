import { defineMiddleware } from 'astro:middleware';
import { apiFor } from './lib/api';
import { dictionaries, type Lang } from './lib/i18n';
import { clearSession, readSession, refreshSession, roleOf, saveSession } from './lib/session';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export const onRequest = defineMiddleware(async (ctx, next) => {
  const { url, cookies, request } = ctx;
  const site = (process.env.SITE_URL ?? url.origin).replace(/\/$/, '');
  const secure = site.startsWith('https:');

  // Language: ?lang= chooses and is remembered in a cookie; Bahasa Indonesia otherwise.
  let lang: Lang = cookies.get('lang')?.value === 'en' ? 'en' : 'id';
  const asked = url.searchParams.get('lang');
  if (asked === 'en' || asked === 'id') {
    lang = asked;
    cookies.set('lang', asked, { path: '/', maxAge: 365 * 86400, sameSite: 'lax', secure });
  }
  const t = dictionaries[lang];

  // CSRF: a form that changes state must come from one of our own pages (strict Origin check).
  if (!SAFE.has(request.method)) {
    const origin = request.headers.get('origin');
    if (!origin || (origin !== url.origin && origin !== new URL(site).origin)) {
      return new Response(
        `<!doctype html><html lang="${lang}"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>403</title>` +
          `<body style="font-family:system-ui;max-width:40rem;margin:3rem auto;padding:0 1rem"><h1>403</h1><p>${t.forbidden}</p><p><a href="/">${t.backHome}</a></p></body></html>`,
        { status: 403, headers: { 'content-type': 'text/html; charset=utf-8' } },
      );
    }
  }

  const clientAddress = ctx.clientAddress;
  let { accessToken, refreshToken } = readSession(cookies);
  if (!accessToken && refreshToken) {
    const renewed = await refreshSession(refreshToken, clientAddress);
    if (renewed) {
      saveSession(cookies, renewed, secure);
      accessToken = renewed.accessToken;
    } else if (renewed === null) {
      clearSession(cookies);
    }
  }

  ctx.locals.lang = lang;
  ctx.locals.t = t;
  ctx.locals.secure = secure;
  ctx.locals.site = site;
  ctx.locals.signedIn = Boolean(accessToken);
  ctx.locals.role = accessToken ? roleOf(accessToken) : undefined;
  const userAgent = ctx.request.headers.get('user-agent') ?? undefined;
  ctx.locals.api = apiFor({ accessToken, clientAddress, userAgent, lang, onUnauthorized: () => clearSession(cookies) });
  const response = await next();
  // pages with a shopper's data are never stored by shared caches
  if (accessToken && !response.headers.has('cache-control')) response.headers.set('cache-control', 'private, no-store');
  return response;
});
