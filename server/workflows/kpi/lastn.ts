// $lastn: GET [base]/Observation/$lastn (https://hl7.org/fhir/R4/observation-operation-lastn.html): for
// one patient, the latest `max` Observations (default 1) of each code, optionally only some categories
// or codes; the doctor's view of a chronic patient. The same "latest per code" the control rates read.
// Observations are grouped by their first coding (system|code), newest effective date first.
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { planSearch } from '../../fhir/search-plan';
import type { Interaction } from '../../fhir/request';
import type { RouteOperation } from '../../fhir/routes';
import { badRequest } from '../../outcomes';
import type { ResourceVersion } from '../../store/port';

export const lastnOperation: RouteOperation = {
  resourceTypes: ['Observation'],
  name: 'lastn',
  definition: 'http://hl7.org/fhir/OperationDefinition/Observation-lastn',
};

const pageSize = 500;
/** A patient's Observations read at most: the operation is for one patient's record, not a population. */
const readLimit = 20_000;

export const lastn: Interaction = async (request, _params, context) => {
  const max = parseMax(request.query.get('max'));
  const patient = request.query.get('patient') ?? request.query.get('subject');
  if (!patient) {
    throw badRequest('$lastn needs patient (or subject): the latest values are per patient', 'patient');
  }
  const query = new URLSearchParams();
  for (const [name, value] of request.query) {
    if (name !== 'max' && name !== '_format' && name !== '_pretty') {
      query.append(name, value);
    }
  }
  query.set('_sort', '-date');
  const { plan } = await planSearch('Observation', query, pageSize, context);
  const perCode = new Map<string, ResourceVersion[]>();
  let cursor: string | undefined;
  let read = 0;
  do {
    const page = await context.store.search({ ...plan, ...(cursor ? { cursor } : {}), total: 'none', include: [], revInclude: [] });
    for (const version of page.resources) {
      const key = codeKey(version.resource as Observation);
      const list = perCode.get(key) ?? [];
      if (list.length < max) {
        list.push(version);
        perCode.set(key, list);
      }
    }
    read += page.resources.length;
    cursor = page.nextCursor;
  } while (cursor && read < readLimit);
  const entry = [...perCode.values()].flat().map((v) => ({ fullUrl: `${context.baseUrl}/Observation/${v.id}`, resource: v.resource, search: { mode: 'match' as const } }));
  const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: entry.length, entry };
  return { status: 200, body: bundle };
};

function parseMax(value: string | null): number {
  if (value === null) {
    return 1;
  }
  const max = Number(value);
  if (!/^\d+$/.test(value) || max < 1) {
    throw badRequest(`max: '${value}' is not a positive whole number`, 'max');
  }
  return max;
}

function codeKey(observation: Observation): string {
  const coding = observation.code?.coding?.[0];
  return coding ? `${coding.system ?? ''}|${coding.code ?? ''}` : `text|${observation.code?.text ?? ''}`;
}
