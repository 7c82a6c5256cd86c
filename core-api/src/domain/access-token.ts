import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AuthUser } from './caller.ts';

/** How access tokens are signed and whom they are for: the API checks all three on every token. */
export const ACCESS_TOKEN = { issuer: 'pasar', audience: 'pasar-api', algorithm: 'HS256' } as const;

/** What an access token says. */
export interface AccessClaims {
  sub: string;
  role: AuthUser['role'];
  sid: string;
  /** The language the user chose, if they did (read by http/locale.ts). */
  lng?: 'id' | 'en';
}

export function signAccessTokenAt(user: AuthUser, secret: string, ttlSeconds: number, issuedAt: Date, lng?: 'id' | 'en'): string {
  const iat = Math.floor(issuedAt.getTime() / 1000);
  const claims = { sub: user.id, role: user.role, sid: user.sessionId, iat, exp: iat + ttlSeconds, ...(lng ? { lng } : {}) };
  return jwt.sign(claims, secret, { algorithm: ACCESS_TOKEN.algorithm, issuer: ACCESS_TOKEN.issuer, audience: ACCESS_TOKEN.audience });
}

const keys = new Map<string, KeyObject>();
/**
 * The key object of `secret`, made once: given a string, jsonwebtoken first tries (and fails) to
 * read it as a public key and then makes a secret key, on every token it checks.
 */
export function accessTokenKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret))));
  return key;
}

/** The claims of a valid, unexpired access token signed with `secret`; throws for any other token. */
export function verifyAccessToken(token: string, secret: string): Partial<AccessClaims> {
  return jwt.verify(token, accessTokenKey(secret), { algorithms: [ACCESS_TOKEN.algorithm], issuer: ACCESS_TOKEN.issuer, audience: ACCESS_TOKEN.audience }) as Partial<AccessClaims>;
}
