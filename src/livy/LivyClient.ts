// Apache Livy's REST API as HDInsight serves it at https://CLUSTER.azurehdinsight.net/livy:
// sessions, statements, batches and their logs. No vscode import; every call takes an AbortSignal
// and sends X-Requested-By (HDInsight's CSRF check refuses a POST or DELETE without it).
import { HDInsightError } from '../core/errors';
import { requestJson, type ServiceEndpoint } from '../core/http';

export type LivyState =
  'not_started' | 'starting' | 'recovering' | 'idle' | 'running' | 'busy' | 'shutting_down' | 'error' | 'dead' | 'killed' | 'success';

/** States after which a session or batch does nothing more. */
export const FINAL_STATES: ReadonlySet<string> = new Set(['error', 'dead', 'killed', 'success']);

export type SessionKind = 'pyspark' | 'spark' | 'sql';

export interface LivyAppInfo {
  driverLogUrl?: string | null;
  sparkUiUrl?: string | null;
}

export interface LivySession {
  id: number;
  name?: string | null;
  appId?: string | null;
  state: LivyState;
  kind?: string;
  appInfo?: LivyAppInfo;
  log?: string[];
}

export type LivyBatch = Omit<LivySession, 'kind'>;

export type StatementOutput =
  | { status: 'ok'; execution_count?: number; data: Record<string, unknown> }
  | { status: 'error'; execution_count?: number; ename: string; evalue: string; traceback: string[] };

export interface LivyStatement {
  id: number;
  code?: string;
  state: 'waiting' | 'running' | 'available' | 'cancelling' | 'cancelled' | 'error';
  output?: StatementOutput | null;
  progress?: number;
}

/** Livy's answer to a log request; `total` is the length of the buffer it reads from now. */
export interface LivyLogPage {
  id: number;
  from: number;
  total: number;
  log: string[];
}

/** Livy's fields of POST /sessions (CreateInteractiveRequest) besides the kind. */
export interface SessionRequestFields {
  name?: string;
  conf?: Record<string, string>;
  heartbeatTimeoutInSecond?: number;
  driverMemory?: string;
  driverCores?: number;
  executorMemory?: string;
  executorCores?: number;
  numExecutors?: number;
  jars?: string[];
  pyFiles?: string[];
  files?: string[];
  archives?: string[];
  queue?: string;
  /** The user the session runs as (Livy's impersonation). */
  proxyUser?: string;
  /** How long an idle session lives, e.g. "2h" (Livy 0.8+). */
  ttl?: string;
}

export interface NewSession extends SessionRequestFields {
  kind: SessionKind;
}

export interface NewBatch {
  file: string;
  name?: string;
  className?: string;
  args?: string[];
  conf?: Record<string, string>;
  pyFiles?: string[];
  jars?: string[];
}

export type LivyResource = 'sessions' | 'batches';

export class LivyClient {
  constructor(readonly endpoint: ServiceEndpoint) {}

  private async call<T>(method: string, path: string, signal?: AbortSignal, body?: unknown): Promise<T> {
    try {
      return (await requestJson<T>(this.endpoint, method, path, { body, signal })).body;
    } catch (err) {
      if (err instanceof HDInsightError && err.code === 'NotFound') {
        const what = /^\/?(sessions|batches)\/(\d+)/.exec(path);
        if (what) {
          throw new HDInsightError(
            'NotFound',
            `Livy no longer knows ${what[1] === 'sessions' ? 'session' : 'batch'} ${what[2]}: it forgets finished jobs after about 10 minutes, and all of them when it restarts.`,
            undefined,
            { cause: err },
          );
        }
      }
      throw err;
    }
  }

  createSession(session: NewSession, signal?: AbortSignal): Promise<LivySession> {
    return this.call('POST', 'sessions', signal, session);
  }

  async listSessions(signal?: AbortSignal): Promise<LivySession[]> {
    return (await this.call<{ sessions?: LivySession[] }>('GET', 'sessions?size=100', signal)).sessions ?? [];
  }

  getSession(id: number, signal?: AbortSignal): Promise<LivySession> {
    return this.call('GET', `sessions/${id}`, signal);
  }

  async deleteSession(id: number, signal?: AbortSignal): Promise<void> {
    await this.call('DELETE', `sessions/${id}`, signal);
  }

  runStatement(sessionId: number, code: string, kind: SessionKind, signal?: AbortSignal): Promise<LivyStatement> {
    return this.call('POST', `sessions/${sessionId}/statements`, signal, { code, kind });
  }

  getStatement(sessionId: number, statementId: number, signal?: AbortSignal): Promise<LivyStatement> {
    return this.call('GET', `sessions/${sessionId}/statements/${statementId}`, signal);
  }

  async cancelStatement(sessionId: number, statementId: number, signal?: AbortSignal): Promise<void> {
    await this.call('POST', `sessions/${sessionId}/statements/${statementId}/cancel`, signal, {});
  }

  createBatch(batch: NewBatch, signal?: AbortSignal): Promise<LivyBatch> {
    return this.call('POST', 'batches', signal, batch);
  }

  async listBatches(signal?: AbortSignal): Promise<LivyBatch[]> {
    const body = await this.call<{ sessions?: LivyBatch[]; batches?: LivyBatch[] }>('GET', 'batches?size=100', signal);
    return body.sessions ?? body.batches ?? [];
  }

  getBatch(id: number, signal?: AbortSignal): Promise<LivyBatch> {
    return this.call('GET', `batches/${id}`, signal);
  }

  async deleteBatch(id: number, signal?: AbortSignal): Promise<void> {
    await this.call('DELETE', `batches/${id}`, signal);
  }

  /** Lines [from, from + size) of the buffer Livy keeps now. */
  getLog(resource: LivyResource, id: number, from: number, size: number, signal?: AbortSignal): Promise<LivyLogPage> {
    return this.call('GET', `${resource}/${id}/log?from=${from}&size=${size}`, signal);
  }
}
