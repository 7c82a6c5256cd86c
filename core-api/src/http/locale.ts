import type { Middleware } from 'koa';
import { verifyAccessToken } from '../domain/access-token.ts';

export type Locale = 'id' | 'en';
export const LOCALES: Locale[] = ['id', 'en'];

/**
 * The language of the answer: a signed-in user's explicitly chosen language (the `lng` claim of a
 * valid access token), else the best of `Accept-Language`, else Bahasa Indonesia. Every response
 * says which in `Content-Language`.
 */
export function negotiateLocale(secret: string): Middleware {
  return async (ctx, next) => {
    let locale: Locale | undefined;
    const bearer = /^Bearer (.+)$/i.exec(ctx.get('Authorization'))?.[1];
    if (bearer) {
      try {
        const claims = verifyAccessToken(bearer, secret);
        if (claims.lng === 'id' || claims.lng === 'en') locale = claims.lng;
      } catch {
        // an invalid token is the authenticator's to refuse; here it only cannot choose a language
      }
    }
    locale ??= (ctx.get('Accept-Language') && (ctx.acceptsLanguages(...LOCALES) as Locale | false)) || 'id';
    ctx.state.locale = locale;
    ctx.set('Content-Language', locale);
    // shared caches keep one answer per language
    ctx.vary('Accept-Language');
    await next();
  };
}
