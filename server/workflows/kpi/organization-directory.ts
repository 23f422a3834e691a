// The network's organizations with their districts (Organization.address.district), read once per
// evaluation: the district strata and the `district` parameter need them. The network has hundreds of
// organizations, not millions, so they are read through ordinary search pages.
import type { Organization } from '@medplum/fhirtypes';
import type { FhirContext } from '../../fhir/request';

export interface OrganizationDirectory {
  districtOf(organizationId: string): string | undefined;
  /** Ids of the organizations in the district. */
  inDistrict(district: string): string[];
  nameOf(organizationId: string): string | undefined;
}

const pageSize = 1000;

export async function organizationDirectory(context: FhirContext): Promise<OrganizationDirectory> {
  const organizations = new Map<string, Organization>();
  let cursor: string | undefined;
  do {
    const page = await context.store.search({
      resourceType: 'Organization',
      filters: [],
      sort: [],
      count: pageSize,
      total: 'none',
      include: [],
      revInclude: [],
      ...(cursor ? { cursor } : {}),
    });
    for (const version of page.resources) {
      organizations.set(version.id, version.resource as Organization);
    }
    cursor = page.nextCursor;
  } while (cursor);
  const districtOf = (id: string): string | undefined => organizations.get(id)?.address?.find((a) => a.district)?.district;
  return {
    districtOf,
    inDistrict: (district) => [...organizations.keys()].filter((id) => districtOf(id) === district),
    nameOf: (id) => organizations.get(id)?.name,
  };
}
