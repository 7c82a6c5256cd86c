import type { APIRoute } from 'astro';
import { clearSession, readSession } from '../lib/session';

/** Log out: the API revokes the session's token family; the cookies go. (POST only, behind the Origin check.) */
export const POST: APIRoute = async ({ locals, cookies, redirect }) => {
  const { refreshToken } = readSession(cookies);
  if (refreshToken) await locals.api.POST('/auth/logout', { body: { refreshToken } }).catch(() => undefined);
  clearSession(cookies);
  return redirect('/', 303);
};
