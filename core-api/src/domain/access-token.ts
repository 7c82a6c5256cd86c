import type { AuthUser } from './caller.ts';

/** The access token's contract between its issuer (accounts) and its verifier (http/auth.ts). */
export const ACCESS_TOKEN = { issuer: 'pasar', audience: 'pasar-api', algorithm: 'HS256' } as const;

export interface AccessClaims {
  sub: string;
  role: AuthUser['role'];
  sid: string;
  /** The language the user chose, if they did (read by locale.ts). */
  lng?: 'id' | 'en';
}
