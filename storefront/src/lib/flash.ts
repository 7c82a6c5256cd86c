import type { AstroCookies } from 'astro';

export interface Flash {
  kind: 'success' | 'error';
  text: string;
}

/** A one-time message carried across a POST -> redirect -> GET (in a cookie, read once). */
export function setFlash(cookies: AstroCookies, flash: Flash): void {
  cookies.set('flash', JSON.stringify(flash), { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 60 });
}

export function takeFlash(cookies: AstroCookies): Flash | undefined {
  const raw = cookies.get('flash')?.value;
  if (!raw) return undefined;
  cookies.delete('flash', { path: '/' });
  try {
    const flash = JSON.parse(raw) as Flash;
    return typeof flash.text === 'string' ? { kind: flash.kind === 'success' ? 'success' : 'error', text: flash.text } : undefined;
  } catch {
    return undefined;
  }
}

/** Where to go back to after a form: only a path on this site (never another host). */
export function safePath(value: FormDataEntryValue | string | null | undefined, fallback: string): string {
  return typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.includes('\\') ? value : fallback;
}
