import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createKnex, migrateLatest } from './db/knex.ts';
import { PostgresListener } from './db/listener.ts';
import { AgendaScheduler } from './jobs/scheduler.ts';
import { Mailer } from './mail/mailer.ts';
import { SimulatedGateway, type PaymentGateway } from './payments/gateway.ts';
import { MeiliSearchEngine, PostgresSearchEngine, type SearchEngine } from './search/engine.ts';
import { S3ObjectStorage } from './storage/s3.ts';
import type { ObjectStorage } from './storage/types.ts';

/** The outside systems the domain talks to, each behind its own small interface. */
export interface Platform {
  db: Knex;
  storage: ObjectStorage;
  mailer: Mailer;
  scheduler: AgendaScheduler;
  search: SearchEngine;
  payments: PaymentGateway;
  /** Postgres notifications (change events every replica hears). */
  listener: PostgresListener;
  /** Work to finish before the services stop (e.g. flushing buffered counters), last registered first. */
  beforeStop(task: () => Promise<unknown>): void;
  /** Where the embedded services can be reached, for the start banner and the tests. */
  endpoints: { databaseUrl: string; s3Endpoint: string; smtpUrl: string; inboxUrl?: string };
  checks: Record<'db' | 'storage' | 'mail' | 'jobs' | 'search', () => Promise<void>>;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  log: Logger;
  /** Start Agenda's job processing in this process (the API's default; the worker entry always does). */
  processJobs?: boolean;
  inboxPort?: number;
  /**
   * Embedded mode beside a running `npm start` on the same DATA_DIR (the jobs CLI): use its
   * Postgres, S3 server and SMTP catcher instead of refusing or starting second ones.
   */
  attach?: boolean;
}

/** What a process running the embedded services tells neighbours on the same DATA_DIR (see `attach`). */
interface Neighbour {
  pid: number;
  smtpUrl: string;
  inboxUrl?: string;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
}

async function readNeighbour(dataDir: string): Promise<Neighbour | null> {
  try {
    const neighbour = JSON.parse(await readFile(path.join(dataDir, 'embedded.json'), 'utf8')) as Neighbour;
    process.kill(neighbour.pid, 0);
    return neighbour;
  } catch {
    return null;
  }
}

/**
 * Starts whatever is not configured as an embedded service, then connects to everything.
 * Stops in reverse order; a failure while starting stops what was already started.
 */
export async function startPlatform(config: Config, opts: PlatformOptions): Promise<Platform> {
  const stops: Array<() => Promise<unknown> | unknown> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        opts.log.warn({ err }, 'error while stopping');
      }
    }
    stops.length = 0;
  };

  try {
    let databaseUrl = config.databaseUrl;
    const neighbour = opts.attach && !databaseUrl ? await readNeighbour(config.dataDir) : null;
    if (!databaseUrl) {
      // embedded services load only when used: in production they would cost the API's memory
      const { startEmbeddedPostgres } = await import('./embedded/postgres.ts');
      const pg = await startEmbeddedPostgres({ dataDir: config.dataDir, attach: Boolean(neighbour), onLog: (line) => opts.log.trace(line) });
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    const db = createKnex(databaseUrl);
    stops.push(() => db.destroy());
    await migrateLatest(db);
    const listener = new PostgresListener(databaseUrl);
    await listener.start();
    stops.push(() => listener.stop());

    let s3 = config.s3 ?? (neighbour ? { ...neighbour.s3, region: 'us-east-1', forcePathStyle: true } : undefined);
    if (!s3) {
      const { startEmbeddedS3 } = await import('./embedded/s3.ts');
      const embedded = await startEmbeddedS3({ dataDir: config.dataDir, bucket: 'pasar' });
      stops.push(() => embedded.stop());
      s3 = { ...embedded, region: 'us-east-1', forcePathStyle: true };
    }
    const storage = new S3ObjectStorage(s3);
    stops.push(() => storage.close());

    let smtpUrl = config.smtpUrl ?? neighbour?.smtpUrl;
    let inboxUrl: string | undefined = neighbour?.inboxUrl;
    if (!smtpUrl) {
      const { startEmbeddedMail } = await import('./embedded/mail.ts');
      const mail = await startEmbeddedMail({ dataDir: config.dataDir, inboxPort: opts.inboxPort });
      stops.push(() => mail.stop());
      smtpUrl = mail.smtpUrl;
      inboxUrl = mail.inboxUrl;
    }
    const mailer = new Mailer(smtpUrl, config.mailFrom);
    stops.push(() => mailer.close());

    const scheduler = await AgendaScheduler.open({
      mongoUrl: config.mongoUrl,
      databaseUrl,
      name: `pasar-${process.pid}`,
      onError: (err) => opts.log.warn({ error: err.message }, 'job scheduler error'),
    });
    if (opts.processJobs) await scheduler.start();
    stops.push(() => scheduler.stop());

    if (!config.databaseUrl && !neighbour) {
      const file = path.join(config.dataDir, 'embedded.json');
      const told: Neighbour = { pid: process.pid, smtpUrl, inboxUrl, s3: { endpoint: s3.endpoint, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } };
      await writeFile(file, JSON.stringify(told), { mode: 0o600 });
      stops.push(() => rm(file, { force: true }));
    }

    const search: SearchEngine = config.meili
      ? new MeiliSearchEngine(config.meili.url, config.meili.apiKey)
      : new PostgresSearchEngine(db);

    return {
      db,
      storage,
      mailer,
      scheduler,
      search,
      payments: new SimulatedGateway(db, config.payments.webhookSecret),
      listener,
      beforeStop: (task) => void stops.push(task),
      endpoints: { databaseUrl, s3Endpoint: s3.endpoint, smtpUrl, inboxUrl },
      checks: {
        db: async () => void (await db.raw('select 1')),
        storage: () => storage.check(),
        mail: () => mailer.check(),
        jobs: () => scheduler.check(),
        search: () => search.check(),
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
