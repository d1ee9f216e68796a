import type { AzureClient } from '../azure/client';
import { validateClusterPassword, validateSshLogin } from '../azure/createRequest';
import { BACK, inputStep, pickStep, type Step, type StepResult } from './multiStep';

// Steps the create commands share: where the resources go and the logins they get. Each keeps
// its answer in the state object, so Back shows it again.

export interface PlaceAnswers {
  subscriptionId?: string;
  resourceGroup?: string;
  newGroup?: boolean;
  location?: string;
}

export interface LoginAnswers {
  loginUser: string;
  loginPassword?: string;
  sshUser: string;
  sshPassword?: string;
}

export const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;

/** Keeps a step's answer under `key`, or goes back. */
export function answer<A, K extends keyof A>(a: A, key: K, value: NonNullable<A[K]> | typeof BACK): StepResult {
  if (value === BACK) return BACK;
  a[key] = value;
  return undefined;
}

/** A validator for an input box from a function that throws the message. */
export function check(f: (v: string) => unknown): (v: string) => string | undefined {
  return (v) => {
    try {
      f(v);
      return undefined;
    } catch (err) {
      return (err as Error).message;
    }
  };
}

/** Subscription, resource group (existing or new) and region. */
export function placeSteps<A extends PlaceAnswers>(client: AzureClient, title: string): Step<A>[] {
  return [
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
  ];
}

/** The cluster login (user, password) and the SSH login (user, password). */
export function loginSteps<A extends LoginAnswers>(title: string): Step<A>[] {
  return [
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
  ];
}
