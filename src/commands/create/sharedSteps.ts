// Steps the create commands share: where the resources go and the logins they get. Each keeps
// its answer in the state object, so Back shows it again.
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { AzureClient } from '../../azure/client';
import { userMessage } from '../../core/errors';
import { type LinuxLogin, validateClusterPassword, validateSshLogin } from '../../azure/createRequest';
import { BACK, inputStep, pickStep, type Step, type StepResult } from './wizard';

export interface PlaceAnswers {
  subscriptionId?: string;
  resourceGroup?: string;
  newGroup?: boolean;
  location?: string;
  /** The region's display name (West Europe). */
  regionLabel?: string;
}

export interface LoginAnswers {
  loginUser: string;
  loginPassword?: string;
  sshUser: string;
  sshPassword?: string;
  /** The public key, and where it came from (a file's path, or "pasted"). */
  sshKey?: { text: string; from: string };
}

/** The SSH login the answers describe: the public key when one was chosen, else the password. */
export function sshOf(a: LoginAnswers): LinuxLogin {
  return a.sshKey ? { username: a.sshUser, publicKey: a.sshKey.text } : { username: a.sshUser, password: a.sshPassword };
}

export const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;

/** Keeps a step's answer under `key`, or goes back. */
export function answer<A, K extends keyof A>(a: A, key: K, value: NonNullable<A[K]> | typeof BACK): StepResult {
  if (value === BACK) return BACK;
  a[key] = value;
  return undefined;
}

/** A validator for an input box from a function that throws: the message, with what to do when the error says. */
export function check(f: (v: string) => unknown): (v: string) => string | undefined {
  return (v) => {
    try {
      f(v);
      return undefined;
    } catch (err) {
      return userMessage(err);
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
        if (typed === BACK) continue; // back to the list of groups
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
  ];
}

/** The cluster login (user, password) and the SSH login (user; a public key or a password). */
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
    (a, at) => sshSignIn(title, a, at),
  ];
}

/** How the SSH user signs in: a public key (from ~/.ssh, a file, or pasted) or a password. */
async function sshSignIn(title: string, a: LoginAnswers, at: { step: number; total: number }): Promise<StepResult> {
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
async function readPublicKey(file: vscode.Uri, a: LoginAnswers): Promise<{ key: string } | { problem: string }> {
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
    return { problem: `${name}: ${userMessage(err)}` };
  }
}
