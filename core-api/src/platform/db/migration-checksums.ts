import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Landed migrations by file name, each with the sha256 of its content when it landed. */
export type Checksums = Record<string, string>;

export const CHECKSUMS_FILE = 'checksums.json';
const RECORD_COMMAND = 'npm run migrations:checksum';

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The migration files (what knex runs: `.ts`) in `dir`, in the order knex runs them. */
function migrationFiles(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.ts')).sort();
}

export function recordedChecksums(dir: string): Checksums {
  const file = path.join(dir, CHECKSUMS_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Checksums) : {};
}

/**
 * What breaks the rule that a landed migration is never edited: a recorded migration whose content
 * changed or that is gone, and a migration nobody recorded. One sentence each; empty when all is well.
 */
export function migrationProblems(dir: string): string[] {
  const recorded = recordedChecksums(dir);
  const files = migrationFiles(dir);
  const problems: string[] = [];
  for (const name of files) {
    const expected = recorded[name];
    if (!expected) {
      problems.push(`${name} has no recorded checksum: if it is a new migration, record it with \`${RECORD_COMMAND}\` and commit migrations/${CHECKSUMS_FILE} with it.`);
    } else if (sha256(path.join(dir, name)) !== expected) {
      problems.push(`${name} changed after it landed (sha256 recorded ${expected}, now ${sha256(path.join(dir, name))}): a landed migration is never edited; restore it and add a new migration for the change.`);
    }
  }
  for (const name of Object.keys(recorded)) {
    if (!files.includes(name)) problems.push(`${name} landed but is gone: a landed migration is never removed; restore it.`);
  }
  return problems;
}

/** Records the checksum of every migration not recorded yet and returns their names; a recorded one is never rewritten. */
export function recordNewChecksums(dir: string): string[] {
  const recorded = recordedChecksums(dir);
  const added = migrationFiles(dir).filter((name) => !recorded[name]);
  if (added.length === 0) return [];
  for (const name of added) recorded[name] = sha256(path.join(dir, name));
  const sorted = Object.fromEntries(Object.entries(recorded).sort(([a], [b]) => a.localeCompare(b)));
  writeFileSync(path.join(dir, CHECKSUMS_FILE), JSON.stringify(sorted, null, 2) + '\n');
  return added;
}
