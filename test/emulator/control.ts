// A small control API on the emulator, so suites running elsewhere (inside the VS Code extension
// host) can switch faults on and read what the emulator received. Test-only by nature.
import type { ArmEmulator, ClusterKind } from './arm';
import type { LivyEmulator } from './livy';
import type { Emulator, Fault, RecordedRequest } from './server';

interface FaultRequest {
  method?: string;
  /** A regular expression source matched against the path. */
  path?: string;
  latencyMs?: number;
  status?: number;
  code?: string;
  message?: string;
  headers?: Record<string, string>;
  drop?: boolean;
  times?: number;
}

const secretHeaders = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** Requests as the control API reports them: secret headers are never handed out. */
export function withoutSecrets(r: RecordedRequest): RecordedRequest {
  return { ...r, headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => !secretHeaders.has(k.toLowerCase()))) };
}

export function addControlRoutes(
  emulator: Emulator,
  arm: ArmEmulator,
  kafka?: { restart(): Promise<void> },
  livy?: Map<string, LivyEmulator>,
  /** Each cluster's gateway by cluster name (filled as the gateways start). */
  gateways?: Map<string, Emulator>,
  /** Switches a cluster's Livy (or all) to YARN mode, starting YARN once if it is not running yet. */
  livyMode?: (cluster: string | undefined, mode: 'yarn' | 'local') => Promise<Record<string, unknown>>,
): void {
  // Restarts Livy on one cluster (or all): every session and batch is killed and forgotten, as a
  // Livy restart without recovery does.
  emulator.route('POST', /^\/_emulator\/livy\/restart$/, async (req) => {
    const { cluster } = JSON.parse(req.body || '{}') as { cluster?: string };
    const targets = cluster ? [livy?.get(cluster)] : [...(livy?.values() ?? [])];
    if (targets.length === 0 || targets.some((t) => !t)) {
      return {
        status: 404,
        body: { error: { code: 'NoLivy', message: `No Livy ${cluster ? `on the cluster ${cluster}` : 'in this environment'}.` } },
      };
    }
    await Promise.all(targets.map((t) => t!.restart()));
    return { status: 204 };
  });
  // Livy forgets one batch, as a Livy restart without recovery forgets all: { batchId, cluster? }.
  // On YARN its application runs on; Livy answers 404 for the batch from now on.
  emulator.route('POST', /^\/_emulator\/livy\/forget$/, (req) => {
    const { cluster, batchId } = JSON.parse(req.body || '{}') as { cluster?: string; batchId?: number };
    const targets = cluster ? [livy?.get(cluster)] : [...(livy?.values() ?? [])];
    const forgot = typeof batchId === 'number' && targets.some((t) => t?.forgetBatch(batchId));
    if (!forgot) {
      return {
        status: 404,
        body: {
          error: { code: 'NoBatch', message: `No Livy ${cluster ? `on the cluster ${cluster} ` : ''}knows batch ${String(batchId)}.` },
        },
      };
    }
    return { status: 204 };
  });
  // Livy's mode for the batches created from now on: { mode: 'yarn' | 'local', cluster? }. YARN
  // mode starts the real YARN first (once per run; it can take a minute), answering when it runs.
  emulator.route('PUT', /^\/_emulator\/livy\/mode$/, async (req) => {
    const { cluster, mode } = JSON.parse(req.body || '{}') as { cluster?: string; mode?: string };
    if (mode !== 'yarn' && mode !== 'local') {
      return { status: 400, body: { error: { code: 'BadMode', message: `mode must be "yarn" or "local", not ${String(mode)}.` } } };
    }
    if (!livyMode || (cluster && !livy?.has(cluster))) {
      return {
        status: 404,
        body: { error: { code: 'NoLivy', message: `No Livy ${cluster ? `on the cluster ${cluster}` : 'in this environment'}.` } },
      };
    }
    return { status: 200, body: await livyMode(cluster, mode) };
  });
  // Restarts the real broker (same port and data), as a broker restart on a cluster would.
  emulator.route('POST', /^\/_emulator\/kafka\/restart$/, async () => {
    if (!kafka) return { status: 404, body: { error: { code: 'NoKafka', message: 'No Kafka broker in this environment.' } } };
    await kafka.restart();
    return { status: 204 };
  });
  // Faults and recorded requests of the emulator itself (Resource Manager) or of one cluster's
  // gateway (Ambari, Livy): /_emulator/faults or /_emulator/gateways/CLUSTER/faults.
  const target = (req: { params: Record<string, string> }): Emulator | undefined =>
    req.params.cluster ? gateways?.get(req.params.cluster) : emulator;
  const noGateway = (req: { params: Record<string, string> }) => ({
    status: 404,
    body: { error: { code: 'NoGateway', message: `No gateway for the cluster ${req.params.cluster}.` } },
  });
  const scope = '^\\/_emulator(?:\\/gateways\\/(?<cluster>[^/]+))?';
  emulator.route('POST', new RegExp(`${scope}\\/faults$`), (req) => {
    const on = target(req);
    if (!on) return noGateway(req);
    on.inject(faultFrom(JSON.parse(req.body || '{}') as FaultRequest));
    return { status: 201, body: { ok: true } };
  });
  emulator.route('DELETE', new RegExp(`${scope}\\/faults$`), (req) => {
    const on = target(req);
    if (!on) return noGateway(req);
    on.clearFaults();
    return { status: 204 };
  });
  emulator.route('GET', new RegExp(`${scope}\\/requests$`), (req) => {
    const on = target(req);
    if (!on) return noGateway(req);
    const filter = req.url.searchParams.get('path');
    const re = filter ? new RegExp(filter, 'i') : undefined;
    return {
      status: 200,
      body: on.requests.filter((r) => !r.path.startsWith('/_emulator') && (!re || re.test(r.path))).map(withoutSecrets),
    };
  });
  emulator.route('DELETE', new RegExp(`${scope}\\/requests$`), (req) => {
    const on = target(req);
    if (!on) return noGateway(req);
    on.requests.length = 0;
    return { status: 204 };
  });
  // Creating: the regional core quota, and a name someone else takes right before our PUT.
  emulator.route('PUT', /^\/_emulator\/quota$/, (req) => {
    const { coreLimit } = JSON.parse(req.body || '{}') as { coreLimit?: number };
    arm.coreLimit = coreLimit ?? 200;
    return { status: 204 };
  });
  emulator.route('POST', /^\/_emulator\/taken-names$/, (req) => {
    const { name } = JSON.parse(req.body || '{}') as { name?: string };
    if (name) arm.takenBeforeCreate.add(name.toLowerCase());
    return { status: 204 };
  });
  // Long-running operations: how long they run, and whether the next one ends Failed.
  // `clusterDurationMs` sets the clusters' apart (until a call without it); `failOf` names the
  // resource (cluster, virtual network, storage account) whose next operation fails.
  emulator.route('PUT', /^\/_emulator\/operations$/, (req) => {
    const { durationMs, clusterDurationMs, failNext, failOf } = JSON.parse(req.body || '{}') as {
      durationMs?: number;
      clusterDurationMs?: number;
      failNext?: { code: string; message: string };
      failOf?: { name: string; code: string; message: string };
    };
    if (durationMs !== undefined) arm.operationMs = durationMs;
    arm.clusterOperationMs = clusterDurationMs;
    arm.failNextOperation = failNext;
    arm.failOperationOf.clear();
    if (failOf) arm.failOperationOf.set(failOf.name.toLowerCase(), { code: failOf.code, message: failOf.message });
    return { status: 204 };
  });
  // What a region offers: cluster kinds and VM sizes taken away from it, until DELETE /_emulator/regions.
  emulator.route('PUT', /^\/_emulator\/regions\/(?<region>[^/]+)$/, (req) => {
    const { withoutKinds, withoutVmSizes } = JSON.parse(req.body || '{}') as { withoutKinds?: string[]; withoutVmSizes?: string[] };
    const region = req.params.region.toLowerCase();
    arm.offers.withoutKinds.set(region, new Set((withoutKinds ?? []).map((k) => k.toLowerCase() as ClusterKind)));
    arm.offers.withoutVmSizes.set(region, new Set((withoutVmSizes ?? []).map((s) => s.toLowerCase())));
    return { status: 204 };
  });
  emulator.route('DELETE', /^\/_emulator\/regions$/, () => {
    arm.offers.reset();
    return { status: 204 };
  });
  emulator.route('PUT', /^\/_emulator\/page-size$/, (req) => {
    const { pageSize } = JSON.parse(req.body || '{}') as { pageSize?: number };
    arm.pageSize = pageSize ?? 10;
    return { status: 204 };
  });
  // Places a cluster in a virtual network ({ vnet: { id, subnet } }) or in none ({}), as if it had
  // been created so: Resource Manager reports it in its roles' virtualNetworkProfile from then on.
  emulator.route('PUT', /^\/_emulator\/clusters\/(?<name>[^/]+)\/network$/, (req) => {
    const cluster = arm.clusterByName(req.params.name);
    if (!cluster) return { status: 404, body: { error: { code: 'NotFound', message: `No cluster ${req.params.name}.` } } };
    const { vnet } = JSON.parse(req.body || '{}') as { vnet?: { id: string; subnet: string } };
    arm.updateCluster(cluster.subscriptionId, cluster.resourceGroup, cluster.name, { vnet });
    return { status: 204 };
  });
  // How Resource Graph refuses every query from now on: { refuse: 'forbidden' | 'unavailable' }, or {} for not at all.
  emulator.route('PUT', /^\/_emulator\/resource-graph$/, (req) => {
    const { refuse } = JSON.parse(req.body || '{}') as { refuse?: 'forbidden' | 'unavailable' };
    arm.graph.refuse = refuse;
    return { status: 204 };
  });
  // Removes a cluster from Azure (as if deleted elsewhere); answers its spec, which POST /_emulator/clusters puts back.
  emulator.route('DELETE', /^\/_emulator\/clusters\/(?<name>[^/]+)$/, (req) => {
    const cluster = arm.clusterByName(req.params.name);
    if (!cluster) return { status: 404, body: { error: { code: 'NotFound', message: `No cluster ${req.params.name}.` } } };
    arm.removeCluster(cluster.subscriptionId, cluster.resourceGroup, cluster.name);
    return { status: 200, body: cluster };
  });
  emulator.route('POST', /^\/_emulator\/clusters$/, (req) => {
    arm.addCluster(JSON.parse(req.body || '{}') as Parameters<ArmEmulator['addCluster']>[0]);
    return { status: 204 };
  });
  emulator.route('PUT', /^\/_emulator\/reader-only$/, (req) => {
    const { ids } = JSON.parse(req.body || '{}') as { ids?: string[] };
    arm.readerOnly.clear();
    for (const id of ids ?? []) arm.readerOnly.add(id.toLowerCase());
    return { status: 204 };
  });
}

function faultFrom(f: FaultRequest): Fault {
  return {
    method: f.method,
    path: f.path ? new RegExp(f.path, 'i') : undefined,
    latencyMs: f.latencyMs,
    drop: f.drop,
    times: f.times,
    respond: f.status
      ? {
          status: f.status,
          headers: f.headers,
          body: { error: { code: f.code ?? 'InjectedFault', message: f.message ?? 'Injected by the test.' } },
        }
      : undefined,
  };
}
