// The Bundle rules that are not written as FHIRPath invariants (bdl-1 to bdl-12 are, and the profile
// walker evaluates them): fullUrls are absolute and agree with the resource's id
// (https://hl7.org/fhir/R4/bundle-definitions.html#Bundle.entry.fullUrl), a link relation appears once,
// searchset entries carry a resource and their search mode (bundle.html#searchset), and in a document or
// a message every reference resolves inside the Bundle (bundle.html#references, documents.html,
// messaging.html), since such a Bundle is read on its own, away from any server.
import type { Bundle, BundleEntry, OperationOutcomeIssue } from '@medplum/fhirtypes';

const absoluteUri = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const restfulUrl = /^(.*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

export function bundleIssues(bundle: Bundle): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const entries = bundle.entry ?? [];
  entries.forEach((entry, i) => issues.push(...fullUrlIssues(entry, `Bundle.entry[${i}]`)));
  issues.push(...linkIssues(bundle));
  if (bundle.type === 'searchset') {
    issues.push(...searchsetIssues(bundle));
  }
  if (bundle.type === 'document' || bundle.type === 'message') {
    issues.push(...unresolvedReferences(bundle));
  }
  return issues;
}

function fullUrlIssues(entry: BundleEntry, at: string): OperationOutcomeIssue[] {
  const { fullUrl, resource } = entry;
  if (fullUrl === undefined) {
    return [];
  }
  if (!absoluteUri.test(fullUrl)) {
    return [error('invalid', `${at}.fullUrl: '${fullUrl}' is relative; a fullUrl is an absolute URL (http://server/fhir/Patient/1) or a urn:uuid: or urn:oid:`, `${at}.fullUrl`)];
  }
  const match = restfulUrl.exec(fullUrl);
  if (match && resource?.id !== undefined && !fullUrl.startsWith('urn:') && (match[2] !== resource.resourceType || match[3] !== resource.id)) {
    return [error('invalid', `${at}.fullUrl: '${fullUrl}' disagrees with the resource it holds, ${resource.resourceType}/${resource.id}`, `${at}.fullUrl`)];
  }
  return [];
}

function linkIssues(bundle: Bundle): OperationOutcomeIssue[] {
  const seen = new Set<string>();
  const issues: OperationOutcomeIssue[] = [];
  (bundle.link ?? []).forEach((link, i) => {
    if (link.relation === undefined) {
      return;
    }
    if (seen.has(link.relation)) {
      issues.push(error('invalid', `Bundle.link[${i}]: the relation '${link.relation}' appears more than once; each relation names one link`, `Bundle.link[${i}].relation`));
    }
    seen.add(link.relation);
  });
  return issues;
}

function searchsetIssues(bundle: Bundle): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const searchedType = searchedTypeOf(bundle);
  (bundle.entry ?? []).forEach((entry, i) => {
    const at = `Bundle.entry[${i}]`;
    if (!entry.resource) {
      issues.push(error('required', `${at}: an entry of a searchset holds a resource`, `${at}.resource`));
    }
    const mode = entry.search?.mode;
    if (mode === undefined) {
      issues.push(warning(`${at}: an entry of a searchset says why it is there (search.mode: match, include or outcome)`, `${at}.search.mode`));
    } else if (mode === 'match' && searchedType && entry.resource && entry.resource.resourceType !== searchedType) {
      issues.push(error('invalid', `${at}: a ${entry.resource.resourceType} has search.mode 'match' in a search of ${searchedType}; only ${searchedType} resources match it (others are 'include')`, `${at}.search.mode`));
    } else if (mode === 'outcome' && entry.resource && entry.resource.resourceType !== 'OperationOutcome') {
      issues.push(error('invalid', `${at}: search.mode 'outcome' is for an OperationOutcome, not a ${entry.resource.resourceType}`, `${at}.search.mode`));
    }
  });
  return issues;
}

/** The type searched, from the self link ([base]/Observation?code=...); undefined for a system search or an operation. */
function searchedTypeOf(bundle: Bundle): string | undefined {
  const self = bundle.link?.find((l) => l.relation === 'self')?.url;
  const path = self?.split('?')[0];
  const match = path ? /(?:^|\/)([A-Z][A-Za-z]+)(?:\/_search)?$/.exec(path) : null;
  return match?.[1];
}

/** Each literal reference of a document or message entry, resolved as bundle.html#references says. */
function unresolvedReferences(bundle: Bundle): OperationOutcomeIssue[] {
  const entries = bundle.entry ?? [];
  const fullUrls = new Set(entries.flatMap((e) => (e.fullUrl ? [e.fullUrl] : [])));
  const typeIds = new Set(entries.flatMap((e) => (e.resource?.id ? [`${e.resource.resourceType}/${e.resource.id}`] : [])));
  const issues: OperationOutcomeIssue[] = [];
  entries.forEach((entry, i) => {
    const base = entry.fullUrl && /^https?:/.test(entry.fullUrl) ? restfulUrl.exec(entry.fullUrl)?.[1] : undefined;
    forEachReference(entry.resource, `Bundle.entry[${i}].resource`, (reference, path) => {
      if (reference.startsWith('#')) {
        return; // a contained resource: ref-1's concern
      }
      const unversioned = reference.replace(/\/_history\/[^/]+$/, '');
      const resolved =
        fullUrls.has(unversioned) ||
        (base !== undefined && fullUrls.has(base + unversioned)) ||
        (!absoluteUri.test(unversioned) && typeIds.has(unversioned));
      if (!resolved) {
        issues.push(error('not-found', `${path}: '${reference}' is not in the Bundle; in a ${bundle.type} every reference resolves to an entry (its fullUrl)`, path));
      }
    });
  });
  return issues;
}

/** Calls `found` for every Reference.reference (any object's string `reference`) inside a resource. */
function forEachReference(value: unknown, path: string, found: (reference: string, path: string) => void): void {
  if (Array.isArray(value)) {
    value.forEach((v, i) => forEachReference(v, `${path}[${i}]`, found));
    return;
  }
  if (value === null || typeof value !== 'object') {
    return;
  }
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'reference' && typeof child === 'string') {
      found(child, `${path}.reference`);
    } else {
      forEachReference(child, `${path}.${key}`, found);
    }
  }
}

function error(code: OperationOutcomeIssue['code'], text: string, path: string): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, expression: [path] };
}

function warning(text: string, path: string): OperationOutcomeIssue {
  return { severity: 'warning', code: 'required', details: { text }, expression: [path] };
}
