import jwt from 'jsonwebtoken';
import { ACCESS_TOKEN, type AccessClaims } from '../../domain/access-token.ts';
import type { AuthUser } from '../../domain/caller.ts';

/** A signed access token for `user`'s session, valid `ttlSeconds` from `issuedAt`; `lng` when they chose a language. */
export function signAccessTokenAt(user: AuthUser, secret: string, ttlSeconds: number, issuedAt: Date, lng?: 'id' | 'en'): string {
  const iat = Math.floor(issuedAt.getTime() / 1000);
  const claims: AccessClaims & { iat: number; exp: number } = { sub: user.id, role: user.role, sid: user.sessionId, iat, exp: iat + ttlSeconds, ...(lng ? { lng } : {}) };
  return jwt.sign(claims, secret, { algorithm: ACCESS_TOKEN.algorithm, issuer: ACCESS_TOKEN.issuer, audience: ACCESS_TOKEN.audience });
}
