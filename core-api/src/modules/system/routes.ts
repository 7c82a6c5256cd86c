import type { Logger } from 'pino';
import type { components } from '@pasar/openapi/schema';
import type { Handlers } from '../../http/handler.ts';
import type { Platform } from '../../platform/index.ts';
import { failedOutboxCount } from '../outbox/index.ts';

type Health = components['schemas']['Health'];
type CheckName = keyof Health['checks'];

const TIMEOUT_MS = 3000;
/** Health answers from checks at most this old: a burst of calls runs the checks once. */
const MAX_AGE_MS = 2000;

async function timed(check: () => Promise<void>): Promise<{ ok: boolean; durationMs: number; error?: unknown }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS))),
    ]);
    return { ok: true, durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, durationMs: Math.round(performance.now() - started), error };
  } finally {
    clearTimeout(timer);
  }
}

export function systemHandlers(platform: Platform, log: Logger): Handlers<'getHealth'> {
  let last: { at: number; answer: Promise<{ healthy: boolean; body: Health }> } | undefined;
  const run = async () => {
    const names = Object.keys(platform.checks) as CheckName[];
    const results = await Promise.all(names.map((name) => timed(platform.checks[name])));
    const checks = {} as Health['checks'];
    names.forEach((name, i) => {
      const { ok, durationMs, error } = results[i];
      // what failed is logged for operators, never sent to the caller
      if (!ok) log.warn({ err: error, check: name }, 'health check failed');
      checks[name] = { status: ok ? 'ok' : 'failing', durationMs, ...(name === 'search' ? { backend: platform.search.kind } : {}) };
    });
    const healthy = results.every((r) => r.ok);
    const failed = checks.db.status === 'ok' ? await failedOutboxCount(platform.db).catch(() => 0) : 0;
    const body: Health = { status: !healthy ? 'failing' : failed > 0 ? 'degraded' : 'ok', checks, outbox: { failed } };
    return { healthy, body };
  };
  return {
    getHealth: async () => {
      // started at most MAX_AGE_MS ago: concurrent callers share the run in progress
      if (!last || performance.now() - last.at > MAX_AGE_MS) last = { at: performance.now(), answer: run() };
      const { healthy, body } = await last.answer;
      return healthy ? { status: 200, body } : { status: 503, body };
    },
  };
}
