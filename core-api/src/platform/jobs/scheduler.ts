import { Agenda } from 'agenda';
import type { MongoBackend } from '@agendajs/mongo-backend';
import type { PostgresBackend } from '@agendajs/postgres-backend';
import pg from 'pg';

type Options = { mongoUrl?: string; databaseUrl: string; name: string; onError?: (err: Error) => void };

/** What a job is given: the data it was queued with (`now(name, data)`); recurring jobs get `{}`. */
export type JobData = Record<string, unknown>;
export type JobHandler = (data: JobData) => Promise<void>;
export interface JobOptions {
  /**
   * How long (ms) a run holds the job's lock; a process that dies mid-run holds the job up this
   * long (Agenda's default: 10 minutes).
   */
  lockLifetime?: number;
}
/** A job as the store knows it (`npm run jobs -- list`). */
export interface ScheduledJob {
  name: string;
  repeatInterval?: string;
  nextRunAt?: Date;
  lastRunAt?: Date;
}

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

/** What the domain sees of the job scheduler: jobs are defined, repeated and queued by name. */
export interface Scheduler {
  define(name: string, handler: JobHandler, opts?: JobOptions): void;
  every(interval: string, name: string): Promise<void>;
  now(name: string, data?: JobData): Promise<void>;
}

/**
 * The job scheduler on Agenda, on MongoDB when MONGO_URL is set, otherwise on the Postgres that
 * holds everything else. Agenda stays inside this class.
 */
export class AgendaScheduler implements Scheduler {
  private readonly agenda: Agenda;
  private readonly backend: MongoBackend | PostgresBackend;
  /** Ours, not Agenda's, so that a connection dropped at shutdown is logged instead of crashing the process. */
  private readonly pool?: pg.Pool;
  private readonly handlers = new Map<string, JobHandler>();
  private started = false;
  readonly kind: 'mongodb' | 'postgres';

  /** Loads only the job store's driver in use (the MongoDB driver alone costs the API tens of MB). */
  static async open(opts: Options): Promise<AgendaScheduler> {
    const onError = opts.onError ?? (() => {});
    if (opts.mongoUrl) {
      const { MongoBackend } = await import('@agendajs/mongo-backend');
      return new AgendaScheduler(opts, new MongoBackend({ address: opts.mongoUrl, collection: 'agendaJobs' }));
    }
    const { PostgresBackend } = await import('@agendajs/postgres-backend');
    await prepareSchema(opts.databaseUrl, (pool) => new PostgresBackend({ pool, tableName: 'agenda_jobs' }));
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 5 });
    pool.on('error', onError);
    const postgres = new PostgresBackend({ pool, tableName: 'agenda_jobs' });
    postgres.notificationChannel?.on('error', onError);
    return new AgendaScheduler(opts, postgres, pool);
  }

  private constructor(opts: Options, backend: MongoBackend | PostgresBackend, pool?: pg.Pool) {
    this.backend = backend;
    this.pool = pool;
    this.kind = pool ? 'postgres' : 'mongodb';
    this.agenda = new Agenda({ backend: this.backend, processEvery: '5 seconds', name: opts.name });
    this.agenda.on('error', opts.onError ?? (() => {}));
  }

  /** What the job named `name` does, in whichever process runs jobs. */
  define(name: string, handler: JobHandler, opts: JobOptions = {}): void {
    this.handlers.set(name, handler);
    this.agenda.define<JobData | undefined>(name, (job) => handler(job.attrs.data ?? {}), opts);
  }

  /** Runs the defined job `name` every `interval` (human, e.g. `5 seconds`, or cron), once across all processes. */
  async every(interval: string, name: string): Promise<void> {
    await this.agenda.every(interval, name);
  }

  /** Queues one run of the defined job `name` with `data`, for whichever process runs jobs. */
  async now(name: string, data: JobData = {}): Promise<void> {
    await this.agenda.now(name, data);
  }

  /**
   * Runs the job `name` defined here, in this process, now, bypassing the store (where a running
   * API's scheduler would take it). False when no job has that name.
   */
  async runHere(name: string, data: JobData = {}): Promise<boolean> {
    const handler = this.handlers.get(name);
    if (!handler) return false;
    await handler(data);
    return true;
  }

  /** The jobs in the store: what recurs, when it runs next and when it last ran. */
  async list(): Promise<ScheduledJob[]> {
    const { jobs } = await this.agenda.queryJobs({});
    return jobs.map(({ name, repeatInterval, nextRunAt, lastRunAt }) => ({
      name,
      repeatInterval: repeatInterval === undefined ? undefined : String(repeatInterval),
      nextRunAt: nextRunAt ? new Date(nextRunAt) : undefined,
      lastRunAt: lastRunAt ? new Date(lastRunAt) : undefined,
    }));
  }

  /** Starts processing jobs in this process. */
  async start(): Promise<void> {
    await this.agenda.start();
    this.started = true;
  }

  /** Resolves once the job store is connected and answers a query. */
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
