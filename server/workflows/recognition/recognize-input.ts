// The input parameters of $recognize (docs/recognition.md; OperationDefinition recognize): what to judge
// (the instance of the URL, an inline `result`, or a `patient` with an optional `code`), for which
// `organization`, on which `date`, and whether to `record` the reuse.
import type { Parameters, Resource } from '@medplum/fhirtypes';
import { badRequest } from '../../outcomes';
import type { FhirRequest } from '../../fhir/request';
import { OperationInput } from '../../fhir/operations/terminology/operation-parameters';

export interface RecognizeInput {
  /** 'Organization/x'. */
  organization: string;
  /** YYYY-MM-DD; today (UTC) when not given. */
  date: string;
  result?: Resource;
  /** 'Patient/x' (given as that or as the id alone). */
  patient?: string;
  /** A LOINC code, with or without 'http://loinc.org|'. */
  code?: string;
  onlyRecognized: boolean;
  record: boolean;
}

const known = ['organization', 'date', 'result', 'patient', 'code', 'onlyRecognized', 'record'];
const operation = '$recognize';

export function readRecognizeInput(request: FhirRequest, resourceType: string): RecognizeInput {
  const input = OperationInput.read(request, operation, known);
  const organization = referenceParameter(request, input, 'organization', 'Organization');
  if (!organization) {
    throw badRequest(`${operation}: the recognizing 'organization' is required (Organization/[id])`, 'organization');
  }
  const date = dateParameter(request, input) ?? new Date().toISOString().slice(0, 10);
  if (!/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/.test(date) || Number.isNaN(Date.parse(date))) {
    throw badRequest(`${operation}: 'date' is the date of use, YYYY-MM-DD, got '${date}'`, 'date');
  }
  const result = input.resource('result', resourceType as Resource['resourceType']);
  const patient = referenceParameter(request, input, 'patient', 'Patient');
  const code = input.string('code');
  if (code !== undefined && !/^(http:\/\/loinc\.org\|)?\d{1,7}-\d$/.test(code)) {
    throw badRequest(`${operation}: 'code' is a LOINC code (http://loinc.org|14771-0 or 14771-0), got '${code}'`, 'code');
  }
  const record = input.boolean('record') ?? false;
  if (record && request.method !== 'POST') {
    throw badRequest(`${operation}: record=true writes a Provenance of the reuse, so it is sent with POST`, 'record');
  }
  return {
    organization,
    date,
    ...(result ? { result } : {}),
    ...(patient ? { patient } : {}),
    ...(code ? { code: code.replace('http://loinc.org|', '') } : {}),
    onlyRecognized: input.boolean('onlyRecognized') ?? false,
    record,
  };
}

/** A reference parameter: valueReference in a body, or 'Type/id' (or the id alone) as a string. */
function referenceParameter(request: FhirRequest, input: OperationInput, name: string, type: string): string | undefined {
  const body = request.method === 'POST' ? (request.body as Parameters | undefined) : undefined;
  const asReference = body?.parameter?.filter((p) => p.name === name && p.valueReference);
  let value: string | undefined;
  if (asReference?.length) {
    if (asReference.length > 1 || input.has(name) && request.query.has(name)) {
      throw badRequest(`${operation}: parameter '${name}' may appear only once`, name);
    }
    value = asReference[0].valueReference?.reference;
  } else {
    value = input.string(name);
  }
  if (value === undefined) {
    return undefined;
  }
  const id = value.startsWith(`${type}/`) ? value.slice(type.length + 1) : value;
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) {
    throw badRequest(`${operation}: '${name}' is a reference to a ${type} (${type}/[id]), got '${value}'`, name);
  }
  return `${type}/${id}`;
}

/** The date of use: valueDate in a body, or a string. */
function dateParameter(request: FhirRequest, input: OperationInput): string | undefined {
  const body = request.method === 'POST' ? (request.body as Parameters | undefined) : undefined;
  const asDate = body?.parameter?.filter((p) => p.name === 'date' && p.valueDate !== undefined);
  if (asDate?.length) {
    if (asDate.length > 1 || request.query.has('date')) {
      throw badRequest(`${operation}: parameter 'date' may appear only once`, 'date');
    }
    return asDate[0].valueDate;
  }
  return input.string('date');
}
