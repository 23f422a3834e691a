// ajv's errors for the base schema check, as OperationOutcome issues: one per element, in FHIRPath-like
// notation (Patient.name[0].given[1]), with a message that says what the primitive must look like.
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { ErrorObject } from 'ajv';

type Json = Record<string, unknown>;

// More issues than this only bury the first ones; the client fixes and retries.
const MAX_ISSUES = 50;

/** Turns ajv errors into one issue per element path, in FHIRPath-like notation. */
export function toIssues(errors: ErrorObject[], resource: Json): OperationOutcomeIssue[] {
  const issues = new Map<string, OperationOutcomeIssue>();
  for (const error of errors) {
    const issue = toIssue(error, resource);
    const key = issue.expression?.[0] ?? '';
    // First error per element wins: a wrong type would otherwise also report the pattern it misses.
    if (!issues.has(key)) {
      issues.set(key, issue);
    }
  }
  const result = [...issues.values()];
  if (result.length > MAX_ISSUES) {
    const more = result.length - MAX_ISSUES;
    result.length = MAX_ISSUES;
    result.push({ severity: 'error', code: 'structure', details: { text: `${more} further errors not shown` } });
  }
  return result;
}

// What each primitive type must look like, for pattern/range failures.
const PRIMITIVE_HINTS: Record<string, string> = {
  id: 'use 1 to 64 characters from A-Z a-z 0-9 - .',
  date: 'use YYYY, YYYY-MM or YYYY-MM-DD',
  dateTime: 'use YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss with a time zone (Z or +hh:mm)',
  instant: 'use YYYY-MM-DDThh:mm:ss(.sss) with a time zone (Z or +hh:mm)',
  time: 'use hh:mm:ss',
  code: 'use non-empty text without leading, trailing or double spaces',
  uri: 'use a non-empty value without whitespace',
  url: 'use a non-empty value without whitespace',
  canonical: 'use a non-empty value without whitespace',
  oid: 'use urn:oid:<dotted digits>',
  uuid: 'use urn:uuid:<lower-case UUID>',
  base64Binary: 'use base64 (RFC 4648) with padding',
  integer: 'use a whole number that fits in 32 bits',
  unsignedInt: 'use a whole number from 0 to 2147483647',
  positiveInt: 'use a whole number from 1 to 2147483647',
};

function toIssue(error: ErrorObject, resource: Json): OperationOutcomeIssue {
  const params = error.params as Record<string, unknown>;
  const path = fhirPath(resource, error.instancePath);
  const value = valueAt(resource, error.instancePath);
  const make = (code: OperationOutcomeIssue['code'], text: string, expression = path): OperationOutcomeIssue => ({
    severity: 'error',
    code,
    details: { text },
    expression: [expression],
  });
  // The primitive type, when the failing schema is a primitive definition.
  const primitive = /#\/definitions\/([a-z]\w*?)(?:OrNull)?\//.exec(error.schemaPath)?.[1];

  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      return make('structure', `Unknown element '${name}'`, `${path}.${name}`);
    }
    case 'required': {
      const name = String(params.missingProperty);
      return make('required', `Missing required element '${name}'`, `${path}.${name}`);
    }
    case 'discriminator': {
      // At the root the type is unknown, so name the property alone, as in the request's resourceType.
      const expression = error.instancePath ? `${path}.resourceType` : 'resourceType';
      if (params.tagValue === undefined) {
        return make('required', 'Missing resourceType', expression);
      }
      if (typeof params.tagValue !== 'string') {
        return make('structure', `resourceType must be a string, not ${describe(params.tagValue)}`, expression);
      }
      return make('value', `Unknown resource type '${params.tagValue}'`, expression);
    }
    case 'type':
      return make('structure', `Expected ${typeName(params.type, primitive)} but found ${describe(value)}`);
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).filter((v) => v !== null).map(String);
      const list = allowed.length > 12 ? `${allowed.slice(0, 12).join(', ')}, ...` : allowed.join(', ');
      return make('value', `Invalid code ${describe(value)}: expected one of ${list}`);
    }
    case 'fhirStringLimit':
      return make('value', `A ${primitive ?? 'string'} of ${[...String(value)].length.toLocaleString('en')} characters: R4 allows at most 1,048,576 (1 MB) in a primitive value other than base64Binary`);
    case 'fhirChoice': {
      const [first, second] = [String(params.first), String(params.second)];
      const text = `Only one type of a choice element is allowed, found both '${first}' and '${second}'`;
      return make('structure', text, `${path}.${second}`);
    }
    case 'const':
      return make('value', `Expected '${String(params.allowedValue)}' but found ${describe(value)}`);
    case 'minItems':
      return make('structure', 'Arrays must not be empty: leave the element out instead');
    case 'minProperties':
      return make('structure', 'Objects must not be empty: leave the element out instead');
    case 'minLength':
      return make('value', 'Strings must not be empty: leave the element out instead');
    case 'pattern':
    case 'fhirBase64':
    case 'minimum':
    case 'maximum': {
      let hint = (primitive && PRIMITIVE_HINTS[primitive]) ?? error.message ?? 'invalid value';
      if (primitive === 'dateTime' && typeof value === 'string' && /T[\d:.]+$/.test(value)) {
        hint = 'a dateTime with a time needs a time zone (Z or +hh:mm) and seconds, e.g. 2024-01-31T09:30:00+08:00';
      }
      return make('value', `Invalid ${primitive ?? 'value'} ${describe(value)}: ${hint}`);
    }
    default:
      return make('structure', error.message ?? `Invalid value (${error.keyword})`);
  }
}

/** "/name/0/given/1" -> "Patient.name[0].given[1]" (ajv only ever indexes arrays with numbers). */
function fhirPath(resource: Json, instancePath: string): string {
  let path = typeof resource.resourceType === 'string' ? resource.resourceType : 'Resource';
  for (const segment of pointerSegments(instancePath)) {
    path += /^\d+$/.test(segment) ? `[${segment}]` : `.${segment}`;
  }
  return path;
}

function valueAt(resource: Json, instancePath: string): unknown {
  let value: unknown = resource;
  for (const segment of pointerSegments(instancePath)) {
    value = (value as Json | undefined)?.[segment];
  }
  return value;
}

function pointerSegments(instancePath: string): string[] {
  return instancePath ? instancePath.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')) : [];
}

const JSON_TYPES: Record<string, string> = {
  string: 'a JSON string',
  number: 'a JSON number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a JSON object',
  array: 'a JSON array',
};

/** "a dateTime (a JSON string)", "an integer (a whole number)", "a JSON object". */
function typeName(type: unknown, primitive: string | undefined): string {
  const json = (Array.isArray(type) ? type : [type]).map(String).find((t) => t !== 'null') ?? 'value';
  const described = JSON_TYPES[json] ?? json;
  if (!primitive || json === 'object' || json === 'array') {
    return described;
  }
  const article = /^[aeiox]/.test(primitive) ? 'an' : 'a'; // an integer, an xhtml
  return primitive === json ? `${article} ${json}` : `${article} ${primitive} (${described})`;
}

export function describe(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  switch (typeof value) {
    case 'string':
      return `'${value.length > 60 ? `${value.slice(0, 60)}...` : value}'`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
