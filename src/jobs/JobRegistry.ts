// The registry of the streaming jobs submitted from this window, by id.
import * as vscode from 'vscode';
import type { LivyConnections } from '../clusters/LivyConnections';
import type { ClusterTarget } from '../clusters/resolveCluster';
import { HDInsightError, isCancellation, userMessage } from '../core/errors';
import type { LivyJob } from '../livy/LivyJob';
import type { SubmitRequest } from '../livy/request';
import type { SessionPool } from '../livy/submit';
import type { Logger } from '../logger';

/**
 * The streaming jobs submitted from this window, by id. A job is kept (state, output, log) after
 * Livy forgets it and after its panel closes, so its output can be opened again.
 */
export class JobRegistry implements vscode.Disposable {
  private readonly jobs = new Map<string, LivyJob>();
  private readonly pools = new Map<string, SessionPool>();
  private readonly submitting = new Map<string, AbortController>();
  /** Where each job runs, for cancel. */
  private readonly targets = new Map<string, ClusterTarget>();
  private readonly changed = new vscode.EventEmitter<LivyJob>();
  readonly onDidChange = this.changed.event;
  private counter = 0;

  constructor(
    private readonly livy: LivyConnections,
    private readonly logger: Logger,
  ) {}

  get(jobId: string): LivyJob | undefined {
    return this.jobs.get(jobId);
  }

  list(cluster?: string): LivyJob[] {
    return [...this.jobs.values()].filter((j) => !cluster || j.snapshot.cluster.toLowerCase() === cluster.toLowerCase());
  }

  /** Starts a job and returns it at once; submission and following go on in the background. */
  async submit(target: ClusterTarget, request: SubmitRequest, interactive: boolean): Promise<LivyJob> {
    // The login is asked for (when needed) before the job exists: a refusal leaves nothing behind.
    const livy = await this.livy.client(target, { interactive });
    const { LivyJob, SessionPool, submit } = await this.livy.code();
    const cluster = target.cluster.name;
    const jobId = `${cluster}-${++this.counter}`;
    const job = new LivyJob({ jobId, cluster, mode: request.mode, language: request.language, name: request.name, livy });
    job.onDidChange((j) => this.changed.fire(j));
    this.jobs.set(jobId, job);
    this.targets.set(jobId, target);
    const abort = new AbortController();
    this.submitting.set(jobId, abort);
    const pool = this.poolOf(cluster, () => new SessionPool(livy));
    this.logger.info(`Submitting ${request.name} to ${cluster} (${request.mode}, ${request.language}) as job ${jobId}`);
    void submit(livy, pool, job, request, abort.signal)
      .catch((err: unknown) => {
        if (isCancellation(err)) return job.markCancelled('Cancelled before Livy started it.');
        this.logger.error(`Submitting ${request.name} to ${cluster}`, err);
        job.fail(err);
      })
      .finally(() => this.submitting.delete(jobId));
    this.changed.fire(job);
    return job;
  }

  /** Cancels a job: the statement, the batch, or (a statement that started a streaming query) the session's queries. */
  async cancel(jobId: string): Promise<LivyJob> {
    const job = this.jobs.get(jobId);
    if (!job) throw new HDInsightError('NotFound', `There is no job ${jobId} in this window.`);
    if (job.ended && !this.hasRunningQueries(job)) return job;
    const pending = this.submitting.get(jobId);
    if (pending) {
      pending.abort();
      return job;
    }
    const livy = await this.livy.client(await this.targetOf(job), { interactive: false });
    const { batchId, sessionId, statementId } = job.snapshot;
    job.markCancelling();
    try {
      if (batchId !== undefined) {
        await livy.deleteBatch(batchId);
        job.markCancelled();
      } else if (sessionId !== undefined && statementId !== undefined) {
        if (!job.ended) {
          await livy.cancelStatement(sessionId, statementId);
        } else {
          // The statement returned after starting a streaming query, which runs on in the session.
          const stop =
            job.snapshot.language === 'python' ? 'for _q in spark.streams.active: _q.stop()' : 'spark.streams.active.foreach(_.stop())';
          await livy.runStatement(sessionId, stop, job.snapshot.language === 'python' ? 'pyspark' : 'spark');
          job.markCancelled('The streaming queries of the session were stopped.');
        }
      }
    } catch (err) {
      job.setNote(`Cancelling failed: ${userMessage(err)}`);
      throw err;
    }
    return job;
  }

  private hasRunningQueries(job: LivyJob): boolean {
    return job.snapshot.mode === 'session' && job.snapshot.state === 'succeeded';
  }

  private targetOf(job: LivyJob): Promise<ClusterTarget> {
    const target = this.targets.get(job.id);
    if (!target) return Promise.reject(new HDInsightError('NotFound', `The cluster of job ${job.id} is no longer known.`));
    return Promise.resolve(target);
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
    for (const abort of this.submitting.values()) abort.abort();
    for (const job of this.jobs.values()) job.dispose();
    // Interactive sessions this window started hold cluster resources: close them.
    for (const pool of this.pools.values()) void pool.close();
    this.changed.dispose();
  }
}
