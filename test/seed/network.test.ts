// The network's structure (seed/network): the counts docs/seed.md states, identifiers with valid check
// characters, the people of each clinic, and conformance to the network's profiles.
import type { CareTeam, Location, Organization, Practitioner, PractitionerRole, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { organizationCodeCheckCharacter, usccCheckCharacter } from '../../seed/identifiers';
import { districts } from '../../seed/network/city';
import { networkDirectory } from '../../seed/network/directory';
import { networkResources } from '../../seed/network/resources';
import { checkResidentId, keyOf, profileErrors, unresolvedReferences } from './seed-checks';

const typeSystem = 'https://fhir.dhc.example/CodeSystem/organization-type';
const usccSystem = 'https://fhir.dhc.example/sid/uscc';
const institutionSystem = 'urn:oid:2.16.156.10011.1.5';

describe('seed: the network structure', () => {
  const resources = networkResources(networkDirectory());
  const of = <T extends Resource>(type: T['resourceType']): T[] => resources.filter((r): r is T => r.resourceType === type);
  const organizations = of<Organization>('Organization');
  const memberType = (o: Organization): string | undefined => o.type?.[0]?.coding?.find((c) => c.system === typeSystem)?.code;
  const ofType = (...codes: string[]): Organization[] => organizations.filter((o) => codes.includes(memberType(o)!));
  const identifier = (o: Organization | Practitioner, system: string): string | undefined => o.identifier?.find((i) => i.system === system)?.value;

  it('has the counts of docs/seed.md', () => {
    assert.equal(ofType('network').length, 1);
    assert.equal(ofType('lead-internet-hospital').length, 1);
    assert.equal(ofType('cloud-pharmacy').length, 1);
    assert.equal(ofType('community-health-service-centre', 'township-central-health-centre', 'township-health-centre').length, 266);
    assert.equal(ofType('community-health-service-centre').length, 121);
    assert.equal(ofType('township-central-health-centre').length, 40);
    assert.equal(ofType('township-health-centre').length, 105);
    assert.equal(ofType('community-health-service-station', 'village-clinic').length, 549);
    assert.equal(ofType('tertiary-hospital').length, 12);
    assert.equal(ofType('secondary-hospital').length, 5);
    assert.equal(organizations.length, 835);
    assert.equal(of<CareTeam>('CareTeam').length, 693);
    assert.equal(of<Location>('Location').length, 532);
    assert.equal(of<Practitioner>('Practitioner').length, 2078);
    assert.equal(of<PractitionerRole>('PractitionerRole').length, 2078);
    assert.equal(resources.length, 6216);
  });

  it('spreads the clinics over the 16 districts, each clinic partOf the network and each site partOf its clinic', () => {
    const clinics = ofType('community-health-service-centre', 'township-central-health-centre', 'township-health-centre');
    assert.equal(new Set(clinics.map((c) => c.address![0].district)).size, 16);
    assert.deepEqual(new Set(organizations.map((o) => o.address![0].district)), new Set(districts.map((d) => d.name)));
    for (const clinic of clinics) {
      assert.equal(clinic.partOf?.reference, 'Organization/org-network');
      assert.ok(clinic.address![0].line?.length && clinic.address![0].city === '青禾市', clinic.id);
      assert.ok(identifier(clinic, institutionSystem), `${clinic.id} has its license number`);
    }
    const clinicIds = new Set(clinics.map((c) => `Organization/${c.id}`));
    for (const site of ofType('community-health-service-station', 'village-clinic')) {
      assert.ok(clinicIds.has(site.partOf!.reference!), site.id);
      const clinic = clinics.find((c) => `Organization/${c.id}` === site.partOf!.reference)!;
      assert.equal(site.address![0].district, clinic.address![0].district);
      assert.equal(memberType(site), memberType(clinic) === 'community-health-service-centre' ? 'community-health-service-station' : 'village-clinic');
    }
    for (const hospital of ofType('tertiary-hospital', 'secondary-hospital', 'lead-internet-hospital', 'cloud-pharmacy')) {
      assert.equal(hospital.partOf?.reference, 'Organization/org-network');
    }
  });

  it('gives legal entities a unified social credit code and an organization code with valid check characters', () => {
    for (const org of organizations) {
      const uscc = identifier(org, usccSystem);
      const sited = ['community-health-service-station', 'village-clinic'].includes(memberType(org)!);
      assert.equal(uscc === undefined, sited, `${org.id}: only stations and village clinics have no USCC`);
      if (uscc) {
        assert.match(uscc, /^(12|91)99\d{4}MB\d{6}[0-9X][0-9A-HJ-NPQRTUWXY]$/);
        assert.equal(uscc[17], usccCheckCharacter(uscc.slice(0, 17)), uscc);
        assert.equal(uscc[16], organizationCodeCheckCharacter(uscc.slice(8, 16)), `${uscc}: GB 11714 check character`);
      }
      const license = identifier(org, institutionSystem);
      if (sited) {
        assert.match(license!, /^9901\d{6}(21|33)$/);
      } else if (license) {
        // Organization code, region, economic type 11, WS 218 category, non-profit.
        assert.match(license, /^MB\d{6}[0-9X]9901\d{2}11(A100|B100|C210|C220)1$/);
        assert.equal(license.slice(0, 9), uscc!.slice(8, 17));
      }
    }
    const codes = organizations.flatMap((o) => o.identifier!.map((i) => i.value));
    assert.equal(new Set(codes).size, codes.length, 'identifiers are unique');
  });

  it('gives every clinic family-doctor teams of a general practitioner, a specialist and a health manager', () => {
    const roles = new Map(of<PractitionerRole>('PractitionerRole').map((r) => [`PractitionerRole/${r.id}`, r]));
    const clinics = new Set(ofType('community-health-service-centre', 'township-central-health-centre', 'township-health-centre').map((c) => `Organization/${c.id}`));
    const teamsPerClinic = new Map<string, number>();
    for (const team of of<CareTeam>('CareTeam')) {
      const clinic = team.managingOrganization![0].reference!;
      assert.ok(clinics.has(clinic), team.id);
      teamsPerClinic.set(clinic, (teamsPerClinic.get(clinic) ?? 0) + 1);
      const [gp, specialist, manager] = team.participant!.map((p) => roles.get(p.member!.reference!)!);
      assert.equal(gp.code![0].coding![0].code, 'doctor');
      assert.equal(gp.organization!.reference, clinic);
      assert.equal(specialist.code![0].coding![0].code, 'doctor');
      assert.match(specialist.organization!.reference!, /^Organization\/org-hospital-/);
      assert.equal(manager.code![0].coding![0].code, 'nurse');
      for (const member of [gp, manager]) {
        assert.equal(member.extension!.find((e) => e.url.endsWith('/family-doctor-team'))?.valueReference?.reference, `CareTeam/${team.id}`);
      }
    }
    assert.equal(teamsPerClinic.size, 266);
    assert.ok([...teamsPerClinic.values()].every((n) => n >= 2));
  });

  it('has home-care nurses with qualifications, services and a service area with geo coordinates, and pharmacists', () => {
    const locations = new Map(of<Location>('Location').map((l) => [`Location/${l.id}`, l]));
    const nurses = of<PractitionerRole>('PractitionerRole').filter((r) => r.extension!.some((e) => e.url.endsWith('/authorized-home-care-service')));
    assert.equal(nurses.length, 532);
    for (const nurse of nurses) {
      const area = locations.get(nurse.location![0].reference!)!;
      assert.ok(area.position!.latitude > 33 && area.position!.latitude < 35 && area.position!.longitude > 112 && area.position!.longitude < 113.5, area.id);
      assert.equal(area.managingOrganization!.reference, nurse.organization!.reference);
      assert.ok(nurse.extension!.find((e) => e.url.endsWith('/years-of-practice'))!.valueInteger! >= 5);
    }
    const pharmacists = of<PractitionerRole>('PractitionerRole').filter((r) => r.code![0].coding![0].code === 'pharmacist');
    assert.equal(pharmacists.length, 24);
    assert.ok(pharmacists.every((p) => p.organization!.reference === 'Organization/org-cloud-pharmacy'));
  });

  it('gives staff resident ID numbers of the unassigned province 99 that pass the check, all distinct', () => {
    const numbers = of<Practitioner>('Practitioner').map((p) => {
      const value = identifier(p, 'urn:oid:2.16.156.10011.1.3')!;
      checkResidentId(value, p.birthDate!, p.gender!);
      return value;
    });
    assert.equal(new Set(numbers).size, numbers.length);
  });

  it('conforms to the profiles it claims, and its references resolve inside it', function () {
    this.timeout(60_000);
    // Every organization, and every 6th other resource: medplum takes about 3 ms a resource.
    const sample = resources.filter((r, i) => r.resourceType === 'Organization' || i % 6 === 0);
    const validated = new Set<string>();
    assert.deepEqual(profileErrors(sample, validated), []);
    assert.deepEqual([...validated].sort(), ['dhc-organization', 'dhc-practitioner', 'dhc-practitioner-role']);
    assert.deepEqual(unresolvedReferences(resources, new Set(resources.map(keyOf))), []);
  });
});
