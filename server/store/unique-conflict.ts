// The refusal of a second current resource holding a unique business identifier, alike in every adapter.
import { conflict, type FhirError } from '../outcomes';

/** 409 naming the holder ('Type/id') when known; the value is not repeated: identifiers are personal data. */
export function uniqueConflict(holder: string | undefined, resourceType: string, param: string, system: string): FhirError {
  return conflict(
    `${holder ?? 'Another resource'} already has this ${param} (${system}); a second ${resourceType} with it is refused: update that resource instead`,
    `${resourceType}.identifier`
  );
}
