// The steps of "Create Spark + Kafka Pair…" from the palette: where, the base name (both cluster
// names checked), the logins and the storage account, then a summary with Azure's checks of the
// whole pair. Back keeps the answers, Escape creates nothing; createPair.ts does the creating.
import * as vscode from 'vscode';
import type { AzureClient } from '../../azure/client';
import { PAIR_NETWORK, validateStorageAccountName } from '../../azure/createRequest';
import { checkPair, pairNames, type PairCheck, type PairInput } from '../../azure/pair';
import { CancelledError, isCancellation, userMessage } from '../../core/errors';
import { answer, check, loginSteps, placeSteps, sshOf, type LoginAnswers, type PlaceAnswers } from './sharedSteps';
import type { PairToCreate } from './types';
import { BACK, inputStep, pickStep, runSteps } from './wizard';

interface Answers extends PlaceAnswers, LoginAnswers {
  baseName?: string;
  storageAccount?: string;
  /** The summary's checks, for the creation to use what they read. */
  checked?: PairCheck;
}

/** Asks step by step; resolves to the pair to create once the checked summary is confirmed. */
export async function askForPair(client: AzureClient): Promise<PairToCreate> {
  const title = 'Create Spark + Kafka Pair';
  const inputOf = (a: Answers): PairInput => ({
    subscriptionId: a.subscriptionId!,
    resourceGroup: a.resourceGroup!,
    location: a.location!,
    baseName: a.baseName!,
    clusterLogin: { username: a.loginUser, password: a.loginPassword! },
    ssh: sshOf(a),
    storageAccount: a.storageAccount,
  });
  const answers = await runSteps<Answers>(
    [
      ...placeSteps<Answers>(client, title),
      async (a, at) =>
        answer(
          a,
          'baseName',
          await inputStep({
            title,
            ...at,
            prompt: 'Base name: the clusters become spark-NAME and kafka-NAME, the virtual network NAME-vnet',
            value: a.baseName,
            validate: check((v) => pairNames({ baseName: v })),
            confirm: async (v) => {
              const names = pairNames({ baseName: v });
              const results = await Promise.all(
                [names.spark, names.kafka].map((n) => client.checkClusterName(a.subscriptionId!, a.location!, n)),
              );
              return (
                results.find((r) => !r.available)?.message ?? (results.some((r) => !r.available) ? 'A cluster name is taken.' : undefined)
              );
            },
          }),
        ),
      ...loginSteps<Answers>(title),
      async (a, at) =>
        answer(
          a,
          'storageAccount',
          await inputStep({
            title,
            ...at,
            prompt: 'New storage account for both clusters’ file systems (a global name)',
            value: a.storageAccount ?? pairNames({ baseName: a.baseName! }).storage,
            validate: check(validateStorageAccountName),
            confirm: async (v) => {
              const result = await client.checkStorageAccountName(a.subscriptionId!, v);
              return result.available ? undefined : (result.message ?? `${v} is taken.`);
            },
          }),
        ),
      async (a, at) => {
        let checked: PairCheck | undefined;
        let problem: string | undefined;
        try {
          checked = await checkPair(client, inputOf(a), undefined, a.regionLabel);
          a.checked = checked;
        } catch (err) {
          if (isCancellation(err)) throw err;
          problem = userMessage(err);
          // A quick pick row cuts long text: the notification shows all of it.
          void vscode.window.showErrorMessage(problem);
        }
        const names = pairNames(a as { baseName: string; storageAccount?: string });
        const chosen = await pickStep<'create' | 'back' | 'cancel'>({
          title,
          ...at,
          placeholder: checked
            ? `Create the pair? ${checked.cores} cores (${checked.used} of ${checked.limit} in use in ${a.regionLabel})`
            : 'Azure would refuse the pair: go back to change it',
          items: [
            checked
              ? {
                  label: `$(check) Create ${names.spark} and ${names.kafka}`,
                  description: 'HDInsight 5.1 · Spark 3.3, 4 workers · Kafka 3.2, 3 workers with data disks, 3 ZooKeeper',
                  detail: `${a.newGroup ? 'new ' : ''}resource group ${a.resourceGroup} · ${a.regionLabel} · virtual network ${names.network} ${PAIR_NETWORK.addressPrefix}, subnet ${PAIR_NETWORK.subnetName} ${PAIR_NETWORK.subnetPrefix} · new storage account ${names.storage} · SSH ${a.sshUser} with ${a.sshKey ? 'a public key' : 'a password'}`,
                  value: 'create' as const,
                }
              : { label: '$(arrow-left) Go back and change the answers', detail: `$(error) ${problem}`, value: 'back' as const },
            // What HDInsight cannot validate before they exist: it does once they do, before either cluster is requested.
            ...(checked
              ? [
                  {
                    label: `HDInsight checks once made: the key of ${names.storage}, network ${names.network}`,
                    kind: vscode.QuickPickItemKind.Separator,
                    value: 'cancel' as const,
                  },
                ]
              : []),
            { label: '$(close) Cancel', value: 'cancel' as const },
          ],
        });
        if (chosen === BACK || chosen === 'back') return BACK;
        if (chosen === 'cancel') throw new CancelledError();
        return undefined;
      },
    ],
    { loginUser: 'admin', sshUser: 'sshuser' },
  );
  return {
    input: inputOf(answers),
    newGroup: answers.newGroup ?? false,
    checked: answers.checked!,
    regionLabel: answers.regionLabel,
  };
}
