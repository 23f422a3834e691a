// JSON is the only format served: which Accept headers, _format values and request Content-Types
// that allows (https://hl7.org/fhir/R4/http.html#mime-type). Failures are 406 and 415.
import { notAcceptable, unsupportedMediaType } from '../outcomes';

export const fhirJson = 'application/fhir+json';

const jsonTypes = new Set(['application/fhir+json', 'application/json', 'application/json+fhir', 'text/json']);
const jsonFormats = new Set(['json', ...jsonTypes]);

/** _format wins over Accept, as the spec says. */
export function checkAcceptable(accept: string | undefined, format: string | null): void {
  if (format !== null) {
    if (!jsonFormats.has(format.toLowerCase().split(';')[0].trim())) {
      throw notAcceptable(`_format '${format}' is not supported; this server speaks JSON only (_format=json)`);
    }
    return;
  }
  if (!accept || accept.trim() === '') {
    return;
  }
  const acceptsJson = accept.split(',').some((part) => {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) {
      return false;
    }
    return range === '*/*' || range === 'application/*' || jsonTypes.has(range);
  });
  if (!acceptsJson) {
    throw notAcceptable(`Accept '${accept}' excludes JSON; this server returns ${fhirJson} only`);
  }
}

export type BodyKind = 'json' | 'form';

/** What else a request may send besides FHIR JSON: a form (POST _search) or a JSON Patch (PATCH). */
export type BodyAllowance = 'json' | 'form' | 'json-patch';

/** Which kind of body a Content-Type announces; anything but JSON (or what `allowed` adds) is 415. */
export function bodyKind(contentType: string | undefined, allowed: BodyAllowance): BodyKind {
  const mediaType = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (jsonTypes.has(mediaType) || (allowed === 'json-patch' && mediaType === 'application/json-patch+json')) {
    return 'json';
  }
  if (allowed === 'form' && mediaType === 'application/x-www-form-urlencoded') {
    return 'form';
  }
  const extra = { json: '', form: ' or application/x-www-form-urlencoded', 'json-patch': ' (a FHIRPath Patch) or application/json-patch+json' };
  throw unsupportedMediaType(`Content-Type '${contentType ?? '(none)'}' is not supported; send ${fhirJson}${extra[allowed]}`);
}
