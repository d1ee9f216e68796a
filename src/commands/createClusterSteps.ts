// The steps of "Create Cluster…" from the palette: every answer checked as it is given, lists
// from what the subscription and the region offer, Back keeping the answers, Escape creating
// nothing. Returns what to create; createCluster.ts does the creating.
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import {
  defaultSize,
  describeSize,
  missingKinds,
  offeredKinds,
  planInRegion,
  sizesFor,
  type RegionCapabilities,
} from '../azure/capabilities';
import type { AzureClient, StorageAccountInfo } from '../azure/client';
import {
  CLUSTER_KINDS,
  type ClusterPlan,
  type CreatableKind,
  createRequest,
  estimatedCores,
  validateClusterName,
  validateClusterPassword,
  validateSshLogin,
  validateStorageAccountName,
  validateWorkers,
} from '../azure/createRequest';
import { CancelledError } from '../core/errors';
import type { ClusterToCreate, StoragePlan } from './createCluster';
import { BACK, inputStep, pickStep, runSteps, type StepResult } from './multiStep';

export const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;

type StorageAnswer =
  { mode: 'existing'; account: StorageAccountInfo } | { mode: 'new'; name: string } | { mode: 'key'; name: string; key: string };

interface Answers {
  subscriptionId?: string;
  resourceGroup?: string;
  newGroup?: boolean;
  location?: string;
  regionLabel?: string;
  capabilities?: RegionCapabilities;
  kind?: CreatableKind;
  name?: string;
  loginUser: string;
  loginPassword?: string;
  sshUser: string;
  sshPassword?: string;
  /** The public key, and where it came from (a file's path, or "pasted"). */
  sshKey?: { text: string; from: string };
  workers?: string;
  workerSize?: string;
  storage?: StorageAnswer;
}

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

const sameRegion = (a: string, b: string): boolean => a.toLowerCase().replace(/\s+/g, '') === b.toLowerCase().replace(/\s+/g, '');

/** Asks step by step; resolves to what to create once the summary is confirmed. */
export async function askForCluster(client: AzureClient): Promise<ClusterToCreate> {
  const a = await runSteps<Answers>(
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
        for (;;) {
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
          if (typed === BACK) continue;
          a.resourceGroup = typed;
          a.newGroup = true;
          return undefined;
        }
      },
      async (a, at) => {
        const regions = await client.listLocations(a.subscriptionId!);
        const chosen = await pickStep({
          title,
          ...at,
          placeholder: 'Region',
          active: a.location,
          items: regions.map((r) => ({ label: r.displayName, description: r.name, value: r.name })),
        });
        if (chosen === BACK) return BACK;
        a.location = chosen;
        a.regionLabel = regions.find((r) => r.name === chosen)?.displayName ?? chosen;
        return undefined;
      },
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
      (a, at) => sshSignIn(a, at),
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
    workerNodeSize: a.workerSize,
    clusterLogin: { username: a.loginUser, password: a.loginPassword! },
    ssh: a.sshKey ? { username: a.sshUser, publicKey: a.sshKey.text } : { username: a.sshUser, password: a.sshPassword },
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

/** How the SSH user signs in: a public key (from ~/.ssh, a file, or pasted) or a password. */
async function sshSignIn(a: Answers, at: { step: number; total: number }): Promise<StepResult> {
  let problem: string | undefined;
  for (;;) {
    const keys = await publicKeysInSshFolder();
    const previous = a.sshKey
      ? keys.some((k) => k.path === a.sshKey!.from)
        ? `file:${a.sshKey.from}`
        : a.sshKey.from === 'pasted'
          ? 'paste'
          : 'browse'
      : a.sshPassword
        ? 'password'
        : undefined;
    const chosen = await pickStep<string>({
      title,
      ...at,
      placeholder: problem ?? `How ${a.sshUser} signs in over SSH`,
      active: previous,
      items: [
        ...keys.map((k) => ({ label: `$(key) ${path.basename(k.path)}`, description: k.summary, detail: k.path, value: `file:${k.path}` })),
        { label: '$(folder-opened) Public key from a file…', description: 'an OpenSSH .pub file', value: 'browse' },
        { label: '$(clippy) Paste a public key…', description: 'ssh-ed25519 AAAA… or ssh-rsa AAAA…', value: 'paste' },
        {
          label: '$(lock) Password',
          description: '6 to 72 characters from 3 of: lower case, upper case, digits, symbols',
          value: 'password',
        },
      ],
    });
    if (chosen === BACK) return BACK;
    problem = undefined;
    if (chosen === 'password') {
      const typed = await inputStep({
        title,
        ...at,
        prompt: `SSH password of ${a.sshUser}`,
        password: true,
        value: a.sshPassword,
        validate: check((v) => validateSshLogin({ username: a.sshUser, password: v }, a.loginUser)),
      });
      if (typed === BACK) continue;
      a.sshPassword = typed;
      a.sshKey = undefined;
      return undefined;
    }
    if (chosen === 'paste') {
      const typed = await inputStep({
        title,
        ...at,
        prompt: `Public key of ${a.sshUser} (one line: ssh-ed25519 AAAA… or ssh-rsa AAAA…)`,
        value: a.sshKey?.from === 'pasted' ? a.sshKey.text : '',
        validate: check((v) => validateSshLogin({ username: a.sshUser, publicKey: v }, a.loginUser)),
      });
      if (typed === BACK) continue;
      a.sshKey = { text: typed.trim(), from: 'pasted' };
      a.sshPassword = undefined;
      return undefined;
    }
    let file: vscode.Uri | undefined;
    if (chosen === 'browse') {
      [file] =
        (await vscode.window.showOpenDialog({
          title: `Public key of ${a.sshUser}`,
          defaultUri: vscode.Uri.file(path.join(os.homedir(), '.ssh')),
          canSelectMany: false,
          openLabel: 'Use This Public Key',
          filters: { 'OpenSSH public keys': ['pub'], 'All files': ['*'] },
        })) ?? [];
      if (!file) continue;
    } else {
      file = vscode.Uri.file(chosen.slice('file:'.length));
    }
    const read = await readPublicKey(file, a);
    if ('problem' in read) {
      problem = read.problem;
      continue;
    }
    a.sshKey = { text: read.key, from: file.fsPath };
    a.sshPassword = undefined;
    return undefined;
  }
}

/** The OpenSSH public keys in ~/.ssh, as the user's own keys to offer first. */
async function publicKeysInSshFolder(): Promise<{ path: string; summary: string }[]> {
  const folder = vscode.Uri.file(path.join(os.homedir(), '.ssh'));
  try {
    const entries = await vscode.workspace.fs.readDirectory(folder);
    const keys = await Promise.all(
      entries
        .filter(([name, type]) => name.endsWith('.pub') && type === vscode.FileType.File)
        .map(async ([name]) => {
          const file = vscode.Uri.joinPath(folder, name);
          const text = Buffer.from(await vscode.workspace.fs.readFile(file))
            .toString('utf8')
            .trim();
          const [type, , comment] = text.split(/\s+/);
          return /^(ssh-|ecdsa-)/.test(type ?? '') ? [{ path: file.fsPath, summary: [type, comment].filter(Boolean).join(' · ') }] : [];
        }),
    );
    return keys.flat().sort((x, y) => x.path.localeCompare(y.path));
  } catch {
    return []; // no ~/.ssh, or not readable: the other ways remain
  }
}

/** A public key file's one line, checked; a private key is refused without reading it out. */
async function readPublicKey(file: vscode.Uri, a: Answers): Promise<{ key: string } | { problem: string }> {
  const name = path.basename(file.fsPath);
  try {
    const { size } = await vscode.workspace.fs.stat(file);
    if (size > 16_384) return { problem: `${name} is too large for a public key: choose an OpenSSH .pub file` };
    const text = Buffer.from(await vscode.workspace.fs.readFile(file))
      .toString('utf8')
      .trim();
    if (/PRIVATE KEY/.test(text)) return { problem: `${name} is a private key: choose its .pub file` };
    validateSshLogin({ username: a.sshUser, publicKey: text }, a.loginUser);
    return { key: text };
  } catch (err) {
    return { problem: `${name}: ${err instanceof Error ? err.message : String(err)}` };
  }
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
