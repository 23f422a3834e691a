// $subsumes (https://hl7.org/fhir/R4/codesystem-operation-subsumes.html): how two codes of one system
// relate in its hierarchy: equivalent, subsumes (A is above B), subsumed-by (A is below B) or not-subsumed.
import type { TerminologyCache } from './terminology-cache';
import { notKnown } from './terminology-errors';
import { missingCodeText } from './lookup-code';
import type { SubsumesRequest, SubsumptionOutcome } from './terminology-service';

export async function subsumes(cache: TerminologyCache, request: SubsumesRequest): Promise<SubsumptionOutcome> {
  const index = await cache.codeSystemOf(request.codeSystem);
  if (!index) {
    const label = 'url' in request.codeSystem ? request.codeSystem.url : (request.codeSystem.resource.url ?? 'the code system');
    throw notKnown(`Code system '${label}' is not known to this server`, 'system');
  }
  const [nameA, nameB] = request.parameterNames ?? ['codeA', 'codeB'];
  const a = index.get(request.codeA);
  if (!a) {
    throw notKnown(missingCodeText(index, request.codeA), nameA);
  }
  const b = index.get(request.codeB);
  if (!b) {
    throw notKnown(missingCodeText(index, request.codeB), nameB);
  }
  if (a.code === b.code) {
    return 'equivalent';
  }
  if (index.descendantsOf(a.code).has(b.code)) {
    return 'subsumes';
  }
  return index.descendantsOf(b.code).has(a.code) ? 'subsumed-by' : 'not-subsumed';
}
