// The network's terminology content (terminology/**/*.json) for tests: as resources, as an in-memory
// engine, and PUT into a test server.
import type { CodeSystem, ConceptMap, ParametersParameter, Resource, ValueSet } from '@medplum/fhirtypes';
import fs from 'node:fs';
import path from 'node:path';
import { LocalTerminology } from '../../server/terminology/local-terminology';
import { InMemoryTerminologySource } from '../../server/terminology/memory-source';
import { fhirJson, type TestServer } from './test-server';

const root = path.resolve(__dirname, '../../../terminology');

export const base = 'https://fhir.dhc.example';
export const icd10 = 'http://hl7.org/fhir/sid/icd-10';
export const loinc = 'http://loinc.org';
export const clinical = `${base}/CodeSystem/icd-10-cn-clinical-2.0`;
export const formulary = `${base}/CodeSystem/formulary`;
export const labB100 = `${base}/CodeSystem/local-lab/clinic-b100-0001`;
export const labC220 = `${base}/CodeSystem/local-lab/clinic-c220-0003`;
export const valueSetUrl = (id: string): string => `${base}/ValueSet/${id}`;

let loaded: Resource[] | undefined;

/** Every CodeSystem, ValueSet and ConceptMap under terminology/. */
export function networkTerminology(): Resource[] {
  loaded ??= ['codesystems', 'valuesets', 'conceptmaps'].flatMap((dir) =>
    fs
      .readdirSync(path.join(root, dir))
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(fs.readFileSync(path.join(root, dir, f), 'utf8')) as Resource)
  );
  // A copy each time, so that a test may change what it gets.
  return structuredClone(loaded);
}

export function networkResource<T extends CodeSystem | ValueSet | ConceptMap>(resourceType: T['resourceType'], id: string): T {
  const found = networkTerminology().find((r) => r.resourceType === resourceType && r.id === id);
  if (!found) {
    throw new Error(`terminology/ has no ${resourceType}/${id}`);
  }
  return found as T;
}

/** An engine over the network's content only (no base R4 definitions): fast, and what the tests mean. */
export function networkEngine(extra: Resource[] = []): LocalTerminology {
  return new LocalTerminology(new InMemoryTerminologySource([...networkTerminology(), ...extra]));
}

/** PUTs the network's terminology (or the resources given) into a test server. */
export async function loadTerminology(server: TestServer, resources: Resource[] = networkTerminology()): Promise<void> {
  for (const resource of resources) {
    const res = await server.http.put(`/${resource.resourceType}/${resource.id}`).set('Content-Type', fhirJson).send(resource);
    if (res.status >= 300) {
      throw new Error(`PUT ${resource.resourceType}/${resource.id}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
}

/** The named parameters of a Parameters resource (or of a parameter's parts). */
export function parametersNamed(parameters: { parameter?: ParametersParameter[]; part?: ParametersParameter[] }, name: string): ParametersParameter[] {
  return (parameters.parameter ?? parameters.part ?? []).filter((p) => p.name === name);
}

/** The value[x] of the first parameter of that name. */
export function parameterValue(parameters: { parameter?: ParametersParameter[]; part?: ParametersParameter[] }, name: string): unknown {
  const [found] = parametersNamed(parameters, name);
  const key = found && Object.keys(found).find((k) => k.startsWith('value'));
  return key ? (found as unknown as Record<string, unknown>)[key] : undefined;
}

/** POSTs a Parameters body to an operation. */
export function postParameters(server: TestServer, path: string, parameter: ParametersParameter[]): ReturnType<TestServer['http']['post']> {
  return server.http.post(path).set('Content-Type', fhirJson).send({ resourceType: 'Parameters', parameter });
}
