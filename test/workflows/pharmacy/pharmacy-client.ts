// Requests of one role against the pharmacy test server, and the small readers the workflow tests share.
import type { Bundle, DetectedIssue, MedicationRequest, OperationOutcome, Resource, Task } from '@medplum/fhirtypes';
import supertest from 'supertest';
import { completedReview, reviewOf } from '../../../server/workflows/pharmacy/cloud-pharmacy';
import type { PharmacyServer } from './pharmacy-fixtures';

export type Role = keyof PharmacyServer['tokens'];

export function client(server: PharmacyServer, role: Role): {
  get(path: string): supertest.Test;
  post(path: string, body: unknown): supertest.Test;
  put(path: string, body: unknown): supertest.Test;
  patch(path: string, operations: unknown): supertest.Test;
  delete(path: string): supertest.Test;
} {
  const auth = `Bearer ${server.tokens[role]}`;
  const agent = supertest(server.app);
  return {
    get: (path) => agent.get(path).set('Authorization', auth),
    post: (path, body) => agent.post(path).set('Authorization', auth).set('Content-Type', 'application/fhir+json').send(body as object),
    put: (path, body) => agent.put(path).set('Authorization', auth).set('Content-Type', 'application/fhir+json').send(body as object),
    patch: (path, operations) => agent.patch(path).set('Authorization', auth).set('Content-Type', 'application/json-patch+json').send(operations as object),
    delete: (path) => agent.delete(path).set('Authorization', auth),
  };
}

export async function read<T extends Resource>(server: PharmacyServer, reference: string): Promise<T> {
  const res = await client(server, 'admin').get(`/${reference}`);
  if (res.status !== 200) {
    throw new Error(`${reference}: ${res.status} ${res.text}`);
  }
  return res.body as T;
}

export async function search<T extends Resource>(server: PharmacyServer, query: string, role: Role = 'admin'): Promise<T[]> {
  const res = await client(server, role).get(`/${query}`);
  if (res.status !== 200) {
    throw new Error(`${query}: ${res.status} ${res.text}`);
  }
  return ((res.body as Bundle).entry ?? []).filter((e) => e.search?.mode !== 'outcome').map((e) => e.resource as T);
}

export const reviewStatus = (request: MedicationRequest): string | undefined => reviewOf(request).status;
export const reviewTaskOf = (request: MedicationRequest): string | undefined => reviewOf(request).task?.reference;

export const findingsOf = (server: PharmacyServer, requestId: string): Promise<DetectedIssue[]> => search<DetectedIssue>(server, `DetectedIssue?implicated=MedicationRequest/${requestId}`);

/** The prescriber writes a request; answers the stored request (after the review's effects) and its Task. */
export async function prescribe(server: PharmacyServer, request: MedicationRequest): Promise<{ request: MedicationRequest; task: Task }> {
  const res = await client(server, 'clinician').post('/MedicationRequest', request);
  if (res.status !== 201) {
    throw new Error(`prescribe: ${res.status} ${res.text}`);
  }
  const stored = await read<MedicationRequest>(server, `MedicationRequest/${(res.body as MedicationRequest).id}`);
  const task = await read<Task>(server, reviewTaskOf(stored) as string);
  return { request: stored, task };
}

/** The review Task completed with a decision (and a reason). */
export const decided = completedReview;

/** The rule a refusal names ('write rule: <name>'). */
export const ruleOf = (body: OperationOutcome): string | undefined => body.issue?.[0]?.diagnostics;
