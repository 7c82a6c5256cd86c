import { cpSync, mkdtempSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { migrationsDirectory } from '../src/platform/db/knex.ts';
import { migrationProblems, recordNewChecksums, recordedChecksums } from '../src/platform/db/migration-checksums.ts';

describe('landed migrations are immutable', () => {
  it('should find every migration recorded in migrations/checksums.json with its content unchanged', () => {
    expect(migrationProblems(migrationsDirectory)).to.deep.equal([]);
  });

  describe('the check itself (on a copy of migrations/)', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'pasar-migrations-'));
      cpSync(migrationsDirectory, dir, { recursive: true });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('should fail when a recorded migration is edited, and refuse to re-record it', () => {
      const [landed] = Object.keys(recordedChecksums(dir));
      appendFileSync(path.join(dir, landed), '\n// one more line\n');
      const problems = migrationProblems(dir);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.include(`${landed} changed after it landed`).and.include('add a new migration');
      expect(recordNewChecksums(dir)).to.deep.equal([]);
      expect(migrationProblems(dir)).to.deep.equal(problems);
    });

    it('should fail on a migration without a recorded checksum, telling how to record it, and pass once recorded', () => {
      writeFileSync(path.join(dir, '20990101000001_new.ts'), 'export async function up() {}\nexport async function down() {}\n');
      const problems = migrationProblems(dir);
      expect(problems).to.have.length(1);
      expect(problems[0]).to.include('20990101000001_new.ts has no recorded checksum').and.include('npm run migrations:checksum');
      expect(recordNewChecksums(dir)).to.deep.equal(['20990101000001_new.ts']);
      expect(migrationProblems(dir)).to.deep.equal([]);
    });

    it('should fail when a landed migration is removed', () => {
      const [landed] = Object.keys(recordedChecksums(dir));
      rmSync(path.join(dir, landed));
      expect(migrationProblems(dir)).to.deep.equal([`${landed} landed but is gone: a landed migration is never removed; restore it.`]);
    });
  });
});
