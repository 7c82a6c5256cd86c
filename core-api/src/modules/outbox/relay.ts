import type { Knex } from 'knex';
import type { OutboxTopic, OutboxTopics } from './outbox.ts';

export interface OutboxRow<T extends OutboxTopic = OutboxTopic> {
  id: string;
  topic: T;
  payload: OutboxTopics[T];
  attempts: number;
}

export type OutboxHandlers = { [T in OutboxTopic]?: (row: OutboxRow<T>) => Promise<void> };

const MAX_ATTEMPTS = 10;
const LOCK_SECONDS = 60;

/**
 * Delivers pending outbox rows whose topic has a handler. Rows are claimed with SKIP LOCKED and a
 * lease, so several workers never take the same row; a failure is retried with exponential backoff
 * (capped at an hour) and given up after MAX_ATTEMPTS. Returns how many rows were delivered.
 */
export async function relayOutbox(db: Knex, handlers: OutboxHandlers, batchSize = 50): Promise<number> {
  const topics = Object.keys(handlers);
  if (topics.length === 0) return 0;
  const { rows } = await db.raw(
    `update outbox set locked_until = now() + make_interval(secs => ?), attempts = attempts + 1
     where id in (
       select id from outbox
       where status = 'pending' and available_at <= now() and (locked_until is null or locked_until < now())
         and topic = any(?)
       order by created_at
       limit ?
       for update skip locked)
     returning id, topic, payload, attempts`,
    [LOCK_SECONDS, topics, batchSize],
  );
  let delivered = 0;
  for (const row of rows as OutboxRow[]) {
    try {
      await (handlers[row.topic] as (r: OutboxRow) => Promise<void>)(row);
      await db('outbox').where({ id: row.id }).update({ status: 'done', processedAt: db.fn.now(), lockedUntil: null, lastError: null });
      delivered++;
    } catch (err) {
      const giveUp = row.attempts >= MAX_ATTEMPTS;
      const backoffSeconds = Math.min(3600, 2 ** row.attempts * 5);
      await db('outbox')
        .where({ id: row.id })
        .update({
          status: giveUp ? 'failed' : 'pending',
          lockedUntil: null,
          lastError: String((err as Error)?.message ?? err).slice(0, 1000),
          availableAt: db.raw(`now() + make_interval(secs => ?)`, [backoffSeconds]),
        });
    }
  }
  return delivered;
}
