// The network's structure as FHIR resources conforming to the network's profiles: the network, the lead
// internet hospital, the grassroots clinics and their sites, the hospitals, the cloud pharmacy, and the
// people (family-doctor teams, specialists, home-care nurses with their service areas, pharmacists).
import type { Address, CareTeam, Extension, Location, Organization, Practitioner, PractitionerRole, Resource } from '@medplum/fhirtypes';
import { uniqueResidentId } from '../identifiers';
import { humanNames } from '../names';
import { cityName, provinceName } from './city';
import { concept, extensionUrl, profileMeta, quantity, ref, systems } from '../fhir';
import { registrationNumber, usccOf, type NetworkDirectory, type Place, type StaffMember } from './directory';

const organizationTypeDisplays: Record<string, [string, string]> = {
  network: ['Medical alliance (digital health community)', '医联体（数字健共体）'],
  'lead-internet-hospital': ['Lead internet hospital', '牵头互联网医院'],
  'community-health-service-centre': ['Community health service centre', '社区卫生服务中心'],
  'community-health-service-station': ['Community health service station', '社区卫生服务站'],
  'township-central-health-centre': ['Township central health centre', '中心乡镇卫生院'],
  'township-health-centre': ['Township health centre', '乡镇卫生院'],
  'village-clinic': ['Village clinic', '村卫生室'],
  'secondary-hospital': ['Secondary hospital', '二级医院'],
  'tertiary-hospital': ['Tertiary hospital', '三级医院'],
  'cloud-pharmacy': ['Cloud pharmacy', '云药房'],
};

const titleDisplays: Record<string, [string, string]> = {
  nurse: ['Nurse', '护士'],
  'nurse-practitioner': ['Nurse practitioner', '护师'],
  'supervisor-nurse': ['Supervisor nurse', '主管护师'],
  pharmacist: ['Pharmacist', '药师'],
  'supervisor-pharmacist': ['Supervisor pharmacist', '主管药师'],
  'associate-chief-pharmacist': ['Associate chief pharmacist', '副主任药师'],
  'chief-pharmacist': ['Chief pharmacist', '主任药师'],
  'resident-physician': ['Resident physician', '住院医师'],
  'attending-physician': ['Attending physician', '主治医师'],
  'associate-chief-physician': ['Associate chief physician', '副主任医师'],
  'chief-physician': ['Chief physician', '主任医师'],
  'specialist-nurse-wound-ostomy': ['Wound and ostomy specialist nurse', '伤口造口专科护士'],
  'tcm-nursing-technique': ['Traditional Chinese medicine nursing technique training', '中医护理技术培训'],
};

export function address(place: Place, use: Address['use'] = 'work'): Address {
  return {
    use,
    type: 'physical',
    text: `${cityName}${place.district.name}${place.line}`,
    line: [place.line],
    city: cityName,
    district: place.district.name,
    state: provinceName,
    postalCode: place.district.region,
    country: 'CN',
  };
}

function organization(
  id: string,
  name: string,
  type: string,
  place: Place,
  identifiers: { uscc?: string; institutionCode?: string },
  partOf?: { id: string; name: string },
  alias?: string
): Organization {
  const [display, text] = organizationTypeDisplays[type];
  const org: Organization = {
    resourceType: 'Organization',
    id,
    meta: profileMeta('dhc-organization'),
    identifier: [
      ...(identifiers.uscc ? [{ system: systems.uscc, value: identifiers.uscc }] : []),
      ...(identifiers.institutionCode ? [{ system: systems.institutionCode, value: identifiers.institutionCode }] : []),
    ],
    active: true,
    type: [concept(systems.organizationType, type, display, text)],
    name,
    address: [address(place)],
  };
  if (alias) {
    org.alias = [alias];
  }
  if (partOf) {
    org.partOf = ref('Organization', partOf.id, partOf.name);
  }
  return org;
}

function titleConcept(code: string): { coding: { system: string; code: string; display: string }[]; text: string } {
  const [display, text] = titleDisplays[code];
  return { coding: [{ system: systems.qualification, code, display }], text };
}

function practitioner(member: StaffMember): Practitioner {
  const names = humanNames(member.name);
  return {
    resourceType: 'Practitioner',
    id: member.practitionerId,
    meta: profileMeta('dhc-practitioner'),
    identifier: [{ system: systems.residentId, value: uniqueResidentId(member.residentIndex, member.birthDate, member.male) }],
    active: true,
    name: names,
    gender: member.male ? 'male' : 'female',
    birthDate: member.birthDate,
    qualification: [member.title, ...member.certificates].map((code) => ({ code: titleConcept(code) })),
  };
}

const roleDisplays: Record<StaffMember['role'], string> = { doctor: 'Doctor', nurse: 'Nurse', pharmacist: 'Pharmacist' };

function practitionerRole(member: StaffMember, organizationName: string): PractitionerRole {
  const extension: Extension[] = [
    { url: extensionUrl('professional-title'), valueCodeableConcept: titleConcept(member.title) },
    { url: extensionUrl('years-of-practice'), valueInteger: member.yearsOfPractice },
  ];
  if (member.teamId) {
    extension.push({ url: extensionUrl('family-doctor-team'), valueReference: ref('CareTeam', member.teamId) });
  }
  for (const service of member.homeCareServices ?? []) {
    extension.push({ url: extensionUrl('authorized-home-care-service'), valueCodeableConcept: concept(systems.homeCareService, service) });
  }
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    id: member.roleId,
    meta: profileMeta('dhc-practitioner-role'),
    extension,
    active: true,
    practitioner: ref('Practitioner', member.practitionerId, member.name.family + member.name.given),
    organization: ref('Organization', member.organizationId, organizationName),
    code: [concept(systems.practitionerRole, member.role, roleDisplays[member.role])],
    specialty: [{ text: member.specialty }],
  };
  if (member.serviceAreaId) {
    role.location = [ref('Location', member.serviceAreaId)];
    // When dispatch may offer her visits (docs/workflows.md): every day, in the hours visits are booked.
    role.availableTime = [{ daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], availableStartTime: '08:00:00', availableEndTime: '18:00:00' }];
  }
  return role;
}

function serviceArea(member: StaffMember, clinicId: string): Location {
  const place = member.serviceArea!;
  return {
    resourceType: 'Location',
    id: member.serviceAreaId!,
    status: 'active',
    name: `${member.name.family}${member.name.given}居家护理服务区域`,
    description: `居家护理派单服务区域：以该点为中心${member.serviceRadiusKm}公里`,
    extension: [{ url: extensionUrl('service-radius'), valueQuantity: quantity(member.serviceRadiusKm!, 'km') }],
    mode: 'instance',
    physicalType: concept('http://terminology.hl7.org/CodeSystem/location-physical-type', 'area', 'Area'),
    address: address(place),
    position: { latitude: place.latitude, longitude: place.longitude },
    managingOrganization: ref('Organization', clinicId),
  };
}

function staffResources(members: StaffMember[], organizationName: string): Resource[] {
  return members.flatMap((m) => [practitioner(m), practitionerRole(m, organizationName)]);
}

/** Every resource of the network's structure, in an order where a reference points at an earlier resource where it can. */
export function networkResources(network: NetworkDirectory): Resource[] {
  const { network: net, leadHospital: lead, cloudPharmacy: pharmacy } = network;
  const member = { id: net.id, name: net.name };
  const resources: Resource[] = [
    organization(net.id, net.name, 'network', net.place, { uscc: usccOf(net.orgCode, net.place) }, undefined, net.alias),
    organization(lead.id, lead.name, 'lead-internet-hospital', lead.place, {
      uscc: usccOf(lead.orgCode, lead.place),
      institutionCode: registrationNumber(lead.orgCode, lead.place, 'A100'),
    }, member, lead.alias),
    organization(pharmacy.id, pharmacy.name, 'cloud-pharmacy', pharmacy.place, { uscc: usccOf(pharmacy.orgCode, pharmacy.place, '91') }, member, pharmacy.alias),
    ...staffResources(pharmacy.pharmacists, pharmacy.name),
  ];
  for (const hospital of network.hospitals) {
    const org = organization(hospital.id, hospital.name, `${hospital.level}-hospital`, hospital.place, {
      uscc: usccOf(hospital.orgCode, hospital.place),
      institutionCode: registrationNumber(hospital.orgCode, hospital.place, 'A100'),
    }, member, hospital.alias);
    org.type!.push(concept('http://terminology.hl7.org/CodeSystem/organization-type', 'prov', 'Healthcare Provider'));
    resources.push(org, ...staffResources(hospital.specialists, hospital.name));
  }
  for (const clinic of network.clinics) {
    resources.push(
      organization(clinic.id, clinic.name, clinic.kind, clinic.place, {
        uscc: usccOf(clinic.orgCode, clinic.place),
        institutionCode: registrationNumber(clinic.orgCode, clinic.place, clinic.ws218),
      }, member, clinic.alias)
    );
    for (const site of clinic.sites) {
      resources.push(organization(site.id, site.name, site.kind, site.place, { institutionCode: site.code }, { id: clinic.id, name: clinic.name }));
    }
    for (const team of clinic.teams) {
      resources.push(...staffResources([team.generalPractitioner, team.healthManager], clinic.name));
      const careTeam: CareTeam = {
        resourceType: 'CareTeam',
        id: team.id,
        status: 'active',
        name: team.name,
        participant: [
          { role: [{ text: '全科医生' }], member: ref('PractitionerRole', team.generalPractitioner.roleId) },
          { role: [{ text: '专科医生' }], member: ref('PractitionerRole', team.specialist.roleId) },
          { role: [{ text: '健康管理师' }], member: ref('PractitionerRole', team.healthManager.roleId) },
        ],
        managingOrganization: [ref('Organization', clinic.id, clinic.name)],
      };
      resources.push(careTeam);
    }
    for (const nurse of clinic.homeCareNurses) {
      resources.push(serviceArea(nurse, clinic.id), ...staffResources([nurse], clinic.name));
    }
  }
  return resources;
}
