// The seeded network's accounts, created on the first start with security on: a clinician at a clinic,
// a tertiary-hospital doctor, a cloud-pharmacy pharmacist, a home-care nurse, a patient, a
// health-commission auditor, an administrator, and one backend client per HIS vendor. Passwords and
// the vendors' private keys are random, written once to a file in FHIR_DATA_DIR readable only by its
// owner; nothing secret is in the repository.
import type { Practitioner, Resource } from '@medplum/fhirtypes';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { networkDirectory, type NetworkDirectory, type StaffMember } from '../../seed/network/directory';
import { patientId, patientRecord } from '../../seed/patients/patient-record';
import { accountNurse } from '../../seed/workflows/account-nurse';
import type { AuthStore } from '../store/auth-port';
import type { StoreOperations } from '../store/port';
import { registerClient, registerUser, type NewUser } from './accounts';

export const seedAccountsFileName = 'seed-accounts.json';

/** The HIS vendors of the network and whom they serve: clinics by number range, or the hospitals. */
export const hisVendors = [
  { clientId: 'his-vendor-a', name: '青禾卫软 HIS (clinics 1-90)', clinics: [1, 90] },
  { clientId: 'his-vendor-b', name: '云岭医信 HIS (clinics 91-180)', clinics: [91, 180] },
  { clientId: 'his-vendor-c', name: '禾田数科 HIS (clinics 181-266)', clinics: [181, 266] },
  { clientId: 'his-vendor-hospitals', name: '明医智联 HIS (hospitals)', clinics: [0, 0] },
] as const;

export interface SeededAccount {
  account: string;
  role: string;
  fhirUser: string;
  organizations: string[];
  password: string;
}

export interface SeededClient {
  clientId: string;
  organizations: string[];
  /** The vendor's private key (ES384), to sign client assertions with. */
  privateJwk: Record<string, unknown>;
}

/** Creates the accounts when the store has no user yet; returns the file written, or undefined. */
export async function seedNetworkAccounts(
  store: AuthStore,
  resources: StoreOperations,
  options: { dataDir: string; seedValue: number; patients: number },
  logger: Logger
): Promise<string | undefined> {
  // Of several processes starting on one new store, one seeds (the claim is one atomic counter).
  if ((await store.listUsers()).length > 0 || (await store.countHit('seed-accounts', 100 * 365 * 24 * 3600_000, Date.now())).hits > 1) {
    return undefined;
  }
  const network = networkDirectory();
  const people = await staffAccounts(network, resources, options);
  const accounts: SeededAccount[] = [];
  for (const person of people) {
    const { password } = await registerUser(store, person.user);
    accounts.push({ account: person.user.account, role: person.user.roles[0], fhirUser: person.user.fhirUser, organizations: person.user.organizations ?? [], password });
  }
  const clients: SeededClient[] = [];
  for (const vendor of hisVendors) {
    const organizations =
      vendor.clientId === 'his-vendor-hospitals'
        ? network.hospitals.map((h) => `Organization/${h.id}`)
        : network.clinics.filter((c) => c.number >= vendor.clinics[0] && c.number <= vendor.clinics[1]).map((c) => `Organization/${c.id}`);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const kid = `${vendor.clientId}-1`;
    await registerClient(store, {
      clientId: vendor.clientId,
      name: vendor.name,
      type: 'confidential-asymmetric',
      scopes: ['system/*.cruds', 'system/*.rs'],
      jwks: { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES384', use: 'sig' }] },
      organizations,
    });
    clients.push({ clientId: vendor.clientId, organizations, privateJwk: { ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES384' } });
  }
  const file = path.join(options.dataDir, seedAccountsFileName);
  fs.mkdirSync(options.dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ note: 'Generated on first start; keep private. See docs/smart.md.', accounts, clients }, null, 2), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  logger.info({ file, accounts: accounts.map((a) => a.account), clients: clients.map((c) => c.clientId) }, 'seeded accounts created; their passwords and keys are in this file (mode 0600)');
  return file;
}

function staffUser(account: string, role: string, member: StaffMember, displayName: string): { user: NewUser } {
  return {
    user: {
      account,
      displayName: `${member.name.family}${member.name.given} · ${displayName}`,
      fhirUser: `PractitionerRole/${member.roleId}`,
      roles: [role],
      organizations: [`Organization/${member.organizationId}`],
    },
  };
}

/** The people behind the seeded accounts, picked so that each sees some of the seeded data. */
async function staffAccounts(network: NetworkDirectory, resources: StoreOperations, options: { seedValue: number; patients: number }): Promise<{ user: NewUser }[]> {
  // The first generated patient, and the general practitioner of that patient's family-doctor team.
  const record = patientRecord(0, options.seedValue, network);
  const patient = record.find((r) => r.resourceType === 'Patient') as Resource & { generalPractitioner?: { reference?: string }[] };
  const gpRole = patient.generalPractitioner?.[0]?.reference?.split('/')[1];
  const staff = allStaff(network);
  const gp = staff.find((s) => s.roleId === gpRole) ?? network.clinics[0].teams[0].generalPractitioner;
  // The home-care nurse the first patient's home-care orders are dispatched to (seed/workflows/account-nurse.ts).
  const nurse = accountNurse(network, options)?.nurse ?? network.clinics.find((c) => c.homeCareNurses.length)?.homeCareNurses[0];
  const hospital = network.hospitals.find((h) => h.level === 'tertiary') ?? network.hospitals[0];
  const people: { user: NewUser }[] = [
    staffUser('clinician', 'clinician', gp, 'clinic general practitioner'),
    staffUser('hospital-doctor', 'hospital-doctor', hospital.specialists[0], 'tertiary-hospital specialist'),
    staffUser('pharmacist', 'pharmacist', network.cloudPharmacy.pharmacists[0], 'cloud-pharmacy pharmacist'),
  ];
  if (nurse) {
    people.push(staffUser('nurse', 'nurse', nurse, 'home-care nurse'));
  }
  people.push({ user: { account: 'patient', displayName: '患者 · patient pat-0', fhirUser: `Patient/${patientId(0)}`, roles: ['patient'], organizations: [] } });
  // The auditor and the administrator are not clinical staff of the seed: they get their own Practitioner.
  for (const [account, role, name, organization] of [
    ['auditor', 'auditor', '市卫生健康委员会审计员 · health-commission auditor', undefined],
    ['admin', 'administrator', '平台管理员 · network administrator', `Organization/${network.leadHospital.id}`],
  ] as const) {
    const practitioner: Practitioner = { resourceType: 'Practitioner', id: `account-${account}`, active: true, name: [{ text: name }] };
    await resources.update(practitioner);
    people.push({ user: { account, displayName: name, fhirUser: `Practitioner/${practitioner.id}`, roles: [role], organizations: organization ? [organization] : [] } });
  }
  return people;
}

function allStaff(network: NetworkDirectory): StaffMember[] {
  return [
    ...network.clinics.flatMap((c) => [...c.teams.flatMap((t) => [t.generalPractitioner, t.healthManager]), ...c.homeCareNurses]),
    ...network.hospitals.flatMap((h) => h.specialists),
    ...network.cloudPharmacy.pharmacists,
  ];
}
