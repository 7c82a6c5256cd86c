import type { Knex } from 'knex';
import { OutboxEvent } from './models/outbox-event.ts';
import type { OutboxTopic, OutboxTopics } from './outbox.ts';

export interface OutboxRow<T extends OutboxTopic = OutboxTopic> {
  id: string;
  topic: T;
  payload: OutboxTopics[T];
  attempts: number;
}

export type OutboxHandlers = { [T in OutboxTopic]?: (row: OutboxRow<T>) => Promise<void> };

const MAX_ATTEMPTS = 10;
/** A claim's lease: a row a crashed process had claimed goes out again after at most this long. */
export const LEASE_SECONDS = 20;
/** A handler that has not finished by then counts as failed (and is retried with backoff). */
export const HANDLER_TIMEOUT_MS = 8_000;
/** Margin kept between the last handler's deadline and the end of the lease. */
const SAFETY_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`handler did not finish in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** A claimed row as the claim's RETURNING gives it (raw SQL: snake_case). */
interface ClaimedRow extends OutboxRow {
  locked_until: Date;
}

/**
 * Delivers pending outbox rows whose topic has a handler. A batch is claimed with SKIP LOCKED under
 * a short lease: while the lease runs, no other worker takes the row, and a crashed worker's rows
 * go out again once it ends (within LEASE_SECONDS). A row is handled only while its lease still
 * covers the handler's whole timeout, so no row is handled after its lease ran out; the rest of
 * the batch is released. Delivery is at least once, not exactly once: a worker that dies (or loses
 * the database) after its handler ran but before the row is marked done leaves the row to be
 * claimed and handled again (emails carry the event id as Message-ID for that). A failure is
 * retried with exponential backoff (capped at an hour) and given up (`failed`) after MAX_ATTEMPTS.
 * Returns how many rows were delivered.
 */
export async function relayOutbox(db: Knex, handlers: OutboxHandlers, batchSize = 20): Promise<number> {
  const topics = Object.keys(handlers);
  if (topics.length === 0) return 0;
  const claimedAt = Date.now();
  const { rows: claimed } = await db.raw<{ rows: ClaimedRow[] }>(
    // millisecond precision, so the lease read back into a Date still names this exact claim
    `with picked as (
       select id from outbox
       where status = 'pending' and available_at <= now() and (locked_until is null or locked_until < now())
         and topic = any(?)
       order by created_at
       limit ?
       for update skip locked),
     claimed as (
       update outbox o set locked_until = date_trunc('milliseconds', now() + make_interval(secs => ?)), attempts = attempts + 1
       from picked where o.id = picked.id
       returning o.id, o.topic, o.payload, o.attempts, o.locked_until, o.created_at)
     -- oldest first, ordered here at microseconds (a JavaScript Date would tie events of one millisecond)
     select id, topic, payload, attempts, locked_until from claimed order by created_at, id`,
    [topics, batchSize, LEASE_SECONDS],
  );
  let delivered = 0;
  for (const [index, row] of claimed.entries()) {
    if (Date.now() - claimedAt + HANDLER_TIMEOUT_MS > LEASE_SECONDS * 1000 - SAFETY_MS) {
      // not enough lease left for another handler: give the rest back untouched
      const rest = claimed.slice(index);
      await OutboxEvent.query(db)
        .whereIn('id', rest.map((r) => r.id))
        .patch({ lockedUntil: null, attempts: db.raw('attempts - 1') });
      break;
    }
    // only our own claim may finish a row (a lease that ran out belongs to whoever claimed it next)
    const ours = () => OutboxEvent.query(db).where({ id: row.id, lockedUntil: row.locked_until });
    try {
      await withTimeout((handlers[row.topic] as (r: OutboxRow) => Promise<void>)(row), HANDLER_TIMEOUT_MS);
      await ours().patch({ status: 'done', processedAt: db.fn.now(), lockedUntil: null, lastError: null });
      delivered++;
    } catch (err) {
      const giveUp = row.attempts >= MAX_ATTEMPTS;
      const backoffSeconds = Math.min(3600, 2 ** row.attempts * 5);
      await ours().patch({
        status: giveUp ? 'failed' : 'pending',
        lockedUntil: null,
        lastError: (err instanceof Error ? err.message : String(err)).slice(0, 1000),
        availableAt: db.raw(`now() + make_interval(secs => ?)`, [backoffSeconds]),
      });
    }
  }
  return delivered;
}

/** Deletes delivered rows older than the retention; returns how many. */
export async function purgeOutbox(db: Knex, retentionDays: number): Promise<number> {
  return OutboxEvent.query(db).where({ status: 'done' }).where('processedAt', '<', db.raw(`now() - make_interval(days => ?)`, [retentionDays])).delete();
}

/** Counts by status and the failed rows (for /health and `npm run jobs -- outbox`). */
export async function outboxReport(db: Knex, limit = 50) {
  const counts = await db('outbox').groupBy('status').select<Array<{ status: string; n: number }>>('status', db.raw('count(*) as n'));
  const failed = await OutboxEvent.query(db)
    .where({ status: 'failed' })
    .orderBy('createdAt', 'desc')
    .limit(limit)
    .select('id', 'topic', 'attempts', 'lastError', 'createdAt');
  return {
    counts: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])) as Record<string, number>,
    failed: failed.map((f) => ({ id: f.id, topic: f.topic, attempts: f.attempts, lastError: f.lastError ?? '', createdAt: f.createdAt.toISOString() })),
  };
}

/** How many rows were given up on (cheap: a partial index covers them). */
export async function failedOutboxCount(db: Knex): Promise<number> {
  const [{ n }] = await db('outbox').where({ status: 'failed' }).count<Array<{ n: number }>>({ n: '*' });
  return Number(n);
}
