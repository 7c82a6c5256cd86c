import { Agenda } from 'agenda';
import { MongoBackend } from '@agendajs/mongo-backend';
import { PostgresBackend } from '@agendajs/postgres-backend';
import pg from 'pg';

/** Agenda, on MongoDB when MONGO_URL is set, otherwise on the Postgres that holds everything else. */
export class Scheduler {
  readonly agenda: Agenda;
  private readonly backend: MongoBackend | PostgresBackend;
  /** Ours, not Agenda's, so that a connection dropped at shutdown is logged instead of crashing the process. */
  private readonly pool?: pg.Pool;
  private started = false;

  constructor(opts: { mongoUrl?: string; databaseUrl: string; name: string; onError?: (err: Error) => void }) {
    const onError = opts.onError ?? (() => {});
    if (opts.mongoUrl) {
      this.backend = new MongoBackend({ address: opts.mongoUrl, collection: 'agendaJobs' });
    } else {
      this.pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 5 });
      this.pool.on('error', onError);
      const postgres = new PostgresBackend({ pool: this.pool, tableName: 'agenda_jobs' });
      postgres.notificationChannel?.on('error', onError);
      this.backend = postgres;
    }
    this.agenda = new Agenda({ backend: this.backend, processEvery: '5 seconds', name: opts.name });
    this.agenda.on('error', onError);
  }

  /**
   * Agenda's Postgres backend creates its tables and indexes when it connects; processes starting
   * at once on a fresh database (N APIs and M workers) race on that and crash on a duplicate index.
   * So each process first does it under an advisory lock: the first creates, the rest find it done.
   */
  static async prepareSchema(databaseUrl: string): Promise<void> {
    const lock = new pg.Client({ connectionString: databaseUrl });
    await lock.connect();
    try {
      await lock.query('select pg_advisory_lock(hashtext($1))', ['pasar:agenda-schema']);
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
      pool.on('error', () => {});
      const backend = new PostgresBackend({ pool, tableName: 'agenda_jobs' });
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

  get kind(): 'mongodb' | 'postgres' {
    return this.backend instanceof MongoBackend ? 'mongodb' : 'postgres';
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
