import { migrationsDirectory } from '../platform/db/knex.ts';
import { migrationProblems, recordNewChecksums } from '../platform/db/migration-checksums.ts';

/**
 * `npm run migrations:checksum`: records the checksum of each new migration in
 * migrations/checksums.json (commit it with the migration). A recorded migration is never
 * re-recorded: an edited one is reported, and the test suite fails on it.
 */
const added = recordNewChecksums(migrationsDirectory);
for (const name of added) process.stdout.write(`recorded ${name}\n`);
const problems = migrationProblems(migrationsDirectory);
for (const problem of problems) process.stderr.write(`${problem}\n`);
if (added.length === 0 && problems.length === 0) process.stdout.write('Every migration is recorded and unchanged.\n');
process.exit(problems.length ? 1 : 0);
