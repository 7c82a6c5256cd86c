// The outbox module's public surface: what other code imports. Nothing else of it is reached from outside.
export { scheduleOutboxRelay } from './job.ts';
export { enqueue, enqueueAll, enqueueFrom, type OutboxEvents, type OutboxTopic, type OutboxTopics } from './outbox.ts';
export { failedOutboxCount, outboxReport, type OutboxHandlers, type OutboxRow } from './relay.ts';
