// A FhirResponse (or an error) as a batch/transaction-response entry: status line, location, etag,
// lastModified and the resource or OperationOutcome (https://hl7.org/fhir/R4/bundle.html#transaction-response).
import type { BundleEntry, OperationOutcome } from '@medplum/fhirtypes';
import { STATUS_CODES } from 'node:http';
import type { FhirError } from '../../outcomes';
import type { FhirResponse } from '../request';

export function statusLine(status: number): string {
  return `${status} ${STATUS_CODES[status] ?? ''}`.trim();
}

export function entryFromResponse(response: FhirResponse, method: string, baseUrl: string): BundleEntry {
  const headers = response.headers ?? {};
  const entry: BundleEntry = { response: { status: statusLine(response.status) } };
  const reply = entry.response!;
  if (headers.Location) {
    reply.location = headers.Location;
  }
  if (headers.ETag) {
    reply.etag = headers.ETag;
  }
  if (response.version) {
    reply.lastModified = response.version.lastUpdated;
  }
  const body = response.body;
  if (body) {
    // A write that answers with an OperationOutcome (Prefer: return=OperationOutcome, conditional
    // delete) reports it as the outcome; a read of an OperationOutcome is still a resource.
    if (body.resourceType === 'OperationOutcome' && method !== 'GET' && method !== 'HEAD') {
      reply.outcome = body as OperationOutcome;
    } else {
      if (body.id && body.resourceType !== 'Bundle') {
        entry.fullUrl = `${baseUrl}/${body.resourceType}/${body.id}`;
      }
      entry.resource = body;
    }
  }
  return { ...(entry.fullUrl ? { fullUrl: entry.fullUrl } : {}), ...(entry.resource ? { resource: entry.resource } : {}), response: reply };
}

export function entryFromError(error: FhirError): BundleEntry {
  return { response: { status: statusLine(error.status), outcome: error.outcome } };
}
