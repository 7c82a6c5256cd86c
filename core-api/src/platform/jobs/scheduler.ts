import { Agenda } from 'agenda';
import type { MongoBackend } from '@agendajs/mongo-backend';
import type { PostgresBackend } from '@agendajs/postgres-backend';
import pg from 'pg';

type Options = { mongoUrl?: string; databaseUrl: string; name: string; onError?: (err: Error) => void };

/** Agenda, on MongoDB when MONGO_URL is set, otherwise on the Postgres that holds everything else. */
/**
 * Agenda's Postgres backend creates its tables and indexes when it connects; processes starting at
 * once on a fresh database (N APIs and M workers) race on that and crash on a duplicate index. So
 * each process first does it under an advisory lock: the first creates, the rest find it done.
 */
async function prepareSchema(databaseUrl: string, backendOn: (pool: pg.Pool) => { connect(): Promise<void>; disconnect(): Promise<void> }): Promise<void> {
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock(hashtext($1))', ['pasar:agenda-schema']);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    pool.on('error', () => {});
    const backend = backendOn(pool);
    try {
      await backend.connect();
    } finally {
      await backend.disconnect().catch(() => {});
      await pool.end().catch(() => {});
    }
  } finally {
    await lock.end(); // ends the session, and its lock with it
  }
}

export class Scheduler {
  readonly agenda: Agenda;
  private readonly backend: MongoBackend | PostgresBackend;
  /** Ours, not Agenda's, so that a connection dropped at shutdown is logged instead of crashing the process. */
  private readonly pool?: pg.Pool;
  private started = false;
  readonly kind: 'mongodb' | 'postgres';

  /** Loads only the job store's driver in use (the MongoDB driver alone costs the API tens of MB). */
  static async open(opts: Options): Promise<Scheduler> {
    const onError = opts.onError ?? (() => {});
    if (opts.mongoUrl) {
      const { MongoBackend } = await import('@agendajs/mongo-backend');
      return new Scheduler(opts, new MongoBackend({ address: opts.mongoUrl, collection: 'agendaJobs' }));
    }
    const { PostgresBackend } = await import('@agendajs/postgres-backend');
    await prepareSchema(opts.databaseUrl, (pool) => new PostgresBackend({ pool, tableName: 'agenda_jobs' }));
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 5 });
    pool.on('error', onError);
    const postgres = new PostgresBackend({ pool, tableName: 'agenda_jobs' });
    postgres.notificationChannel?.on('error', onError);
    return new Scheduler(opts, postgres, pool);
  }

  private constructor(opts: Options, backend: MongoBackend | PostgresBackend, pool?: pg.Pool) {
    this.backend = backend;
    this.pool = pool;
    this.kind = pool ? 'postgres' : 'mongodb';
    this.agenda = new Agenda({ backend: this.backend, processEvery: '5 seconds', name: opts.name });
    this.agenda.on('error', opts.onError ?? (() => {}));
  }

  /** Starts processing jobs in this process. */
  async start(): Promise<void> {
    await this.agenda.start();
    this.started = true;
  }

  async check(): Promise<void> {
    await this.agenda.queryJobs({ limit: 1 });
  }

  /** Lets running jobs finish (their locks are released), then closes the job store's connections. */
  async stop(): Promise<void> {
    // Agenda connects in the background from its constructor; let that finish before closing
    // (it never settles when the store is unreachable, hence the bound)
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.agenda.ready, new Promise((resolve) => (timer = setTimeout(resolve, 5000)))]);
    clearTimeout(timer);
    if (this.started) await this.agenda.stop(true);
    else await this.backend.disconnect();
    this.started = false;
    await this.pool?.end();
  }
}
