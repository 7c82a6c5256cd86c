import jwt from 'jsonwebtoken';
import type { Context } from 'koa';
import passport from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import type { AuthUser } from './handler.ts';
import { ProblemError, unauthorized } from './problem.ts';

const ISSUER = 'pasar';
const AUDIENCE = 'pasar-api';
const ALGORITHM = 'HS256';

interface AccessClaims {
  sub: string;
  role: AuthUser['role'];
  sid: string;
  /** The language the user chose, if they did (read by locale.ts). */
  lng?: 'id' | 'en';
}

export function signAccessToken(user: AuthUser, secret: string, ttlSeconds: number, lng?: 'id' | 'en'): string {
  const claims: AccessClaims = { sub: user.id, role: user.role, sid: user.sessionId, ...(lng ? { lng } : {}) };
  return jwt.sign(claims, secret, { algorithm: ALGORITHM, issuer: ISSUER, audience: AUDIENCE, expiresIn: ttlSeconds });
}

/**
 * Access tokens are verified by passport-jwt without a database round trip: they live at most
 * 15 minutes, and revocation happens at refresh time.
 */
export function createAuthenticator(secret: string): (ctx: Context) => Promise<AuthUser> {
  const authenticator = new passport.Passport();
  authenticator.use(
    new JwtStrategy(
      {
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        secretOrKey: secret,
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [ALGORITHM],
      },
      (claims: AccessClaims, done: (err: unknown, user?: AuthUser | false) => void) => {
        const valid = typeof claims.sub === 'string' && typeof claims.sid === 'string' && ['customer', 'seller'].includes(claims.role);
        done(null, valid ? { id: claims.sub, role: claims.role, sessionId: claims.sid } : false);
      },
    ),
  );
  return (ctx) =>
    new Promise<AuthUser>((resolve, reject) => {
      const middleware = authenticator.authenticate('jwt', { session: false }, (err: unknown, user: AuthUser | false, info: unknown) => {
        if (err) return reject(err);
        if (user) return resolve(user);
        const expired = info instanceof Error && info.name === 'TokenExpiredError';
        const missing = !ctx.get('Authorization');
        reject(
          new ProblemError(401, missing ? 'Sign in to continue: send Authorization: Bearer <access token>.' : expired ? 'The access token has expired; refresh it.' : 'The access token is not valid.', {
            headers: { 'WWW-Authenticate': `Bearer realm="pasar"${missing ? '' : ', error="invalid_token"'}` },
          }),
        );
      });
      middleware(ctx.req, ctx.res, () => reject(unauthorized()));
    });
}
