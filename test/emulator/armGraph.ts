// The emulated Azure Resource Graph query API (POST /providers/Microsoft.ResourceGraph/resources,
// REST spec 2024-04-01 and the service's documented limits): the Resources table built from what the
// emulated Resource Manager holds, rows shaped as Resource Graph returns them (type, location and
// resourceGroup lower-case, properties as the resource provider returns them), a small part of KQL
// (where =~ / == / in~, project, order by), paging with $top (default 100, at most 1000) and an
// opaque $skipToken that only fits the request it came from, at most 1000 subscriptions per
// request, the per-user quota (15 queries per 5 s window, x-ms-user-quota-remaining and
// x-ms-user-quota-resets-after on every answer, 429 RateLimiting past it) and the refusals as the
// service words them (403 AccessDenied, 400 NoValidSubscriptionsInQueryRequest, InvalidQuery).
import crypto from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from './server';

export const GRAPH_API_VERSIONS = ['2019-04-01', '2020-04-01-preview', '2021-03-01', '2021-06-01-preview', '2022-10-01', '2024-04-01'];

/** Documented: $top is 1..1000, the default page is 100 rows, 1000 subscriptions per request. */
const MAX_TOP = 1000;
const DEFAULT_TOP = 100;
const MAX_SUBSCRIPTIONS = 1000;
/** Columns of the Resources table that are `dynamic`: a result of only these cannot be paged. */
const DYNAMIC = new Set(['properties', 'tags', 'sku', 'plan', 'identity', 'zones', 'extendedLocation']);

export interface GraphHooks {
  /** Every subscription the caller can read (lower-case ids). */
  subscriptions: () => string[];
  /** Every resource as Resource Manager renders it (GET), any type. */
  resources: () => Record<string, unknown>[];
  /** Region name of a location that may be a display name ('West Europe' -> 'westeurope'). */
  regionName: (location: string) => string;
  tenantOf: (subscriptionId: string) => string;
}

type Row = Record<string, unknown>;

export class ResourceGraphEmulator {
  /**
   * How the service refuses every query, when a test asks: 'forbidden' (403 AccessDenied, as for a
   * principal without read access) or 'unavailable' (the provider missing from the cloud, as on
   * Azure Stack Hub: Resource Manager's 400 NoRegisteredProviderFound).
   */
  refuse?: 'forbidden' | 'unavailable';
  /** Subscriptions the caller cannot read: a query naming one is refused with 403, as documented. */
  readonly unreadable = new Set<string>();
  /** Queries per window per user before 429 (documented example: 15 per 5 s). */
  quota = { queries: 15, windowMs: 5_000 };
  /** Queries answered (200) so far: tests check how many a listing took. */
  answered = 0;
  private readonly windows = new Map<string, { start: number; used: number }>();

  constructor(private readonly hooks: GraphHooks) {}

  handle(req: EmulatorRequest, apiVersion: string): EmulatorResponse {
    const user = crypto
      .createHash('sha256')
      .update(req.headers.authorization ?? '')
      .digest('hex');
    const quota = this.take(user);
    const headers = {
      'x-ms-user-quota-remaining': String(quota.remaining),
      'x-ms-user-quota-resets-after': hhmmss(quota.resetsAfterMs),
    };
    const answer = quota.throttled
      ? graphError(
          429,
          'RateLimiting',
          'Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help.',
        )
      : this.query(req, apiVersion);
    if (answer.status === 200) this.answered++;
    return { ...answer, headers: { ...answer.headers, ...headers } };
  }

  private query(req: EmulatorRequest, apiVersion: string): EmulatorResponse {
    if (this.refuse === 'unavailable') {
      return {
        status: 400,
        body: {
          error: {
            code: 'NoRegisteredProviderFound',
            message: `No registered resource provider found for location 'global' and API version '${apiVersion}' for type 'resources'.`,
          },
        },
      };
    }
    if (this.refuse === 'forbidden') return accessDenied();
    if (!/^application\/json/i.test(req.headers['content-type'] ?? '')) {
      return graphError(
        400,
        'UnsupportedMediaType',
        "The content media type 'text/plain' is not supported. Only 'application/json' is supported.",
      );
    }
    let body: { subscriptions?: unknown; query?: unknown; options?: Record<string, unknown> };
    try {
      body = JSON.parse(req.body || '{}') as typeof body;
    } catch {
      return graphError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
    }
    const readable = new Set(this.hooks.subscriptions());
    const asked = Array.isArray(body.subscriptions) ? body.subscriptions.map((s) => String(s).toLowerCase()) : [...readable];
    if (asked.length > MAX_SUBSCRIPTIONS) {
      return graphError(
        400,
        'TooManySubscriptions',
        `The number of subscriptions in the request (${asked.length}) exceeds the maximum of ${MAX_SUBSCRIPTIONS}. Batch the request.`,
      );
    }
    if (asked.some((s) => this.unreadable.has(s))) return accessDenied();
    const scope = asked.filter((s) => readable.has(s));
    if (scope.length === 0) {
      return graphError(
        400,
        'NoValidSubscriptionsInQueryRequest',
        `There must be at least one subscription that is eligible to contain resources. Given: '${asked.join(',')}'.`,
      );
    }
    if (typeof body.query !== 'string') return invalidQuery('The query is missing.');
    const options = body.options ?? {};
    const top = options.$top === undefined ? DEFAULT_TOP : Number(options.$top);
    if (!Number.isInteger(top) || top < 1 || top > MAX_TOP) {
      return graphError(400, 'InvalidQueryRequest', `$top must be an integer between 1 and ${MAX_TOP}; it was '${String(options.$top)}'.`);
    }
    // A token fits only the query and scope it came from (the service says so); it carries the offset.
    const context = crypto
      .createHash('sha256')
      .update(JSON.stringify([body.query, scope]))
      .digest('hex')
      .slice(0, 16);
    let offset = Number(options.$skip ?? 0);
    if (options.$skipToken !== undefined) {
      const decoded = /^(\w+):(\d+)$/.exec(
        Buffer.from(typeof options.$skipToken === 'string' ? options.$skipToken : '', 'base64').toString('utf8'),
      );
      if (!decoded || decoded[1] !== context) return graphError(400, 'InvalidSkipToken', 'The $skipToken is not valid for this query.');
      offset = Number(decoded[2]);
    }
    const run = this.run(body.query, scope);
    if ('error' in run) return invalidQuery(run.error);
    const { rows, columns } = run;
    const page = rows.slice(offset, offset + top);
    const pageable = columns === undefined || columns.some((c) => !DYNAMIC.has(c));
    const more = offset + top < rows.length;
    const response: Record<string, unknown> = {
      totalRecords: rows.length,
      count: page.length,
      resultTruncated: more && !pageable ? 'true' : 'false',
      facets: [],
      data: page,
    };
    if (more && pageable) response.$skipToken = Buffer.from(`${context}:${offset + top}`).toString('base64');
    return { status: 200, body: response };
  }

  /** The query over the Resources table of the scope: where, project and order by. */
  private run(query: string, scope: string[]): { rows: Row[]; columns?: string[] } | { error: string } {
    const [table, ...stages] = splitPipes(query).map((s) => s.trim());
    if (table.toLowerCase() !== 'resources') return { error: `Unknown table '${table}'.` };
    const inScope = new Set(scope);
    let rows = this.hooks
      .resources()
      .map((r) => this.row(r))
      .filter((r) => inScope.has(String(r.subscriptionId).toLowerCase()));
    let columns: string[] | undefined;
    for (const stage of stages) {
      let m: RegExpExecArray | null;
      if ((m = /^where\s+(\w+)\s*(=~|==)\s*'([^']*)'$/i.exec(stage))) {
        const [, column, op, value] = m;
        rows = rows.filter((r) => (op === '==' ? r[column] === value : String(r[column]).toLowerCase() === value.toLowerCase()));
      } else if ((m = /^where\s+(\w+)\s+in~\s*\(([^)]*)\)$/i.exec(stage))) {
        const [, column, list] = m;
        const values = new Set(list.split(',').map((v) => v.trim().replace(/^'|'$/g, '').toLowerCase()));
        rows = rows.filter((r) => values.has(String(r[column]).toLowerCase()));
      } else if ((m = /^project\s+(.+)$/i.exec(stage))) {
        const chosen = m[1].split(',').map((c) => c.trim());
        if (chosen.some((c) => !/^\w+$/.test(c))) return { error: `Unsupported project list '${m[1]}'.` };
        columns = chosen;
        rows = rows.map((r) => Object.fromEntries(chosen.map((c) => [c, r[c] ?? null])));
      } else if ((m = /^order\s+by\s+(\w+)(?:\s+(asc|desc))?$/i.exec(stage))) {
        const [, column, direction] = m;
        const sign = direction?.toLowerCase() === 'asc' ? 1 : -1; // KQL sorts descending by default
        rows = [...rows].sort((a, b) => sign * String(a[column]).localeCompare(String(b[column])));
      } else {
        return { error: `Unsupported operator in '${stage}'.` };
      }
    }
    return { rows, columns };
  }

  /** A resource as a row of the Resources table. */
  private row(resource: Record<string, unknown>): Row {
    const id = String(resource.id);
    const [, subscriptionId = '', resourceGroup = ''] = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)/i.exec(id) ?? [];
    return {
      id,
      name: resource.name,
      type: String(resource.type).toLowerCase(),
      tenantId: this.hooks.tenantOf(subscriptionId),
      kind: resource.kind ?? '',
      location: this.hooks.regionName(typeof resource.location === 'string' ? resource.location : ''),
      resourceGroup: resourceGroup.toLowerCase(),
      subscriptionId,
      managedBy: '',
      sku: resource.sku ?? null,
      plan: null,
      properties: resource.properties ?? null,
      tags: resource.tags ?? null,
      identity: null,
      zones: null,
      extendedLocation: null,
    };
  }

  /** Counts a query against the user's window. */
  private take(user: string): { throttled: boolean; remaining: number; resetsAfterMs: number } {
    const now = Date.now();
    let window = this.windows.get(user);
    if (!window || now - window.start >= this.quota.windowMs) {
      window = { start: now, used: 0 };
      this.windows.set(user, window);
    }
    const resetsAfterMs = window.start + this.quota.windowMs - now;
    if (window.used >= this.quota.queries) return { throttled: true, remaining: 0, resetsAfterMs };
    window.used++;
    return { throttled: false, remaining: this.quota.queries - window.used, resetsAfterMs };
  }
}

/** Resource Graph's error shape: the support line as the message, the reason in details. */
function graphError(status: number, code: string, message: string): EmulatorResponse {
  const correlationId = crypto.randomUUID();
  return {
    status,
    body: {
      error: {
        code,
        message: `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = ${correlationId}.`,
        details: [{ code, message }],
      },
    },
  };
}

function accessDenied(): EmulatorResponse {
  return graphError(403, 'AccessDenied', 'Access is denied to the requested resource. The user might not have enough permission.');
}

function invalidQuery(why: string): EmulatorResponse {
  const response = graphError(
    400,
    'BadRequest',
    'Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying.',
  );
  const error = (response.body as { error: { details: { code: string; message: string }[] } }).error;
  error.details = [{ code: 'InvalidQuery', message: `Query is invalid. ${why}` }];
  return response;
}

/** The query's stages: split at `|` outside quotes. */
function splitPipes(query: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (const ch of query) {
    if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
    } else if (ch === '|') {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts;
}

/** hh:mm:ss, as x-ms-user-quota-resets-after is written (rounded up to whole seconds). */
function hhmmss(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor(total / 60) % 60)}:${pad(total % 60)}`;
}
