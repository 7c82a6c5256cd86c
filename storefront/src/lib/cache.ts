/**
 * Public answers that change rarely (categories, provinces), kept in this process for a while so a
 * page does not wait for them on every request. Failures are not kept.
 */
const entries = new Map<string, { until: number; value: Promise<unknown> }>();

export function cached<T>(key: string, seconds: number, load: () => Promise<T | null>): Promise<T | null> {
  const now = Date.now();
  const hit = entries.get(key);
  if (hit && hit.until > now) return hit.value as Promise<T | null>;
  const value = load().then((v) => {
    if (v === null) entries.delete(key);
    return v;
  });
  entries.set(key, { until: now + seconds * 1000, value });
  return value;
}
