// Registering client applications and user accounts: shared by the admin API, the admin CLI and the
// start-up seeding of the network's accounts. Input is checked here, once.
import { randomUUID } from 'node:crypto';
import { badRequest } from '../outcomes';
import type { AuthStore, ClientRecord, ClientType, UserRecord } from '../store/auth-port';
import { hashSecret, randomSecret } from './passwords';
import { isRoleName } from './policy/roles';
import { contextScopes, parseResourceScope } from './scopes';

export interface NewClient {
  clientId?: string;
  name: string;
  type: ClientType;
  redirectUris?: string[];
  scopes: string[];
  /** A confidential-symmetric client's secret; generated when absent. */
  secret?: string;
  jwks?: { keys: Record<string, unknown>[] };
  jwksUri?: string;
  organizations?: string[];
  roles?: string[];
}

export interface NewUser {
  account: string;
  displayName: string;
  /** Generated when absent. */
  password?: string;
  fhirUser: string;
  roles: string[];
  organizations?: string[];
  patients?: string[];
}

const clientTypes: readonly ClientType[] = ['public', 'confidential-symmetric', 'confidential-asymmetric'];
const reference = /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/;

/** Stores the client (replacing one of the same id); returns it and, for a symmetric client, its secret in clear once. */
export async function registerClient(store: AuthStore, input: NewClient): Promise<{ client: ClientRecord; secret?: string }> {
  if (!input.name?.trim()) {
    throw badRequest('A client needs a name', 'name');
  }
  if (!clientTypes.includes(input.type)) {
    throw badRequest(`type must be one of ${clientTypes.join(', ')}`, 'type');
  }
  const redirectUris = input.redirectUris ?? [];
  for (const uri of redirectUris) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw badRequest(`redirect URI '${uri}' is not an absolute URL`, 'redirectUris');
    }
    if (url.hash) {
      throw badRequest(`redirect URI '${uri}' must not have a fragment (RFC 6749 section 3.1.2)`, 'redirectUris');
    }
  }
  if (!Array.isArray(input.scopes) || input.scopes.length === 0) {
    throw badRequest('A client needs the scopes it may be granted', 'scopes');
  }
  for (const scope of input.scopes) {
    if (!parseResourceScope(scope) && !(contextScopes as readonly string[]).includes(scope)) {
      throw badRequest(`'${scope}' is not a SMART scope this server grants`, 'scopes');
    }
  }
  if (input.type === 'confidential-asymmetric' && !input.jwks && !input.jwksUri) {
    throw badRequest('An asymmetric client registers its public keys: jwks or jwksUri', 'jwks');
  }
  if (input.jwks && !Array.isArray(input.jwks.keys)) {
    throw badRequest('jwks must be a JWK Set: {"keys": [...]}', 'jwks');
  }
  checkReferences(input.organizations ?? [], 'organizations', 'Organization');
  checkRoles(input.roles ?? []);
  const secret = input.type === 'confidential-symmetric' ? (input.secret ?? randomSecret()) : undefined;
  const client: ClientRecord = {
    clientId: input.clientId?.trim() || randomUUID(),
    name: input.name.trim(),
    type: input.type,
    redirectUris,
    scopes: input.scopes,
    ...(secret ? { secretHash: await hashSecret(secret) } : {}),
    ...(input.jwks ? { jwks: input.jwks } : {}),
    ...(input.jwksUri ? { jwksUri: input.jwksUri } : {}),
    organizations: input.organizations ?? [],
    roles: input.roles ?? [],
    createdAt: new Date().toISOString(),
  };
  await store.putClient(client);
  return { client, ...(secret ? { secret } : {}) };
}

/** Stores the user (replacing one of the same account); returns it and its password in clear once. */
export async function registerUser(store: AuthStore, input: NewUser): Promise<{ user: UserRecord; password: string }> {
  if (!/^[A-Za-z0-9._@-]{2,64}$/.test(input.account ?? '')) {
    throw badRequest('account: 2 to 64 letters, digits, or . _ @ -', 'account');
  }
  if (!reference.test(input.fhirUser ?? '') || !/^(Practitioner|PractitionerRole|Patient|RelatedPerson|Person)\//.test(input.fhirUser)) {
    throw badRequest('fhirUser must reference a Practitioner, PractitionerRole, Patient, RelatedPerson or Person', 'fhirUser');
  }
  checkRoles(input.roles ?? []);
  checkReferences(input.organizations ?? [], 'organizations', 'Organization');
  checkReferences(input.patients ?? [], 'patients', 'Patient');
  const password = input.password ?? randomSecret();
  if (password.length < 12) {
    throw badRequest('A password has at least 12 characters', 'password');
  }
  const user: UserRecord = {
    account: input.account,
    displayName: input.displayName?.trim() || input.account,
    passwordHash: await hashSecret(password),
    fhirUser: input.fhirUser,
    roles: input.roles ?? [],
    organizations: input.organizations ?? [],
    patients: input.patients ?? [],
    createdAt: new Date().toISOString(),
  };
  await store.putUser(user);
  return { user, password };
}

function checkRoles(roles: string[]): void {
  for (const role of roles) {
    if (!isRoleName(role)) {
      throw badRequest(`'${role}' is not a role of the network (docs/smart.md)`, 'roles');
    }
  }
}

function checkReferences(references: string[], field: string, type: string): void {
  for (const r of references) {
    if (!reference.test(r) || !r.startsWith(`${type}/`)) {
      throw badRequest(`${field}: '${r}' is not a ${type} reference ('${type}/id')`, field);
    }
  }
}

/** A client as the admin API lists it: never its secret's hash. */
export function publicClient(client: ClientRecord): Omit<ClientRecord, 'secretHash'> {
  const { secretHash: _hidden, ...rest } = client;
  return rest;
}

/** A user as the admin API lists it: never the password's hash. */
export function publicUser(user: UserRecord): Omit<UserRecord, 'passwordHash'> {
  const { passwordHash: _hidden, ...rest } = user;
  return rest;
}
