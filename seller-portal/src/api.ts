import { createPasarClient } from '@pasar/openapi';

const baseUrl = import.meta.env.VITE_API_URL ?? 'http://localhost:3000';

/**
 * The access token lives in memory only; the refresh token is an httpOnly cookie the API sets
 * (`?refreshToken=cookie`), which page scripts cannot read.
 */
let accessToken: string | null = null;

export const api = createPasarClient(baseUrl, {
  credentials: 'include',
  fetch: (request: Request) => {
    if (accessToken) request.headers.set('Authorization', `Bearer ${accessToken}`);
    return fetch(request);
  },
});

export function setAccessToken(token: string | null): void {
  accessToken = token;
}
