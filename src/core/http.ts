// JSON over HTTPS to a cluster's services (Ambari, Livy) through the HDInsight gateway, with the
// cluster login as Basic auth and the CSRF header the gateway wants. No vscode import.
import { HDInsightError, isCancellation } from './errors';
import { isLoopbackHost } from './urls';

export interface GatewayLogin {
  username: string;
  password: string;
}

export interface ServiceEndpoint {
  /** What the user knows the service as, for messages: "Ambari", "Livy". */
  service: string;
  /** The service's base URL, e.g. https://CLUSTER.azurehdinsight.net/livy */
  baseUrl: URL;
  /** The cluster login; none for a linked service without authentication. */
  login?: GatewayLogin;
  /** Per request (default 20 s). */
  timeoutMs?: number;
}

/** Refuses plain http except on loopback: the cluster login must not travel unencrypted. */
export function checkServiceUrl(endpoint: ServiceEndpoint): void {
  const { baseUrl, service } = endpoint;
  if (baseUrl.protocol !== 'https:' && !isLoopbackHost(baseUrl.hostname)) {
    throw new HDInsightError(
      'InvalidInput',
      `${service} at ${baseUrl.origin} is not https: the cluster login would travel unencrypted.`,
      'Use the https address.',
    );
  }
}

export interface JsonResponse<T> {
  status: number;
  body: T;
}

/**
 * One request. 2xx answers return their JSON; 401/403, 404, other 4xx and 5xx, timeouts and
 * network failures become HDInsightErrors ('Unauthorized', 'NotFound', 'InvalidInput', 'Remote',
 * 'Timeout', 'Unreachable') whose message names the service and says what it answered.
 */
export async function requestJson<T>(
  endpoint: ServiceEndpoint,
  method: string,
  path: string,
  options: { body?: unknown; signal?: AbortSignal } = {},
): Promise<JsonResponse<T>> {
  const { baseUrl, login, service } = endpoint;
  const { response, text, url } = await exchange(endpoint, method, path, {
    body: options.body,
    signal: options.signal,
    accept: 'application/json',
    redirects: 'same-origin',
  });
  if (response.status === 401 || response.status === 403) {
    throw new HDInsightError(
      'Unauthorized',
      login
        ? `${service} at ${baseUrl.host} refused the cluster login of ${login.username}.`
        : `${service} at ${baseUrl.host} wants a login.`,
      'Enter the cluster login again (HDInsight: Enter Cluster Login…).',
    );
  }
  const detail = errorDetail(text);
  if (response.status === 404) {
    throw new HDInsightError('NotFound', `${service} has no ${url.pathname}${detail ? ` (${detail})` : ''}.`);
  }
  if (!response.ok) {
    throw new HDInsightError(
      response.status >= 500 ? 'Remote' : 'InvalidInput',
      `${service} at ${baseUrl.host} answered ${response.status} ${response.statusText}${detail ? `: ${detail}` : ''}.`,
      response.status >= 500 ? 'Try again later.' : undefined,
    );
  }
  try {
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  } catch (err) {
    throw new HDInsightError('Remote', `${service} at ${baseUrl.host} answered with something that is not JSON.`, undefined, {
      cause: err,
    });
  }
}

export interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  text: string;
  /** The body as it came, for readers that count bytes (a log read by byte offset). */
  bytes: Uint8Array;
  /** The URL asked for. */
  url: URL;
}

/**
 * One request whose answer the caller reads itself, whatever its status: no redirect is followed
 * (a 3xx comes back with its Location) and no status becomes an error. Timeouts and network
 * failures are HDInsightErrors ('Timeout', 'Unreachable') as for requestJson.
 */
export async function requestRaw(
  endpoint: ServiceEndpoint,
  method: string,
  path: string,
  options: { signal?: AbortSignal; accept?: string } = {},
): Promise<RawResponse> {
  const { response, text, bytes, url } = await exchange(endpoint, method, path, { ...options, redirects: 'none' });
  return { status: response.status, statusText: response.statusText, headers: response.headers, text, bytes, url };
}

/** Sends one request with the login, the CSRF header and the timeout; reads the whole body. */
async function exchange(
  endpoint: ServiceEndpoint,
  method: string,
  path: string,
  options: { body?: unknown; signal?: AbortSignal; accept?: string; redirects: 'same-origin' | 'none' },
): Promise<{ response: Response; text: string; bytes: Uint8Array; url: URL }> {
  checkServiceUrl(endpoint);
  const { baseUrl, login, service, timeoutMs = 20_000 } = endpoint;
  const base = baseUrl.href.endsWith('/') ? baseUrl : new URL(`${baseUrl.href}/`);
  const url = new URL(path.replace(/^\//, ''), base);
  const { signal } = options;
  // One controller per request, unhooked afterwards: a long-lived signal (a job's) gathers no listeners.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = (): void => controller.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) controller.abort();
  const headers: Record<string, string> = { accept: options.accept ?? 'application/json', 'x-requested-by': 'ambari' };
  if (login) headers.authorization = `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const init: RequestInit = {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: controller.signal,
    };
    const response =
      options.redirects === 'none'
        ? await fetch(url, { ...init, redirect: 'manual' })
        : await fetchFollowingSameOrigin(endpoint, url, init);
    // Decoded as response.text() does (UTF-8, a BOM dropped), keeping the bytes.
    const bytes = new Uint8Array(await response.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    return { response, text, bytes, url };
  } catch (err) {
    if (err instanceof HDInsightError) throw err;
    if (signal?.aborted) throw err;
    if (timedOut) {
      throw new HDInsightError(
        'Timeout',
        `${service} at ${baseUrl.host} did not answer within ${timeoutMs / 1000} s.`,
        'Check that the cluster is running, then try again.',
        { cause: err },
      );
    }
    if (isCancellation(err)) throw err;
    const code = (err as { cause?: { code?: string } }).cause?.code ?? 'network error';
    throw new HDInsightError(
      'Unreachable',
      `${service} at ${baseUrl.host} could not be reached (${code}).`,
      'Check the network connection and the cluster address.',
      { cause: err },
    );
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A gateway redirected a request to another origin: it was not followed. */
export class RedirectRefusedError extends HDInsightError {
  constructor(
    service: string,
    from: URL,
    /** The origin the service redirected to. */
    readonly location: string,
  ) {
    super(
      'Remote',
      `${service} at ${from.host} redirected the request to ${location}, another address; it was not followed, so neither the cluster login nor the request went there.`,
      `Check the ${service} address; if ${location} is where ${service} now lives, use that address.`,
    );
    this.name = 'RedirectRefusedError';
  }
}

const MAX_REDIRECTS = 5;

/**
 * fetch that follows redirects only within the origin (scheme, host and port) of the request:
 * a redirect elsewhere would re-send the cluster login and, for a 307/308, the body (a job's
 * code and conf). Any other redirect is refused with a RedirectRefusedError before anything is sent.
 */
async function fetchFollowingSameOrigin(endpoint: ServiceEndpoint, url: URL, init: RequestInit): Promise<Response> {
  let current = url;
  let { method = 'GET', body } = init;
  for (let hops = 0; ; hops++) {
    const response = await fetch(current, { ...init, method, body, redirect: 'manual' });
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || response.status === 304 || location === null) return response;
    await response.body?.cancel();
    const next = new URL(location, current);
    if (next.origin !== url.origin) throw new RedirectRefusedError(endpoint.service, url, next.origin);
    if (hops >= MAX_REDIRECTS) {
      throw new HDInsightError(
        'Remote',
        `${endpoint.service} at ${url.host} redirected more than ${MAX_REDIRECTS} times.`,
        'Check the address.',
      );
    }
    // As browsers do: 303 (and 301/302 after a POST) turn into a GET without a body; 307/308 repeat the request.
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
    }
    current = next;
  }
}

/** The message in an error body: Livy's {"msg"}, Ambari's {"message"}, or short plain text. */
function errorDetail(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { msg?: unknown; message?: unknown };
    const message = body.msg ?? body.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    const plain = text.trim();
    return plain && plain.length <= 200 && !plain.startsWith('<') ? plain : undefined;
  }
}
