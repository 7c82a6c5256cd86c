// The notifications module's public surface: what other code imports. Nothing else of it is reached from outside.
export { notificationHandlers } from './handlers.ts';
export { queueDueWeeklyReports } from './weekly-report.ts';
