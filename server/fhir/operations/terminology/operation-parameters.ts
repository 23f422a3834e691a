// An operation's input parameters, from the query of a GET or the Parameters body of a POST (query
// parameters of a POST count too), and the Parameters resource an operation returns
// (https://hl7.org/fhir/R4/operations.html#request). Each accessor checks the FHIR type and refuses a
// wrong one with a 400 naming the parameter in `expression`.
import type { CodeableConcept, Coding, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import { badRequest } from '../../../outcomes';
import { isStrictHandling } from '../../prefer';
import type { FhirRequest } from '../../request';

/** Parameters of the HTTP layer, accepted by every operation. */
const httpParameters = ['_format', '_pretty'];
const stringKeys = [
  'valueString',
  'valueUri',
  'valueCode',
  'valueCanonical',
  'valueUrl',
  'valueId',
  'valueOid',
  'valueUuid',
  'valueMarkdown',
];

export class OperationInput {
  private constructor(
    private readonly operation: string,
    private readonly query: URLSearchParams,
    private readonly body: readonly ParametersParameter[]
  ) {}

  /** Unknown parameters are ignored, or refused when the client asks for strict handling. */
  static read(request: FhirRequest, operation: string, known: readonly string[]): OperationInput {
    const body = request.method === 'POST' ? bodyParameters(request.body, operation) : [];
    const input = new OperationInput(operation, request.query, body);
    const names = new Set([...request.query.keys(), ...body.map((p) => p.name)]);
    const unknown = [...names].filter((name) => !known.includes(name) && !httpParameters.includes(name));
    if (unknown.length && isStrictHandling(request)) {
      throw badRequest(`Unknown ${operation} parameter(s): ${unknown.join(', ')}`, unknown[0]);
    }
    return input;
  }

  has(name: string): boolean {
    return this.query.has(name) || this.body.some((p) => p.name === name);
  }

  string(name: string): string | undefined {
    const [value] = this.strings(name, true);
    return value;
  }

  /** Every value of a repeating parameter. */
  strings(name: string, single = false): string[] {
    const values = [...this.query.getAll(name)];
    for (const p of this.entries(name)) {
      const key = stringKeys.find((k) => k in p);
      if (!key) {
        throw this.wrongType(name, 'a string, uri or code');
      }
      values.push(String((p as unknown as Record<string, unknown>)[key]));
    }
    if (single && values.length > 1) {
      throw badRequest(`${this.operation}: parameter '${name}' may appear only once`, name);
    }
    return values;
  }

  boolean(name: string): boolean | undefined {
    const value = this.single(name, 'valueBoolean');
    if (value === undefined || typeof value === 'boolean') {
      return value;
    }
    if (value !== 'true' && value !== 'false') {
      throw this.wrongType(name, 'true or false');
    }
    return value === 'true';
  }

  /** A whole number of at least 0. */
  count(name: string): number | undefined {
    const value = this.single(name, 'valueInteger');
    if (value === undefined) {
      return undefined;
    }
    const number = typeof value === 'number' ? value : /^\d+$/.test(String(value)) ? Number(value) : NaN;
    if (!Number.isInteger(number) || number < 0) {
      throw this.wrongType(name, 'a whole number from 0');
    }
    return number;
  }

  /** A Coding; in a query, written system|code. */
  coding(name: string): Coding | undefined {
    const value = this.single(name, 'valueCoding');
    if (typeof value !== 'string') {
      return value as Coding | undefined;
    }
    const bar = value.indexOf('|');
    if (bar <= 0 || bar === value.length - 1) {
      throw this.wrongType(name, 'a Coding (system|code in a query)');
    }
    return { system: value.slice(0, bar), code: value.slice(bar + 1) };
  }

  codeableConcept(name: string): CodeableConcept | undefined {
    return this.complex(name, 'valueCodeableConcept') as CodeableConcept | undefined;
  }

  /** A resource parameter of the given type. */
  resource<T extends Resource>(name: string, resourceType: T['resourceType']): T | undefined {
    const value = this.complex(name, 'resource') as Resource | undefined;
    if (value !== undefined && (typeof value !== 'object' || value.resourceType !== resourceType)) {
      throw this.wrongType(name, `a ${resourceType} resource`);
    }
    return value as T | undefined;
  }

  /** A parameter only a POST body can carry (a resource or complex type). */
  private complex(name: string, key: string): unknown {
    if (this.query.has(name)) {
      throw badRequest(`${this.operation}: parameter '${name}' cannot be sent in a URL; POST it in a Parameters body`, name);
    }
    return this.single(name, key);
  }

  private single(name: string, key: string): unknown {
    const fromQuery = this.query.getAll(name);
    const fromBody = this.entries(name);
    if (fromQuery.length + fromBody.length > 1) {
      throw badRequest(`${this.operation}: parameter '${name}' may appear only once`, name);
    }
    if (fromQuery.length) {
      return fromQuery[0];
    }
    if (!fromBody.length) {
      return undefined;
    }
    const value = (fromBody[0] as unknown as Record<string, unknown>)[key];
    if (value === undefined) {
      throw this.wrongType(name, key.replace(/^value/, '').replace(/^resource$/, 'a resource'));
    }
    return value;
  }

  private entries(name: string): ParametersParameter[] {
    return this.body.filter((p) => p.name === name);
  }

  private wrongType(name: string, expected: string): Error {
    return badRequest(`${this.operation}: parameter '${name}' must be ${expected}`, name);
  }
}

function bodyParameters(body: unknown, operation: string): ParametersParameter[] {
  if (body === undefined) {
    return [];
  }
  const parameters = body as Parameters;
  if (typeof body !== 'object' || body === null || parameters.resourceType !== 'Parameters') {
    throw badRequest(`POST ${operation} takes a Parameters resource as its body`);
  }
  if (parameters.parameter !== undefined && !Array.isArray(parameters.parameter)) {
    throw badRequest(`POST ${operation}: Parameters.parameter must be an array`, 'Parameters.parameter');
  }
  for (const [i, p] of (parameters.parameter ?? []).entries()) {
    if (typeof p !== 'object' || p === null || typeof p.name !== 'string') {
      throw badRequest(`POST ${operation}: every parameter needs a name`, `Parameters.parameter[${i}]`);
    }
  }
  return parameters.parameter ?? [];
}

export function parametersResource(parameter: ParametersParameter[]): Parameters {
  return { resourceType: 'Parameters', parameter };
}
