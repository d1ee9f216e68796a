// The steps of "Create Cluster…" from the palette: every answer checked as it is given, lists
// from what the subscription and the region offer, Back keeping the answers, Escape creating
// nothing. Returns what to create; createCluster.ts does the creating.
import path from 'node:path';
import {
  defaultSize,
  describeSize,
  missingKinds,
  offeredKinds,
  planInRegion,
  sizesFor,
  type RegionCapabilities,
} from '../../azure/capabilities';
import type { AzureClient, StorageAccountInfo } from '../../azure/client';
import {
  CLUSTER_KINDS,
  type ClusterPlan,
  type CreatableKind,
  createRequest,
  estimatedCores,
  validateClusterName,
  validateStorageAccountName,
  validateWorkers,
} from '../../azure/createRequest';
import { CancelledError } from '../../core/errors';
import { answer, check, loginSteps, placeSteps, sshOf, type LoginAnswers, type PlaceAnswers } from './sharedSteps';
import type { ClusterToCreate, StoragePlan } from './types';
import { BACK, inputStep, pickStep, runSteps, type StepResult } from './wizard';

type StorageAnswer =
  { mode: 'existing'; account: StorageAccountInfo } | { mode: 'new'; name: string } | { mode: 'key'; name: string; key: string };

interface Answers extends PlaceAnswers, LoginAnswers {
  capabilities?: RegionCapabilities;
  kind?: CreatableKind;
  name?: string;
  workers?: string;
  workerSize?: string;
  storage?: StorageAnswer;
}

const title = 'Create HDInsight Cluster';

const sameRegion = (a: string, b: string): boolean => a.toLowerCase().replace(/\s+/g, '') === b.toLowerCase().replace(/\s+/g, '');

/** Asks step by step; resolves to what to create once the summary is confirmed. */
export async function askForCluster(client: AzureClient): Promise<ClusterToCreate> {
  const a = await runSteps<Answers>(
    [
      ...placeSteps<Answers>(client, title),
      // The kinds the region offers in HDInsight 5.1 (getCapabilities), and which it does not.
      async (a, at) => {
        if (!a.capabilities || a.capabilities.location !== a.location) {
          a.capabilities = await client.regionCapabilities(a.subscriptionId!, a.location!);
        }
        const kinds = offeredKinds(a.capabilities);
        const missing = missingKinds(a.capabilities).map((k) => CLUSTER_KINDS[k].label);
        const where = `HDInsight 5.1 in ${a.regionLabel}`;
        const chosen = await pickStep<CreatableKind | 'back'>({
          title,
          ...at,
          placeholder:
            kinds.length === 0
              ? `${a.regionLabel} offers no HDInsight 5.1 clusters: choose another region`
              : `Cluster type (${where}${missing.length > 0 ? `; not offered there: ${missing.join(', ')}` : ''})`,
          active: a.kind,
          items:
            kinds.length === 0
              ? [{ label: '$(arrow-left) Choose another region', value: 'back' }]
              : kinds.map(({ kind, componentVersion }) => ({
                  label: CLUSTER_KINDS[kind].label,
                  description: `${CLUSTER_KINDS[kind].component} ${componentVersion}`,
                  detail: CLUSTER_KINDS[kind].summary,
                  value: kind,
                })),
        });
        if (chosen === BACK || chosen === 'back') return BACK;
        a.kind = chosen;
        return undefined;
      },
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
      ...loginSteps<Answers>(title),
      async (a, at) =>
        answer(
          a,
          'workers',
          await inputStep({
            title,
            ...at,
            prompt: `Worker nodes (${CLUSTER_KINDS[a.kind!].label}: ${CLUSTER_KINDS[a.kind!].minWorkers} to 500)`,
            value: a.workers ?? String(CLUSTER_KINDS[a.kind!].defaultWorkers),
            validate: check((v) => validateWorkers(a.kind!, Number(v))),
          }),
        ),
      // The worker sizes the region's billing specs allow for the kind, with cores and memory.
      async (a, at) => {
        const spec = CLUSTER_KINDS[a.kind!];
        const sizes = sizesFor(a.capabilities!, a.kind!, 'workernode');
        const fallback = defaultSize(a.capabilities!, a.kind!, 'workernode');
        const chosen = await pickStep<string>({
          title,
          ...at,
          placeholder:
            sizes.length === 0
              ? `${a.regionLabel} offers no size for ${spec.label} worker nodes: go back and choose another region`
              : `Worker node size (${sizes.length} offered for ${spec.label} in ${a.regionLabel})`,
          active: sizes.some((s) => s.name === a.workerSize) ? a.workerSize : fallback,
          items: sizes.map((s) => ({
            label: s.name,
            description: [describeSize(s), s.name === fallback ? `default for ${spec.label}` : ''].filter(Boolean).join(' · '),
            value: s.name,
          })),
        });
        return answer(a, 'workerSize', chosen);
      },
      (a, at) => storageStep(client, a, at),
      async (a, at) => {
        const plan = planInRegion(planOf(a), a.capabilities!, a.regionLabel);
        const quota = await client.coreQuota(a.subscriptionId!, a.location!);
        const cores = estimatedCores(createRequest(plan), (size) => quota.coresOf.get(size.toLowerCase()));
        const spec = CLUSTER_KINDS[a.kind!];
        const chosen = await pickStep({
          title,
          ...at,
          placeholder: `Create ${a.name}? ${cores} cores (${quota.used} of ${quota.limit} in use in ${a.regionLabel})`,
          items: [
            {
              label: `$(check) Create ${a.name}`,
              description: `${spec.label} ${plan.componentVersion} · HDInsight 5.1 · ${a.workers} × ${plan.workerNodeSize} workers`,
              detail: [
                `${a.newGroup ? 'new ' : ''}resource group ${a.resourceGroup}`,
                a.regionLabel,
                storageSummary(a.storage!),
                a.sshKey
                  ? `SSH ${a.sshUser} with key ${a.sshKey.from === 'pasted' ? '(pasted)' : path.basename(a.sshKey.from)}`
                  : `SSH ${a.sshUser} with a password`,
              ].join(' · '),
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
  return {
    subscriptionId: a.subscriptionId!,
    resourceGroup: a.resourceGroup!,
    plan: planOf(a),
    storage: storagePlanOf(a.storage!),
    capabilities: a.capabilities,
    regionLabel: a.regionLabel,
    newGroup: a.newGroup,
  };
}

function planOf(a: Answers): ClusterPlan {
  return {
    name: a.name!,
    location: a.location!,
    kind: a.kind!,
    workerCount: Number(a.workers),
    workerNodeSize: a.workerSize,
    clusterLogin: { username: a.loginUser, password: a.loginPassword! },
    ssh: sshOf(a),
    // The key of an account in the subscription is read from Azure after the summary.
    storage: { accountName: storageName(a.storage!), key: a.storage?.mode === 'key' ? a.storage.key : '' },
  };
}

const storageName = (s: StorageAnswer): string => (s.mode === 'existing' ? s.account.name : s.name);

function storagePlanOf(s: StorageAnswer): StoragePlan {
  if (s.mode === 'existing') return { mode: 'existing', accountName: s.account.name, id: s.account.id };
  if (s.mode === 'new') return { mode: 'new', accountName: s.name };
  return { mode: 'key', accountName: s.name, key: s.key };
}

function storageSummary(s: StorageAnswer): string {
  if (s.mode === 'new') return `new storage account ${s.name}`;
  if (s.mode === 'existing') return `storage ${s.account.name}`;
  return `storage ${s.name} (by key)`;
}

/** The default storage: an account of the subscription in the cluster's region, a new one, or one outside by name and key. */
async function storageStep(client: AzureClient, a: Answers, at: { step: number; total: number }): Promise<StepResult> {
  const accounts = (await client.listStorageAccounts(a.subscriptionId!)).filter((s) => sameRegion(s.location, a.location!));
  for (;;) {
    const chosen = await pickStep<string>({
      title,
      ...at,
      placeholder: `Default storage of ${a.name} (HDInsight needs it in ${a.regionLabel})`,
      active: a.storage?.mode === 'existing' ? a.storage.account.id : a.storage?.mode,
      items: [
        { label: '$(add) New storage account…', description: `in ${a.resourceGroup}, ${a.regionLabel}`, value: 'new' },
        ...accounts.map((s) => ({ label: `$(database) ${s.name}`, description: `${s.resourceGroup} · ${s.kind ?? ''}`, value: s.id })),
        { label: '$(key) An account outside this subscription…', description: 'its name and access key', value: 'key' },
      ],
    });
    if (chosen === BACK) return BACK;
    if (chosen === 'new') {
      const typed = await inputStep({
        title,
        ...at,
        prompt: 'Name of the new storage account (3 to 24 lower-case letters and digits, unique in Azure)',
        value:
          a.storage?.mode === 'new'
            ? a.storage.name
            : `${a
                .name!.toLowerCase()
                .replace(/[^a-z0-9]/g, '')
                .slice(0, 19)}store`,
        validate: check(validateStorageAccountName),
        confirm: async (v) => {
          const result = await client.checkStorageAccountName(a.subscriptionId!, v);
          return result.available ? undefined : (result.message ?? `${v} is taken.`);
        },
      });
      if (typed === BACK) continue;
      a.storage = { mode: 'new', name: typed };
      return undefined;
    }
    if (chosen === 'key') {
      const kept = a.storage?.mode === 'key' ? a.storage : undefined;
      const name = await inputStep({
        title,
        ...at,
        prompt: 'Name of the storage account (its blob service holds the cluster’s file system)',
        value: kept?.name,
        validate: check(validateStorageAccountName),
      });
      if (name === BACK) continue;
      const key = await inputStep({
        title,
        ...at,
        prompt: `Access key of ${name}`,
        password: true,
        value: kept?.name === name ? kept.key : '',
        validate: (v) => (v.trim() ? undefined : 'The key is needed.'),
      });
      if (key === BACK) continue;
      a.storage = { mode: 'key', name, key };
      return undefined;
    }
    const account = accounts.find((s) => s.id === chosen)!;
    a.storage = { mode: 'existing', account };
    return undefined;
  }
}
