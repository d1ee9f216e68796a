// The two resources besides clusters that the Spark + Kafka pair needs, as Resource Manager serves
// them: Microsoft.Network virtual networks (PUT answers 201 with Azure-AsyncOperation, DELETE 202
// with both headers, subnets checked against the address space, a subnet in use cannot go) and
// Microsoft.Storage accounts (global name check, PUT answers 202 with a Location that answers 202
// until the account exists and then 200 with it, the subscription's list paged with nextLink,
// listKeys, DELETE 200 or 204).
import crypto from 'node:crypto';
import { type EmulatorRequest, type EmulatorResponse, errorResponse } from './server';

type Route = (
  method: string,
  path: string,
  versions: string[] | undefined,
  handler: (req: EmulatorRequest, apiVersion: string) => EmulatorResponse,
) => void;

export const NETWORK_API_VERSIONS = ['2023-09-01', '2024-01-01', '2024-05-01', '2024-07-01', '2024-10-01', '2025-01-01', '2025-05-01'];
export const STORAGE_API_VERSIONS = ['2023-01-01', '2023-05-01', '2024-01-01', '2025-01-01', '2025-06-01'];

const SUB = '(?<sub>[^/]+)';
const RG = '(?<rg>[^/]+)';
const VNET = `/subscriptions/${SUB}/resourcegroups/${RG}/providers/microsoft\\.network/virtualnetworks/(?<name>[^/]+)`;
const ACCOUNT = `/subscriptions/${SUB}/resourcegroups/${RG}/providers/microsoft\\.storage/storageaccounts/(?<name>[^/]+)`;

interface VnetRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  addressPrefixes: string[];
  subnets: { name: string; addressPrefix: string }[];
  provisioningState: 'Updating' | 'Succeeded' | 'Deleting';
  etag: string;
  resourceGuid: string;
  tags?: Record<string, string>;
}

interface AccountRecord {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  kind: string;
  sku: string;
  readyAt: number;
  keys: string[];
  created: Date;
  tags?: Record<string, string>;
}

interface Pending {
  doneAt: number;
  failWith?: { code: string; message: string };
  finish: () => void;
  status?: 'Succeeded' | 'Failed';
}

export interface ArmResourceHooks {
  /** The emulator's base URL, for operation URLs. */
  url: () => string;
  hasGroup: (subscriptionId: string, resourceGroup: string) => boolean;
  /** How long an operation runs. */
  operationMs: () => number;
  /** A failure the operation on this resource name should end with (one-shot), if a test asked for one. */
  failureFor: (name: string) => { code: string; message: string } | undefined;
  /** Resource ids of subnets clusters are joined to (a subnet in use cannot be deleted). */
  subnetsInUse: () => string[];
  /** One page of a list, as Resource Manager pages (absolute nextLink with api-version). */
  page: (req: EmulatorRequest, apiVersion: string, items: unknown[]) => EmulatorResponse;
}

export interface StorageAccountSpec {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  kind?: string;
  sku?: string;
  tags?: Record<string, string>;
}

export class ArmResources {
  private readonly vnets = new Map<string, VnetRecord>();
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly pending = new Map<string, Pending>();
  /** Every storage account added or created, deleted ones included (the secret scan looks for their keys). */
  readonly createdAccounts = new Set<string>();

  constructor(private readonly hooks: ArmResourceHooks) {}

  /** A virtual network by resource id (any case): its location and subnets, or undefined. */
  vnet(id: string): { location: string; subnets: string[] } | undefined {
    const v = this.vnets.get(id.toLowerCase());
    return v && v.provisioningState === 'Succeeded' ? { location: v.location, subnets: v.subnets.map((s) => s.name) } : undefined;
  }

  /** A storage account by name (names are global), once created. */
  account(name: string): { location: string; resourceGroup: string } | undefined {
    const a = this.accounts.get(name.toLowerCase());
    return a && Date.now() >= a.readyAt ? { location: a.location, resourceGroup: a.resourceGroup } : undefined;
  }

  /** Whether the key is one of the account's keys (HDInsight checks the key it is given). */
  keyOpens(name: string, key: string): boolean {
    return this.accounts.get(name.toLowerCase())?.keys.includes(key) ?? false;
  }

  /** Adds an account that exists already (the sandbox's). */
  addAccount(spec: StorageAccountSpec): void {
    this.createdAccounts.add(spec.name.toLowerCase());
    this.accounts.set(spec.name.toLowerCase(), {
      subscriptionId: spec.subscriptionId,
      resourceGroup: spec.resourceGroup,
      name: spec.name.toLowerCase(),
      location: spec.location,
      kind: spec.kind ?? 'StorageV2',
      sku: spec.sku ?? 'Standard_LRS',
      readyAt: 0,
      keys: [emulatedStorageKey(spec.name.toLowerCase(), 1), emulatedStorageKey(spec.name.toLowerCase(), 2)],
      created: new Date('2024-03-01T09:30:00Z'),
      tags: spec.tags,
    });
  }

  /** Every network and ready account as Resource Manager renders them (for Resource Graph's Resources table). */
  rendered(): Record<string, unknown>[] {
    return [
      ...[...this.vnets.values()].map((v) => renderVnet(v)),
      ...[...this.accounts.values()].filter((a) => Date.now() >= a.readyAt).map((a) => this.renderAccount(a)),
    ];
  }

  register(route: Route): void {
    route('PUT', VNET, NETWORK_API_VERSIONS, (req, v) => this.putVnet(req, v));
    route('GET', VNET, NETWORK_API_VERSIONS, (req) => {
      const found = this.vnets.get(vnetId(req.params.sub, req.params.rg, req.params.name).toLowerCase());
      return found
        ? { status: 200, body: renderVnet(found) }
        : notFound('Microsoft.Network/virtualNetworks', req.params.name, req.params.rg);
    });
    route('DELETE', VNET, NETWORK_API_VERSIONS, (req, v) => this.deleteVnet(req, v));
    route('GET', `${VNET}/subnets/(?<subnet>[^/]+)`, NETWORK_API_VERSIONS, (req) => {
      const id = vnetId(req.params.sub, req.params.rg, req.params.name);
      const found = this.vnets.get(id.toLowerCase());
      if (!found) return notFound('Microsoft.Network/virtualNetworks', req.params.name, req.params.rg);
      const subnets = renderVnet(found).properties.subnets as { name: string }[];
      const subnet = subnets.find((s) => s.name.toLowerCase() === req.params.subnet.toLowerCase());
      // The network resource provider's answer for a subnet that is not there.
      return subnet
        ? { status: 200, body: subnet }
        : errorResponse(404, 'NotFound', `Resource ${id}/subnets/${req.params.subnet} not found.`);
    });
    route(
      'GET',
      `/subscriptions/${SUB}/providers/microsoft\\.network/locations/(?<loc>[^/]+)/operations/(?<op>[^/]+)`,
      NETWORK_API_VERSIONS,
      (req) => {
        const op = this.poll(req.params.op);
        if (!op) return errorResponse(404, 'OperationNotFound', `Operation ${req.params.op} not found.`);
        if (!op.status) return { status: 200, headers: { 'retry-after': '1' }, body: { status: 'InProgress' } };
        return { status: 200, body: op.status === 'Failed' ? { status: 'Failed', error: op.failWith } : { status: 'Succeeded' } };
      },
    );
    route(
      'GET',
      `/subscriptions/${SUB}/providers/microsoft\\.network/locations/(?<loc>[^/]+)/operationresults/(?<op>[^/]+)`,
      NETWORK_API_VERSIONS,
      (req) => {
        const op = this.poll(req.params.op);
        if (!op) return errorResponse(404, 'OperationNotFound', `Operation ${req.params.op} not found.`);
        if (!op.status) return { status: 202, headers: { 'retry-after': '1' } };
        return op.status === 'Failed' ? errorResponse(400, op.failWith!.code, op.failWith!.message) : { status: 204 };
      },
    );

    route('POST', `/subscriptions/${SUB}/providers/microsoft\\.storage/checknameavailability`, STORAGE_API_VERSIONS, (req) => {
      const { name, type } = JSON.parse(req.body || '{}') as { name?: string; type?: string };
      if (type !== 'Microsoft.Storage/storageAccounts') {
        return errorResponse(400, 'InvalidResourceType', `The resource type '${type ?? ''}' is not supported.`);
      }
      return { status: 200, body: this.nameAvailability(name ?? '') };
    });
    route('GET', `/subscriptions/${SUB}/providers/microsoft\\.storage/storageaccounts`, STORAGE_API_VERSIONS, (req, v) =>
      this.hooks.page(
        req,
        v,
        [...this.accounts.values()]
          .filter((a) => a.subscriptionId.toLowerCase() === req.params.sub.toLowerCase() && Date.now() >= a.readyAt)
          .map((a) => this.renderAccount(a)),
      ),
    );
    route('PUT', ACCOUNT, STORAGE_API_VERSIONS, (req, v) => this.putAccount(req, v));
    route('GET', ACCOUNT, STORAGE_API_VERSIONS, (req) => {
      const found = this.ownAccount(req);
      return found && Date.now() >= found.readyAt
        ? { status: 200, body: this.renderAccount(found) }
        : notFound('Microsoft.Storage/storageAccounts', req.params.name, req.params.rg);
    });
    route('POST', `${ACCOUNT}/listkeys`, STORAGE_API_VERSIONS, (req) => {
      const found = this.ownAccount(req);
      if (!found || Date.now() < found.readyAt) return notFound('Microsoft.Storage/storageAccounts', req.params.name, req.params.rg);
      return {
        status: 200,
        body: {
          keys: found.keys.map((value, i) => ({
            keyName: `key${i + 1}`,
            value,
            permissions: 'FULL',
            creationTime: found.created.toISOString(),
          })),
        },
      };
    });
    route('DELETE', ACCOUNT, STORAGE_API_VERSIONS, (req) => {
      const found = this.ownAccount(req);
      if (!found) return { status: 204 };
      this.accounts.delete(found.name.toLowerCase());
      return { status: 200 };
    });
    route(
      'GET',
      `/subscriptions/${SUB}/providers/microsoft\\.storage/locations/(?<loc>[^/]+)/asyncoperations/(?<op>[^/]+)`,
      STORAGE_API_VERSIONS,
      (req) => {
        const op = this.poll(req.params.op);
        if (!op) return errorResponse(404, 'OperationNotFound', `Operation ${req.params.op} not found.`);
        if (!op.status)
          return { status: 202, headers: { location: `${this.hooks.url()}${req.url.pathname}${req.url.search}`, 'retry-after': '1' } };
        if (op.status === 'Failed') return errorResponse(400, op.failWith!.code, op.failWith!.message);
        const account = [...this.accounts.values()].find((a) => a.name.toLowerCase() === req.url.searchParams.get('account'));
        return account ? { status: 200, body: this.renderAccount(account) } : { status: 204 };
      },
    );
  }

  private putVnet(req: EmulatorRequest, apiVersion: string): EmulatorResponse {
    const { sub, rg, name } = req.params;
    if (!this.hooks.hasGroup(sub, rg)) return groupNotFound(rg);
    const body = JSON.parse(req.body || '{}') as {
      location?: string;
      tags?: Record<string, string>;
      properties?: {
        addressSpace?: { addressPrefixes?: string[] };
        subnets?: { name?: string; properties?: { addressPrefix?: string } }[];
      };
    };
    if (!body.location) return errorResponse(400, 'LocationRequired', 'The location property is required for this definition.');
    const prefixes = body.properties?.addressSpace?.addressPrefixes ?? [];
    for (const p of prefixes) {
      if (!cidr(p))
        return errorResponse(
          400,
          'InvalidAddressPrefixFormat',
          `Address prefix ${p} of resource ${vnetId(sub, rg, name)} is not formatted correctly.`,
        );
    }
    if (prefixes.length === 0) {
      return errorResponse(400, 'AddressSpaceMustHaveAtLeastOnePrefix', `Virtual network ${name} must have at least one address prefix.`);
    }
    const subnets: VnetRecord['subnets'] = [];
    for (const s of body.properties?.subnets ?? []) {
      const prefix = s.properties?.addressPrefix ?? '';
      const range = cidr(prefix);
      if (!s.name || !range) {
        return errorResponse(
          400,
          'InvalidAddressPrefixFormat',
          `Address prefix ${prefix} of subnet ${s.name ?? ''} is not formatted correctly.`,
        );
      }
      if (!prefixes.some((p) => contains(cidr(p)!, range))) {
        return errorResponse(
          400,
          'NetcfgSubnetRangeOutsideVnet',
          `Subnet '${s.name}' is not valid because its IP address range is outside the IP address range of virtual network '${name}'.`,
        );
      }
      subnets.push({ name: s.name, addressPrefix: prefix });
    }
    const key = vnetId(sub, rg, name).toLowerCase();
    const existing = this.vnets.get(key);
    const record: VnetRecord = {
      subscriptionId: sub,
      resourceGroup: rg,
      name,
      location: body.location.toLowerCase().replace(/\s+/g, ''),
      addressPrefixes: prefixes,
      subnets,
      provisioningState: 'Updating',
      etag: crypto.randomUUID(),
      resourceGuid: existing?.resourceGuid ?? crypto.randomUUID(),
      tags: body.tags,
    };
    this.vnets.set(key, record);
    const op = this.start(name, {
      finish: () => (record.provisioningState = 'Succeeded'),
      fail: () => this.vnets.delete(key),
    });
    const async = `${this.hooks.url()}/subscriptions/${sub}/providers/Microsoft.Network/locations/${record.location}/operations/${op}?api-version=${apiVersion}`;
    return {
      status: existing ? 200 : 201,
      headers: { 'azure-asyncoperation': async, 'retry-after': '1' },
      body: renderVnet(record),
    };
  }

  private deleteVnet(req: EmulatorRequest, apiVersion: string): EmulatorResponse {
    const { sub, rg, name } = req.params;
    const id = vnetId(sub, rg, name);
    const found = this.vnets.get(id.toLowerCase());
    if (!found) return { status: 204 };
    const inUse = this.hooks.subnetsInUse().find((s) => s.toLowerCase().startsWith(`${id.toLowerCase()}/subnets/`));
    if (inUse) {
      return errorResponse(
        400,
        'InUseSubnetCannotBeDeleted',
        `Subnet ${inUse.split('/').pop()} is in use by HDInsight cluster nodes and cannot be deleted. In order to delete the subnet, delete all the resources within the subnet.`,
      );
    }
    found.provisioningState = 'Deleting';
    const op = this.start(name, { finish: () => this.vnets.delete(id.toLowerCase()), fail: () => (found.provisioningState = 'Succeeded') });
    const base = `${this.hooks.url()}/subscriptions/${sub}/providers/Microsoft.Network/locations/${found.location}`;
    return {
      status: 202,
      headers: {
        'azure-asyncoperation': `${base}/operations/${op}?api-version=${apiVersion}`,
        location: `${base}/operationResults/${op}?api-version=${apiVersion}`,
        'retry-after': '1',
      },
    };
  }

  private nameAvailability(name: string): { nameAvailable: boolean; reason?: string; message?: string } {
    if (!/^[a-z0-9]{3,24}$/.test(name)) {
      return {
        nameAvailable: false,
        reason: 'AccountNameInvalid',
        message: `${name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in length and use numbers and lower-case letters only.`,
      };
    }
    if (this.accounts.has(name)) {
      return { nameAvailable: false, reason: 'AlreadyExists', message: `The storage account named ${name} is already taken.` };
    }
    return { nameAvailable: true };
  }

  private putAccount(req: EmulatorRequest, apiVersion: string): EmulatorResponse {
    const { sub, rg, name } = req.params;
    if (!this.hooks.hasGroup(sub, rg)) return groupNotFound(rg);
    const body = JSON.parse(req.body || '{}') as {
      location?: string;
      kind?: string;
      sku?: { name?: string };
      tags?: Record<string, string>;
    };
    if (!body.sku?.name) return errorResponse(400, 'MissingRequiredProperty', 'The sku property is required.');
    if (!body.kind) return errorResponse(400, 'MissingRequiredProperty', 'The kind property is required.');
    if (!body.location) return errorResponse(400, 'LocationRequired', 'The location property is required for this definition.');
    const existing = this.accounts.get(name);
    if (
      existing &&
      (existing.subscriptionId.toLowerCase() !== sub.toLowerCase() || existing.resourceGroup.toLowerCase() !== rg.toLowerCase())
    ) {
      return errorResponse(409, 'StorageAccountAlreadyTaken', `The storage account named ${name} is already taken.`);
    }
    const availability = this.nameAvailability(name);
    if (!existing && !availability.nameAvailable) return errorResponse(400, availability.reason!, availability.message!);
    const record: AccountRecord = {
      subscriptionId: sub,
      resourceGroup: rg,
      name,
      location: body.location.toLowerCase().replace(/\s+/g, ''),
      kind: body.kind,
      sku: body.sku.name,
      readyAt: Number.POSITIVE_INFINITY,
      keys: [emulatedStorageKey(name, 1), emulatedStorageKey(name, 2)],
      created: new Date(),
      tags: body.tags,
    };
    this.accounts.set(name, record);
    this.createdAccounts.add(name);
    const op = this.start(name, { finish: () => (record.readyAt = Date.now()), fail: () => this.accounts.delete(name) });
    return {
      status: 202,
      headers: {
        location: `${this.hooks.url()}/subscriptions/${sub}/providers/Microsoft.Storage/locations/${record.location}/asyncoperations/${op}?monitor=true&api-version=${apiVersion}&account=${name}`,
        'retry-after': '1',
      },
    };
  }

  private ownAccount(req: EmulatorRequest): AccountRecord | undefined {
    const found = this.accounts.get(req.params.name);
    return found &&
      found.subscriptionId.toLowerCase() === req.params.sub.toLowerCase() &&
      found.resourceGroup.toLowerCase() === req.params.rg.toLowerCase()
      ? found
      : undefined;
  }

  private renderAccount(a: AccountRecord): Record<string, unknown> {
    const endpoint = (service: string) => `https://${a.name}.${service}.core.windows.net/`;
    return {
      id: `/subscriptions/${a.subscriptionId}/resourceGroups/${a.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${a.name}`,
      name: a.name,
      type: 'Microsoft.Storage/storageAccounts',
      location: a.location,
      kind: a.kind,
      sku: { name: a.sku, tier: a.sku.startsWith('Premium') ? 'Premium' : 'Standard' },
      tags: a.tags ?? {},
      properties: {
        provisioningState: 'Succeeded',
        creationTime: a.created.toISOString(),
        primaryLocation: a.location,
        statusOfPrimary: 'available',
        minimumTlsVersion: 'TLS1_2',
        allowBlobPublicAccess: false,
        supportsHttpsTrafficOnly: true,
        primaryEndpoints: {
          blob: endpoint('blob'),
          dfs: endpoint('dfs'),
          queue: endpoint('queue'),
          table: endpoint('table'),
          file: endpoint('file'),
        },
      },
    };
  }

  /** Starts an operation; returns its id. It ends when polled after operationMs. */
  private start(name: string, outcome: { finish: () => void; fail: () => void }): string {
    const id = crypto.randomUUID();
    const failWith = this.hooks.failureFor(name);
    this.pending.set(id, {
      doneAt: Date.now() + this.hooks.operationMs(),
      failWith,
      finish: () => (failWith ? outcome.fail() : outcome.finish()),
    });
    return id;
  }

  private poll(id: string): Pending | undefined {
    const op = this.pending.get(id);
    if (op && !op.status && Date.now() >= op.doneAt) {
      op.finish();
      op.status = op.failWith ? 'Failed' : 'Succeeded';
    }
    return op;
  }
}

/**
 * An account's access key: 64 bytes as base64 like Azure's, derived from the name so that the
 * secret scans can look for the keys of accounts the suites create, even in another process.
 */
export function emulatedStorageKey(accountName: string, index: 1 | 2): string {
  return crypto.createHash('sha512').update(`emulated storage key ${index} of ${accountName}`).digest('base64');
}

function vnetId(sub: string, rg: string, name: string): string {
  return `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${name}`;
}

function renderVnet(v: VnetRecord): Record<string, unknown> & { properties: Record<string, unknown> } {
  const id = vnetId(v.subscriptionId, v.resourceGroup, v.name);
  const etag = `W/"${v.etag}"`;
  return {
    name: v.name,
    id,
    etag,
    type: 'Microsoft.Network/virtualNetworks',
    location: v.location,
    tags: v.tags,
    properties: {
      provisioningState: v.provisioningState,
      resourceGuid: v.resourceGuid,
      addressSpace: { addressPrefixes: v.addressPrefixes },
      subnets: v.subnets.map((s) => ({
        name: s.name,
        id: `${id}/subnets/${s.name}`,
        etag,
        type: 'Microsoft.Network/virtualNetworks/subnets',
        properties: {
          provisioningState: v.provisioningState,
          addressPrefix: s.addressPrefix,
          delegations: [],
          privateEndpointNetworkPolicies: 'Disabled',
          privateLinkServiceNetworkPolicies: 'Enabled',
        },
      })),
      virtualNetworkPeerings: [],
      enableDdosProtection: false,
    },
  };
}

/** An IPv4 CIDR as [first address, last address], or undefined. */
function cidr(prefix: string): [number, number] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(prefix);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const bits = Number(m[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return [first, first + size - 1];
}

function contains(outer: [number, number], inner: [number, number]): boolean {
  return inner[0] >= outer[0] && inner[1] <= outer[1];
}

function notFound(type: string, name: string, rg: string): EmulatorResponse {
  return errorResponse(404, 'ResourceNotFound', `The Resource '${type}/${name}' under resource group '${rg}' was not found.`);
}

function groupNotFound(rg: string): EmulatorResponse {
  return errorResponse(404, 'ResourceGroupNotFound', `Resource group '${rg}' could not be found.`);
}
