// The registry of the streaming jobs submitted from this window: it starts them and keeps them by
// id for the tree, the commands and the output panels. Each job follows and cancels itself
// (livy/LivyJob.ts). No vscode import.
import type * as vscode from 'vscode';
import type { KafkaConnections } from '../clusters/KafkaConnections';
import type { LivyConnections } from '../clusters/LivyConnections';
import type { ClusterTarget } from '../clusters/ClusterTarget';
import type { LivyJob } from '../livy/LivyJob';
import type { PreflightReport } from '../preflight/streamingPreflight';
import type { SubmitRequest } from '../livy/request';
import type { SessionPool } from '../livy/submit';
import type { Logger } from '../logger';

type Listener = (job: LivyJob) => void;

/**
 * The streaming jobs submitted from this window, by id. A job is kept (state, output, log) after
 * Livy forgets it and after its panel closes, so its output can be opened again.
 */
export class JobRegistry implements vscode.Disposable {
  private readonly jobs = new Map<string, LivyJob>();
  private readonly pools = new Map<string, SessionPool>();
  private readonly preflights = new Map<string, PreflightReport>();
  private readonly lags = new Map<string, { dispose(): void }>();
  private readonly listeners = new Set<Listener>();
  private counter = 0;

  constructor(
    private readonly livy: LivyConnections,
    private readonly logger: Logger,
    /** The extension's Kafka connections: a job reading a known cluster's topic gets its lag against now. */
    private readonly kafka?: Pick<KafkaConnections, 'forBrokers'>,
  ) {}

  /** Called on every change of every job (each poll), and when a job is added. */
  onDidChange(listener: Listener): vscode.Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(job: LivyJob): void {
    for (const listener of this.listeners) {
      try {
        listener(job);
      } catch (err) {
        // One listener's failure neither stops the others nor reaches the job's polling.
        this.logger.error(`Telling of a change of job ${job.id}`, err);
      }
    }
  }

  get(jobId: string): LivyJob | undefined {
    return this.jobs.get(jobId);
  }

  /** What the pre-flight found before the job was submitted (none when it was submitted without one). */
  preflightOf(jobId: string): PreflightReport | undefined {
    return this.preflights.get(jobId);
  }

  list(cluster?: string): LivyJob[] {
    return [...this.jobs.values()].filter((j) => !cluster || j.snapshot.cluster.toLowerCase() === cluster.toLowerCase());
  }

  /** Starts a job and returns it at once; submission and following go on in the background. */
  async submit(target: ClusterTarget, request: SubmitRequest, interactive: boolean, preflight?: PreflightReport): Promise<LivyJob> {
    // The login is asked for (when needed) before the job exists: a refusal leaves nothing behind.
    const { livy, driverLog, noDriverLog } = await this.livy.job(target, { interactive });
    const { LivyJob, SessionPool, submit } = await this.livy.code();
    const cluster = target.cluster.name;
    const jobId = `${cluster}-${++this.counter}`;
    const job = new LivyJob({
      jobId,
      cluster,
      mode: request.mode,
      language: request.language,
      name: request.name,
      livy,
      driverLog,
      noDriverLog,
    });
    job.onDidChange((j) => this.changed(j));
    this.jobs.set(jobId, job);
    if (preflight) this.preflights.set(jobId, preflight);
    const pool = this.poolOf(cluster, () => new SessionPool(livy));
    this.logger.info(`Submitting ${request.name} to ${cluster} (${request.mode}, ${request.language}) as job ${jobId}`);
    void job
      .submitWith((signal) => submit(livy, pool, job, request, signal))
      .catch((err: unknown) => {
        this.logger.error(`Submitting ${request.name} to ${cluster}`, err);
        job.fail(err);
      });
    void this.followLag(job, request).catch((err: unknown) => this.logger.error(`Job ${job.id}: following its Kafka lag`, err));
    this.changed(job);
    return job;
  }

  private async followLag(job: LivyJob, request: SubmitRequest): Promise<void> {
    const { kafka } = this;
    if (!kafka || !request.code) return;
    const [{ brokersNamedIn, sameBroker }, { followKafkaLag }] = await Promise.all([
      import('../chunks/preflight'),
      import('../chunks/livy'),
    ]);
    const named = brokersNamedIn(request.code, request.language);
    if (named.length === 0 || job.ended) return;
    const lag = followKafkaLag(
      job,
      async (signal) => {
        const connection = await kafka.forBrokers((brokers) => named.some((n) => brokers.some((b) => sameBroker(n, b))), signal);
        if (connection) this.logger.info(`Job ${job.id}: Kafka lag read through the connection to ${connection.bootstrap}`);
        return connection?.service;
      },
      { onError: (err) => this.logger.error(`Job ${job.id}: reading its Kafka topics' latest offsets`, err) },
    );
    this.lags.set(job.id, lag);
  }

  private poolOf(cluster: string, create: () => SessionPool): SessionPool {
    const key = cluster.toLowerCase();
    let pool = this.pools.get(key);
    if (!pool) {
      pool = create();
      this.pools.set(key, pool);
    }
    return pool;
  }

  dispose(): void {
    // A job's dispose also aborts its submission if one is under way.
    for (const job of this.jobs.values()) job.dispose();
    for (const lag of this.lags.values()) lag.dispose();
    // Interactive sessions this window started hold cluster resources: close them.
    for (const pool of this.pools.values()) void pool.close();
    this.listeners.clear();
  }
}
