import * as vscode from 'vscode';
import type { AzureAccount } from '../auth/AzureAccount';
import { CancelledError, InvalidInputError } from '../core/errors';
import type { Settings } from '../settings';

/** `hdinsight.signIn` */
export function signInCommand(account: AzureAccount) {
  return async (): Promise<void> => {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Signing in to Azure…' }, () =>
      account.signIn(),
    );
  };
}

/** `hdinsight.selectTenant` `{ tenantId }`: which Microsoft Entra tenant's subscriptions to show. */
export function selectTenantCommand(account: AzureAccount, settings: Settings) {
  return async (arg?: unknown): Promise<{ tenantId: string | undefined }> => {
    const given = (arg as { tenantId?: unknown } | undefined)?.tenantId;
    if (given !== undefined) {
      if (given !== null && typeof given !== 'string') throw new InvalidInputError('"tenantId" must be a tenant id or null.');
      await settings.setAzureTenant(given ?? undefined);
      return { tenantId: given ?? undefined };
    }
    const client = await account.client();
    const tenants = await client.listTenants();
    const current = settings.azureTenant;
    const picked = await vscode.window.showQuickPick(
      tenants.map((t) => ({
        label: t.displayName ?? t.tenantId,
        description: [t.defaultDomain, t.tenantId === current ? '(current)' : ''].filter(Boolean).join(' '),
        detail: t.tenantId,
        tenantId: t.tenantId,
      })),
      { title: 'Choose the tenant whose subscriptions to show', ignoreFocusOut: true },
    );
    if (!picked) throw new CancelledError();
    await settings.setAzureTenant(picked.tenantId);
    return { tenantId: picked.tenantId };
  };
}

/** `hdinsight.selectSubscriptions` `{ subscriptionIds }` (empty: all). */
export function selectSubscriptionsCommand(account: AzureAccount, settings: Settings) {
  return async (arg?: unknown): Promise<{ subscriptionIds: string[] }> => {
    const given = (arg as { subscriptionIds?: unknown } | undefined)?.subscriptionIds;
    if (given !== undefined) {
      if (!Array.isArray(given) || !given.every((s) => typeof s === 'string')) {
        throw new InvalidInputError('"subscriptionIds" must be a list of subscription ids.');
      }
      await settings.setAzureSubscriptionFilter(given);
      return { subscriptionIds: given };
    }
    const client = await account.client();
    const filter = new Set(settings.azureSubscriptionFilter);
    const subscriptions = await client.listSubscriptions();
    const picked = await vscode.window.showQuickPick(
      subscriptions.map((s) => ({
        label: s.displayName,
        description: s.subscriptionId,
        picked: filter.size === 0 || filter.has(s.subscriptionId),
        id: s.subscriptionId,
      })),
      { title: 'Subscriptions to show in the HDInsight view', canPickMany: true, ignoreFocusOut: true },
    );
    if (!picked) throw new CancelledError();
    const ids = picked.length === subscriptions.length ? [] : picked.map((p) => p.id);
    await settings.setAzureSubscriptionFilter(ids);
    return { subscriptionIds: ids };
  };
}
