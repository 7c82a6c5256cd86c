import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'koa';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { ACCESS_TOKEN, accessTokenKey, type AccessClaims } from '../domain/access-token.ts';
import type { AuthUser } from './handler.ts';
import { ProblemError, unauthorized } from './problem.ts';

const ENDED = Symbol('session ended');

/** Whether the session an access token was issued for is still live (not signed out, user not deleted). */
export type SessionCheck = (userId: string, sessionId: string) => Promise<boolean>;

/**
 * Access tokens are verified by passport-jwt, then their session is checked through a cache of a
 * few seconds (SessionCheck), so a signed-out session's tokens stop working on every replica
 * within seconds, without a query per request.
 */
export function createAuthenticator(secret: string, sessionIsLive: SessionCheck): (ctx: Context) => Promise<AuthUser> {
  const authenticator = new passport.Passport();
  authenticator.use(
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        // passport-jwt types the key as string | Buffer; it hands it to jsonwebtoken, which takes a key object
        secretOrKey: accessTokenKey(secret) as unknown as Buffer,
        issuer: ACCESS_TOKEN.issuer,
        audience: ACCESS_TOKEN.audience,
        algorithms: [ACCESS_TOKEN.algorithm],
      },
      (claims: AccessClaims, done: (err: unknown, user?: AuthUser | false, info?: unknown) => void) => {
        const valid = typeof claims.sub === 'string' && typeof claims.sid === 'string' && ['customer', 'seller'].includes(claims.role);
        if (!valid) return done(null, false);
        sessionIsLive(claims.sub, claims.sid).then(
          (live) => (live ? done(null, { id: claims.sub, role: claims.role, sessionId: claims.sid }) : done(null, false, ENDED)),
          (err) => done(err),
        );
      },
    ),
  );
  return (ctx) =>
    new Promise<AuthUser>((resolve, reject) => {
      // passport types the middleware it returns as `any`: it is Connect-style
      const middleware = authenticator.authenticate('jwt', { session: false }, (err: unknown, user: AuthUser | false, info: unknown) => {
        if (err) return reject(err);
        if (user) return resolve(user);
        const expired = info instanceof Error && info.name === 'TokenExpiredError';
        const missing = !ctx.get('Authorization');
        const detail = missing
          ? 'Sign in to continue: send Authorization: Bearer <access token>.'
          : expired
            ? 'The access token has expired; refresh it.'
            : info === ENDED
              ? 'This session has ended (signed out, password changed or account removed); sign in again.'
              : 'The access token is not valid.';
        reject(
          new ProblemError(401, detail, {
            headers: { 'WWW-Authenticate': `Bearer realm="pasar"${missing ? '' : ', error="invalid_token"'}` },
          }),
        );
      }) as (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
      middleware(ctx.req, ctx.res, () => reject(unauthorized()));
    });
}
