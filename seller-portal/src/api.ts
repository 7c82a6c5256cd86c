import { createPasarClient, type components } from '@pasar/openapi';
import { currentLang } from './i18n.ts';

export type Problem = components['schemas']['Problem'];

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The API on the host name this page was loaded from when both are local: the refresh cookie is
 * SameSite=Strict, so a portal on 127.0.0.1 must call 127.0.0.1, not localhost.
 */
function apiBase(): string {
  const url = new URL(__PASAR_API_URL__);
  if (LOOPBACK.has(url.hostname) && LOOPBACK.has(location.hostname)) url.hostname = location.hostname;
  return url.origin;
}

export const apiUrl = apiBase();

/** The access token lives in memory only; the refresh token is the API's httpOnly cookie. */
let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

const send = (request: Request) => {
  if (accessToken) request.headers.set('Authorization', `Bearer ${accessToken}`);
  // the API's field messages in the portal's language
  request.headers.set('Accept-Language', currentLang());
  return fetch(request);
};

export const api = createPasarClient(apiUrl, {
  credentials: 'include',
  // an expired access token is renewed once through the cookie, then the request is retried
  fetch: async (request: Request) => {
    const retry = request.clone();
    const response = await send(request);
    if (response.status !== 401 || !accessToken || new URL(request.url).pathname.startsWith('/auth/')) return response;
    return (await refreshSession()) ? send(retry) : response;
  },
});

export type Session = components['schemas']['AuthSession'];

/** One refresh at a time: concurrent 401s share it (the token rotates, a second use would revoke the family). */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const { data } = await api.POST('/auth/refresh', { params: { query: { refreshToken: 'cookie' } } });
      setAccessToken(data?.user.role === 'seller' ? data.accessToken : null);
      return Boolean(accessToken);
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** problem+json `errors[]` as field name -> message, keyed by the last part of the pointer or the parameter. */
export function fieldErrors(problem: unknown, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of (problem as Problem | undefined)?.errors ?? []) {
    const key = e.pointer ?? e.parameter ?? e.header ?? '';
    if (!key.startsWith(prefix)) continue;
    out[key.slice(prefix.length)] ??= e.message;
  }
  return out;
}

/**
 * Uploads a file with progress (fetch cannot report upload progress, so this one request uses
 * XMLHttpRequest) to a multipart operation of the API; resolves with the status and parsed body.
 */
export function uploadFile(path: string, file: Blob, onProgress: (fraction: number) => void, method: 'POST' | 'PUT' = 'POST'): Promise<{ status: number; body: any }> {
  const attempt = () =>
    new Promise<{ status: number; body: any }>((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, apiUrl + path);
      xhr.withCredentials = true;
      if (accessToken) xhr.setRequestHeader('Authorization', `Bearer ${accessToken}`);
      xhr.setRequestHeader('Accept-Language', currentLang());
      xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
      xhr.onload = () => {
        let body: unknown = null;
        try {
          body = JSON.parse(xhr.responseText);
        } catch {
          body = null;
        }
        resolve({ status: xhr.status, body });
      };
      xhr.onerror = () => reject(new Error('network'));
      const form = new FormData();
      form.append('file', file);
      xhr.send(form);
    });
  return attempt().then(async (answer) => (answer.status === 401 && (await refreshSession()) ? attempt() : answer));
}
