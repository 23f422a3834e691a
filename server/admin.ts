// The administrator's command line, `npm run admin -- <command>`: register apps and users, list them,
// rotate the signing key, print an access token for an account (for curl against a local server), and
// archive old AuditEvents and verify an archive (server/audit/audit-archive.ts, docs/audit.md "Retention").
// It opens the same store and key file as the server (they may run at the same time).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { accessTokenSeconds, AccessTokens, type Grant } from './auth/access-tokens';
import { publicClient, publicUser, registerClient, registerUser } from './auth/accounts';
import { clientGrant } from './auth/auth-context';
import { SigningKeyRing } from './auth/signing-keys';
import { jwksLookup, keyRingLookup } from './audit/archive-manifest';
import { archiveAuditEvents, verifyArchive } from './audit/audit-archive';
import { ConfigError, loadConfig } from './config';
import { FhirError } from './outcomes';
import { createResourceIndexer } from './search/indexing/resource-indexer';
import { SearchParameterRegistry } from './search/indexing/registry';
import { loadNetworkSearchParameters } from './search/network-search-parameters';
import type { ClientType, UserRecord } from './store/auth-port';
import type { ResourceStore } from './store/port';
import { openStore } from './store/open-store';

const usage = `npm run admin -- <command> [options]
  token <account|client-id> [--scope "<scopes>"]   print an access token (1 hour) for a user or backend client
  add-user --account <a> --name <n> --fhir-user <Type/id> --role <role> [--org Organization/x]... [--patient Patient/x]... [--password <p>]
  add-client --name <n> --type public|confidential-symmetric|confidential-asymmetric --scope <scope>...
             [--redirect-uri <url>]... [--jwks-file <file>] [--jwks-uri <url>] [--org Organization/x]... [--role <role>]... [--client-id <id>]
  list-users | list-clients
  rotate-key                                          add a new signing key (the previous one keeps verifying)
  audit-archive --before <date> --out <dir>           export the AuditEvents written before <date> with a signed manifest, verify, then purge them
  audit-verify-archive <dir> [--jwks <file>]          verify an archive against its manifest and signature, without the store`;

/** The scopes a token printed for an account carries when --scope is not given. */
export function defaultScopes(user: UserRecord): string[] {
  if (user.fhirUser.startsWith('Patient/')) {
    return ['patient/*.cruds'];
  }
  return user.roles.includes('auditor') ? ['user/*.rs'] : ['user/*.cruds'];
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      scope: { type: 'string', multiple: true },
      account: { type: 'string' },
      name: { type: 'string' },
      'fhir-user': { type: 'string' },
      role: { type: 'string', multiple: true },
      org: { type: 'string', multiple: true },
      patient: { type: 'string', multiple: true },
      password: { type: 'string' },
      type: { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'jwks-file': { type: 'string' },
      'jwks-uri': { type: 'string' },
      'client-id': { type: 'string' },
      before: { type: 'string' },
      out: { type: 'string' },
      jwks: { type: 'string' },
    },
  });
  const [command, argument] = positionals;
  const config = loadConfig();
  if (command === 'audit-verify-archive') {
    // Offline: the archive and the keys only, never the store.
    process.exitCode = verifyArchiveCommand(argument, values, config);
    return;
  }
  const store = await openStore(config, createResourceIndexer(new SearchParameterRegistry(loadNetworkSearchParameters(config.profilesDir))));
  try {
    await run(command, argument, values, store, config);
  } finally {
    await store.close();
  }
}

type Values = Record<string, string | string[] | undefined>;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.flatMap((s: string) => s.split(/\s+/)).filter(Boolean) : []);

/** audit-verify-archive: prints the check; exit code 0 when the archive verifies, 1 when not. */
function verifyArchiveCommand(dir: string | undefined, values: Values, config: ReturnType<typeof loadConfig>): number {
  if (!dir) {
    throw new Error('audit-verify-archive needs the archive directory');
  }
  const lookup = values.jwks
    ? jwksLookup(JSON.parse(fs.readFileSync(String(values.jwks), 'utf8')) as { keys: Record<string, unknown>[] })
    : keyRingLookup(SigningKeyRing.open(config.authKeysFile));
  const check = verifyArchive(path.resolve(dir), lookup);
  const { manifest } = check;
  process.stdout.write(`${JSON.stringify({ verified: check.verified, events: check.events, problems: check.problems, first: manifest?.first, last: manifest?.last }, null, 2)}\n`);
  return check.verified ? 0 : 1;
}

async function run(command: string | undefined, argument: string | undefined, values: Values, store: ResourceStore, config: ReturnType<typeof loadConfig>): Promise<void> {
  const auth = store.authStore();
  switch (command) {
    case 'token': {
      if (!argument) {
        throw new Error('token needs an account or a backend client id');
      }
      if (!config.baseUrl) {
        throw new Error('Set FHIR_BASE_URL (or PORT) to the server the token is for');
      }
      const keys = SigningKeyRing.open(config.authKeysFile);
      const tokens = new AccessTokens(keys, auth, config.baseUrl, config.baseUrl);
      const user = await auth.getUser(argument);
      const client = user ? undefined : await auth.getClient(argument);
      let grant: Grant;
      if (user) {
        const scopes = list(values.scope).length ? list(values.scope) : defaultScopes(user);
        const patient = user.fhirUser.startsWith('Patient/') ? user.fhirUser.slice('Patient/'.length) : undefined;
        grant = { kind: 'user', clientId: 'admin-cli', account: user.account, fhirUser: user.fhirUser, roles: user.roles, organizations: user.organizations, scopes, ...(patient ? { patient } : {}) };
      } else if (client) {
        grant = clientGrant(client, list(values.scope).length ? list(values.scope) : client.scopes.filter((s) => s.startsWith('system/')));
      } else {
        throw new Error(`No account or client '${argument}'`);
      }
      process.stdout.write(`${tokens.issue(grant, accessTokenSeconds).token}\n`);
      return;
    }
    case 'add-user': {
      const { user, password } = await registerUser(auth, {
        account: String(values.account ?? ''),
        displayName: String(values.name ?? values.account ?? ''),
        fhirUser: String(values['fhir-user'] ?? ''),
        roles: list(values.role),
        organizations: list(values.org),
        patients: list(values.patient),
        ...(values.password ? { password: String(values.password) } : {}),
      });
      process.stdout.write(`${JSON.stringify({ ...publicUser(user), password }, null, 2)}\n`);
      return;
    }
    case 'add-client': {
      const jwksFile = values['jwks-file'] ? String(values['jwks-file']) : undefined;
      const { client, secret } = await registerClient(auth, {
        ...(values['client-id'] ? { clientId: String(values['client-id']) } : {}),
        name: String(values.name ?? ''),
        type: String(values.type ?? '') as ClientType,
        redirectUris: list(values['redirect-uri']),
        scopes: list(values.scope),
        ...(jwksFile ? { jwks: JSON.parse(fs.readFileSync(jwksFile, 'utf8')) as { keys: Record<string, unknown>[] } } : {}),
        ...(values['jwks-uri'] ? { jwksUri: String(values['jwks-uri']) } : {}),
        organizations: list(values.org),
        roles: list(values.role),
      });
      process.stdout.write(`${JSON.stringify({ ...publicClient(client), ...(secret ? { secret } : {}) }, null, 2)}\n`);
      return;
    }
    case 'list-users':
      process.stdout.write(`${JSON.stringify((await auth.listUsers()).map(publicUser), null, 2)}\n`);
      return;
    case 'list-clients':
      process.stdout.write(`${JSON.stringify((await auth.listClients()).map(publicClient), null, 2)}\n`);
      return;
    case 'rotate-key':
      process.stdout.write(`${SigningKeyRing.open(config.authKeysFile).rotate()}\n`);
      return;
    case 'audit-archive': {
      const before = new Date(String(values.before ?? ''));
      if (!values.before || Number.isNaN(before.getTime()) || !values.out) {
        throw new Error('audit-archive needs --before <date> (e.g. 2026-09-01 or 2026-09-01T00:00:00+08:00) and --out <dir>');
      }
      const result = await archiveAuditEvents(store, SigningKeyRing.open(config.authKeysFile), config.baseUrl ?? '', before, path.resolve(String(values.out)));
      process.stdout.write(
        `${JSON.stringify(result.archived ? { archived: result.manifest.events, purged: result.purged, directory: result.directory, first: result.manifest.first, last: result.manifest.last } : { archived: 0, reason: result.reason }, null, 2)}\n`
      );
      return;
    }
    default:
      process.stderr.write(`${usage}\n`);
      process.exitCode = 2;
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    const message = err instanceof FhirError || err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    process.stderr.write(`admin: ${message}\n`);
    process.exit(1);
  });
}
