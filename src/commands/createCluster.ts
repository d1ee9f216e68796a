import * as vscode from 'vscode';
import type { HDInsightCluster } from '../azure/model';
import {
  type ClusterPlan,
  type CreatableKind,
  createRequest,
  estimatedCores,
  validateClusterName,
  validateClusterPassword,
  validateSshLogin,
  validateWorkers,
} from '../azure/createRequest';
import type { ClusterLookup } from '../clusters/resolveCluster';
import { CancelledError, HDInsightError, InvalidInputError } from '../core/errors';
import type { ClusterLogins } from '../secrets/ClusterLogins';
import { isScripted, withCancellableProgress } from './command';
import { BACK, inputStep, pickStep, runSteps, type StepResult } from './multiStep';

export interface CreateDeps {
  lookup: ClusterLookup;
  logins: ClusterLogins;
  changed: () => void;
}

export interface CreateClusterArgs extends ClusterPlan {
  subscriptionId: string;
  resourceGroup: string;
}

/**
 * `hdinsight.createCluster` `{ subscriptionId, resourceGroup, location, name, kind, workerCount,
 * clusterLogin, ssh, storage, network?, headNodeSize?, workerNodeSize? }` → `{ id, state }` once
 * Azure finished. Before anything is created: the input rules, name availability, HDInsight's
 * validation of the request, and the region's core quota. The cluster login goes to secret storage.
 * From the palette it asks step by step (Back keeps the answers) and shows a summary first.
 */
export function createClusterCommand(deps: CreateDeps) {
  return async (arg?: unknown): Promise<{ id: string; state: string }> => {
    if (!isScripted([arg])) return createInteractively(deps);
    const args = arg as CreateClusterArgs;
    checkArgs(args);
    return create(deps, args, false);
  };
}

function checkArgs(args: CreateClusterArgs): void {
  const { subscriptionId, resourceGroup, ...plan } = args;
  if (typeof subscriptionId !== 'string' || !subscriptionId) throw new InvalidInputError('"subscriptionId" is needed.');
  if (typeof resourceGroup !== 'string' || !RESOURCE_GROUP.test(resourceGroup)) {
    throw new InvalidInputError('"resourceGroup" must be 1 to 90 letters, digits, ".", "_", "-" or parentheses.');
  }
  if (typeof plan.location !== 'string' || !plan.location)
    throw new InvalidInputError('"location" is needed (a region such as westeurope).');
  if (!plan.clusterLogin || !plan.ssh || !plan.storage) throw new InvalidInputError('"clusterLogin", "ssh" and "storage" are needed.');
  if (plan.kind !== 'kafka' && plan.kind !== 'spark') throw new InvalidInputError('"kind" must be "kafka" or "spark".');
  createRequest(plan); // every input rule, before any request
}

const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;

/** The checks Azure can make before anything exists, then the creation itself. */
async function create(deps: CreateDeps, args: CreateClusterArgs, interactive: boolean): Promise<{ id: string; state: string }> {
  const { subscriptionId, resourceGroup, ...plan } = args;
  const request = createRequest(plan);
  const client = await deps.lookup.account.client();
  const name = await client.checkClusterName(subscriptionId, plan.location, plan.name);
  if (!name.available) throw new InvalidInputError(name.message ?? `The name ${plan.name} is taken.`, 'Choose another cluster name.');
  const problems = await client.validateCreate(subscriptionId, plan.location, plan.name, request);
  if (problems.length > 0) {
    throw new HDInsightError(
      'InvalidInput',
      `HDInsight would refuse ${plan.name}: ${problems.map((p) => `${p.message} (${p.code})`).join(' ')}`,
    );
  }
  const quota = await client.coreQuota(subscriptionId, plan.location);
  const cores = estimatedCores(request, (size) => quota.coresOf.get(size.toLowerCase()));
  if (quota.used + cores > quota.limit) {
    throw new HDInsightError(
      'InvalidInput',
      `${plan.name} needs ${cores} cores; ${quota.used} of the ${quota.limit} in ${plan.location} are in use.`,
      'Request a quota increase, or choose fewer or smaller nodes.',
    );
  }
  const run = (signal?: AbortSignal): Promise<HDInsightCluster> =>
    client.createCluster(subscriptionId, resourceGroup, plan.name, request, {
      signal,
      accepted: () => deps.changed(), // the tree shows the cluster in its creating state
    });
  const cluster = interactive
    ? await withCancellableProgress(`Creating ${plan.name} (HDInsight takes about 20 minutes)`, (signal) => run(signal))
    : await run();
  // The login is known: keep it in secret storage (never in settings), for when Azure will not hand it out.
  await deps.logins.store({ kind: 'azure', cluster }, plan.clusterLogin);
  deps.changed();
  if (!/^running$/i.test(cluster.state)) {
    throw new HDInsightError('Remote', `${plan.name} ended ${cluster.state}.`, 'See its properties in the HDInsight view.');
  }
  if (interactive) void vscode.window.showInformationMessage(`${plan.name} is running.`);
  return { id: cluster.id, state: cluster.state };
}

interface Answers {
  subscriptionId?: string;
  resourceGroup?: string;
  newGroup?: boolean;
  location?: string;
  kind?: CreatableKind;
  name?: string;
  loginUser: string;
  loginPassword?: string;
  sshUser: string;
  sshPassword?: string;
  workers?: string;
  storageAccount?: string;
  storageKey?: string;
}

/** The multi-step input: every answer checked as it is given, Back keeps answers, Escape creates nothing. */
async function createInteractively(deps: CreateDeps): Promise<{ id: string; state: string }> {
  const client = await deps.lookup.account.client();
  const title = 'Create HDInsight Cluster';
  const check =
    (f: (v: string) => unknown) =>
    (v: string): string | undefined => {
      try {
        f(v);
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    };
  const answers = await runSteps<Answers>(
    [
      async (a, at) => {
        const subscriptions = await client.listSubscriptions();
        return answer(
          a,
          'subscriptionId',
          await pickStep({
            title,
            ...at,
            placeholder: 'Subscription',
            active: a.subscriptionId,
            items: subscriptions.map((s) => ({ label: s.displayName, description: s.subscriptionId, value: s.subscriptionId })),
          }),
        );
      },
      async (a, at) => {
        const groups = await client.listResourceGroups(a.subscriptionId!);
        const chosen = await pickStep<string>({
          title,
          ...at,
          placeholder: 'Resource group',
          active: a.newGroup ? '' : a.resourceGroup,
          items: [
            { label: '$(add) New resource group…', value: '' },
            ...groups.map((g) => ({ label: g.name, description: g.location, value: g.name })),
          ],
        });
        if (chosen === BACK) return BACK;
        if (chosen) {
          a.resourceGroup = chosen;
          a.newGroup = false;
          return undefined;
        }
        const typed = await inputStep({
          title,
          ...at,
          prompt: 'Name of the new resource group',
          value: a.newGroup ? a.resourceGroup : '',
          validate: (v) => (RESOURCE_GROUP.test(v) ? undefined : 'Use 1 to 90 letters, digits, ".", "_", "-" or parentheses.'),
        });
        if (typed === BACK) return BACK;
        a.resourceGroup = typed;
        a.newGroup = true;
        return undefined;
      },
      async (a, at) => {
        const regions = await client.listLocations(a.subscriptionId!);
        return answer(
          a,
          'location',
          await pickStep({
            title,
            ...at,
            placeholder: 'Region',
            active: a.location,
            items: regions.map((r) => ({ label: r.displayName, description: r.name, value: r.name })),
          }),
        );
      },
      async (a, at) =>
        answer(
          a,
          'kind',
          await pickStep<CreatableKind>({
            title,
            ...at,
            placeholder: 'Cluster type (HDInsight 5.1)',
            active: a.kind,
            items: [
              { label: 'Kafka', description: 'Kafka 3.2: brokers on the workers, 3 ZooKeeper nodes', value: 'kafka' },
              { label: 'Spark', description: 'Spark 3.3 with Livy', value: 'spark' },
            ],
          }),
        ),
      async (a, at) =>
        answer(
          a,
          'name',
          await inputStep({
            title,
            ...at,
            prompt: 'Cluster name (a global DNS name)',
            value: a.name,
            validate: check(validateClusterName),
            confirm: async (v) => {
              const result = await client.checkClusterName(a.subscriptionId!, a.location!, v);
              return result.available ? undefined : (result.message ?? `${v} is taken.`);
            },
          }),
        ),
      async (a, at) =>
        answer(
          a,
          'loginUser',
          await inputStep({
            title,
            ...at,
            prompt: 'Cluster login user (Ambari, Livy)',
            value: a.loginUser,
            validate: (v) => (/^[a-z][a-z0-9_-]{0,31}$/i.test(v) ? undefined : 'Use up to 32 letters, digits, "_" or "-".'),
          }),
        ),
      async (a, at) =>
        answer(
          a,
          'loginPassword',
          await inputStep({
            title,
            ...at,
            prompt: `Password of ${a.loginUser}`,
            password: true,
            value: a.loginPassword,
            validate: check(validateClusterPassword),
          }),
        ),
      async (a, at) =>
        answer(
          a,
          'sshUser',
          await inputStep({
            title,
            ...at,
            prompt: 'SSH user',
            value: a.sshUser,
            validate: (v) =>
              v.toLowerCase() === a.loginUser.toLowerCase()
                ? 'The SSH user must differ from the cluster login user.'
                : /^[a-z_][a-z0-9_-]{0,31}$/i.test(v)
                  ? undefined
                  : 'Use up to 32 letters, digits, "_" or "-".',
          }),
        ),
      async (a, at) =>
        answer(
          a,
          'sshPassword',
          await inputStep({
            title,
            ...at,
            prompt: `SSH password of ${a.sshUser}`,
            password: true,
            value: a.sshPassword,
            validate: check((v) => validateSshLogin({ username: a.sshUser, password: v }, a.loginUser)),
          }),
        ),
      async (a, at) =>
        answer(
          a,
          'workers',
          await inputStep({
            title,
            ...at,
            prompt: 'Worker nodes',
            value: a.workers ?? (a.kind === 'kafka' ? '3' : '4'),
            validate: check((v) => validateWorkers(a.kind!, Number(v))),
          }),
        ),
      async (a, at) =>
        answer(
          a,
          'storageAccount',
          await inputStep({
            title,
            ...at,
            prompt: 'Default storage: the storage account (its blob service holds the cluster’s file system)',
            value: a.storageAccount,
            validate: (v) => (/^[a-z0-9]{3,24}$/.test(v) ? undefined : 'Use 3 to 24 lower-case letters and digits.'),
          }),
        ),
      async (a, at) =>
        answer(
          a,
          'storageKey',
          await inputStep({
            title,
            ...at,
            prompt: `Access key of ${a.storageAccount}`,
            password: true,
            value: a.storageKey,
            validate: (v) => (v.trim() ? undefined : 'The key is needed.'),
          }),
        ),
      async (a, at) => {
        const plan = planOf(a);
        const request = createRequest(plan);
        const quota = await client.coreQuota(a.subscriptionId!, a.location!);
        const cores = estimatedCores(request, (size) => quota.coresOf.get(size.toLowerCase()));
        const chosen = await pickStep({
          title,
          ...at,
          placeholder: `Create ${a.name}? ${cores} cores (${quota.used} of ${quota.limit} in use in ${a.location})`,
          items: [
            {
              label: `$(check) Create ${a.name}`,
              description: `${a.kind === 'kafka' ? 'Kafka 3.2' : 'Spark 3.3'} · HDInsight 5.1 · ${a.workers} workers`,
              detail: `${a.newGroup ? 'new ' : ''}resource group ${a.resourceGroup} · ${a.location} · storage ${a.storageAccount} · SSH ${a.sshUser}`,
              value: true,
            },
            { label: '$(close) Cancel', value: false },
          ],
        });
        if (chosen === BACK) return BACK;
        if (!chosen) throw new CancelledError();
        return undefined;
      },
    ],
    { loginUser: 'admin', sshUser: 'sshuser' },
  );
  if (answers.newGroup) await client.createResourceGroup(answers.subscriptionId!, answers.resourceGroup!, answers.location!);
  return create(deps, { subscriptionId: answers.subscriptionId!, resourceGroup: answers.resourceGroup!, ...planOf(answers) }, true);
}

/** Keeps a step's answer under `key`, or goes back. */
function answer<K extends keyof Answers>(a: Answers, key: K, value: NonNullable<Answers[K]> | typeof BACK): StepResult {
  if (value === BACK) return BACK;
  a[key] = value;
  return undefined;
}

function planOf(a: Answers): ClusterPlan {
  return {
    name: a.name!,
    location: a.location!,
    kind: a.kind!,
    workerCount: Number(a.workers),
    clusterLogin: { username: a.loginUser, password: a.loginPassword! },
    ssh: { username: a.sshUser, password: a.sshPassword },
    storage: { accountName: a.storageAccount!, key: a.storageKey! },
  };
}
