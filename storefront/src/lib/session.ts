import type { AstroCookies } from 'astro';
import { apiFor, type components } from './api';

type AuthSession = components['schemas']['AuthSession'];

const ACCESS = 'pasar_at';
const REFRESH = 'pasar_rt';
const REFRESH_DAYS = 30;

/** The access and refresh tokens live only in httpOnly cookies on this server; page scripts never see them. */
export function saveSession(cookies: AstroCookies, session: AuthSession, secure: boolean): void {
  const base = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
  // expire the access cookie a little early, so a page never sends a token that dies mid-request
  cookies.set(ACCESS, session.accessToken, { ...base, maxAge: Math.max(10, session.expiresIn - 30) });
  if (session.refreshToken) cookies.set(REFRESH, session.refreshToken, { ...base, maxAge: REFRESH_DAYS * 86400 });
}

export function clearSession(cookies: AstroCookies): void {
  cookies.delete(ACCESS, { path: '/' });
  cookies.delete(REFRESH, { path: '/' });
}

export function readSession(cookies: AstroCookies): { accessToken?: string; refreshToken?: string } {
  return { accessToken: cookies.get(ACCESS)?.value, refreshToken: cookies.get(REFRESH)?.value };
}

/** The role inside our own access token (for the header only; the API checks the token itself). */
export function roleOf(accessToken: string): string | undefined {
  try {
    return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()).role;
  } catch {
    return undefined;
  }
}

// Refresh tokens rotate and a reused one revokes the whole session, so requests of one browser that
// arrive together with the same old token share one refresh, and its result is kept for a moment.
const refreshes = new Map<string, Promise<AuthSession | null | undefined>>();
const KEEP_MS = 30_000;

/** The new session; null when the API refused the token (signed out); undefined when the API could not be asked. */
export function refreshSession(refreshToken: string, clientAddress: string | undefined): Promise<AuthSession | null | undefined> {
  let pending = refreshes.get(refreshToken);
  if (!pending) {
    pending = apiFor({ lang: 'id', clientAddress })
      .POST('/auth/refresh', { body: { refreshToken } })
      .then(({ data, response }) => data ?? (response.status < 500 ? null : undefined))
      .catch(() => undefined);
    refreshes.set(refreshToken, pending);
    setTimeout(() => refreshes.delete(refreshToken), KEEP_MS).unref();
  }
  return pending;
}
