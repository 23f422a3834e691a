// Uri index values: uri, url, canonical, oid and uuid values exactly as written (R4 matches uris exactly,
// or by prefix with :below). https://hl7.org/fhir/R4/search.html#uri
import type { TypedValue } from '@medplum/core';
import type { UriValue } from './types';

export function addUriValues(values: TypedValue[], out: UriValue[]): void {
  for (const { value } of values) {
    if (typeof value === 'string' && value) {
      out.push({ value });
    }
  }
}
