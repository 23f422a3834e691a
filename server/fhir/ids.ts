// Resource ids: the FHIR id rule, and the ids the server assigns (https://hl7.org/fhir/R4/datatypes.html#id).
import { randomUUID } from 'node:crypto';

const idPattern = /^[A-Za-z0-9\-.]{1,64}$/;

export function isValidId(id: string): boolean {
  return idPattern.test(id);
}

/** A random UUID: unguessable, never reused, and within the 64-character rule. */
export function newResourceId(): string {
  return randomUUID();
}
