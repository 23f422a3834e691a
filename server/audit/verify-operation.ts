// $verify-history: GET or POST [base]/[type]/[id]/$verify-history and [base]/$verify-history?start&end
// (OperationDefinition https://fhir.dhc.example/OperationDefinition/verify-history). Recomputes the
// tamper-evidence chains from the stored versions (verify-chain.ts) and, given an `anchor` exported by
// $anchor, compares the history with it (verify-anchor.ts). Answers 200 with Parameters whatever it
// finds: `result` (no break), the counts, for one resource each version's status and author, and an
// OperationOutcome with one issue per break (which version, expected and found). Auditors only.
import type { OperationOutcomeIssue, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { checkAuditOperationAccess } from '../auth/policy/audit-operations';
import type { RouteOperation } from '../fhir/routes';
import { OperationInput } from '../fhir/operations/terminology/operation-parameters';
import type { FhirContext, Interaction } from '../fhir/request';
import { badRequest, issue, notFound, outcome } from '../outcomes';
import { readAnchor, type Anchor } from './anchor-token';
import { compareWithAnchor, type AnchorBreak } from './verify-anchor';
import { verifyChains, type ChainBreak, type ChainReport } from './verify-chain';
import { parseAuthor } from './version-author';

export const verifyHistoryOperation: RouteOperation = {
  resourceTypes: '*',
  system: true,
  name: 'verify-history',
  definition: 'https://fhir.dhc.example/OperationDefinition/verify-history',
};

/** Issues listed at most; the counts say how many there were. */
const listedIssues = 1000;

export const verifyHistory: Interaction = async (request, { resourceType, id }, context) => {
  checkAuditOperationAccess(context.caller, context.settings.smartSecurity ?? false, 'verify-history');
  const input = OperationInput.read(request, '$verify-history', id ? ['anchor'] : ['anchor', 'start', 'end']);
  const anchor = readAnchorInput(input, context);
  const store = context.pipeline.dataStore;
  if (resourceType && id) {
    const report = await verifyChains(store, { resourceType, id }, true);
    if (report.versions === 0) {
      throw notFound(`${resourceType}/${id} has no stored versions`);
    }
    const anchorBreaks = anchor ? await compareWithAnchor(store, anchor, resourceType) : [];
    return respond(report, anchor, anchorBreaks, versionParts(report));
  }
  const window = { from: instant(input, 'start'), to: instant(input, 'end') };
  if (window.from !== undefined && window.to !== undefined && window.from >= window.to) {
    throw badRequest('start must be before end', 'end');
  }
  const report = await verifyChains(store, window);
  const anchorBreaks = anchor ? await compareWithAnchor(store, anchor) : [];
  return respond(report, anchor, anchorBreaks, []);
};

function readAnchorInput(input: OperationInput, context: FhirContext): Anchor | undefined {
  const token = input.string('anchor');
  if (token === undefined) {
    return undefined;
  }
  if (!context.signingKeys) {
    throw badRequest('This server has no signing key to check an anchor with', 'anchor');
  }
  return readAnchor(token.trim(), context.signingKeys, context.baseUrl);
}

/** A dateTime parameter as ms since epoch; 400 when it is not a FHIR dateTime. */
function instant(input: OperationInput, name: string): number | undefined {
  const text = input.string(name);
  if (text === undefined) {
    return undefined;
  }
  const ms = /^\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) {
    throw badRequest(`${name} must be a FHIR dateTime such as 2026-12-01 or 2026-12-01T08:00:00Z`, name);
  }
  return ms;
}

function respond(report: ChainReport, anchor: Anchor | undefined, anchorBreaks: AnchorBreak[], versions: ParametersParameter[]): { status: number; body: Parameters } {
  const issues = [...report.breaks.map(breakIssue), ...anchorBreaks.map(anchorIssue)];
  const listed = issues.slice(0, listedIssues);
  if (issues.length > listed.length) {
    listed.push(issue('too-costly', `${issues.length - listed.length} more breaks are not listed; verify a narrower window`, undefined, 'warning'));
  }
  if (report.unchained) {
    listed.push(
      issue('informational', `${report.unchained} version(s) have no hash (written before hashes were kept): they are unchained, not verified`, undefined, 'warning')
    );
  }
  if (!listed.length) {
    listed.push(issue('informational', `All ${report.versions} versions verified${anchor ? ', and the history agrees with the anchor' : ''}`, undefined, 'information'));
  }
  const parameter: ParametersParameter[] = [
    { name: 'result', valueBoolean: issues.length === 0 },
    { name: 'versions', valueInteger: report.versions },
    { name: 'verified', valueInteger: report.verified },
    { name: 'unchained', valueInteger: report.unchained },
    { name: 'breaks', valueInteger: report.breaks.length + anchorBreaks.length },
  ];
  if (anchor) {
    parameter.push({ name: 'anchorPosition', valueString: anchor.position }, { name: 'anchorIssued', valueInstant: new Date(anchor.iat * 1000).toISOString() });
  }
  parameter.push(...versions, { name: 'outcome', resource: outcome(...listed) });
  return { status: 200, body: { resourceType: 'Parameters', parameter } };
}

function breakIssue(found: ChainBreak): OperationOutcomeIssue {
  const at = `${found.resourceType}/${found.id}/_history/${found.versionId}`;
  const text = `${at}: ${found.problem}`;
  return {
    ...issue('processing', text, at),
    ...(found.expected ? { diagnostics: `expected ${found.expected}, found ${found.found}` } : {}),
  };
}

function anchorIssue(found: AnchorBreak): OperationOutcomeIssue {
  return { ...issue('processing', found.problem, found.resourceType), diagnostics: `expected ${found.expected}, found ${found.found}` };
}

/** One resource's versions, each with its status and recorded author. */
function versionParts(report: ChainReport): ParametersParameter[] {
  return (report.statuses ?? []).map(({ record, status }) => {
    const author = parseAuthor(record.author);
    const part: ParametersParameter[] = [
      { name: 'versionId', valueId: String(record.versionId) },
      { name: 'lastUpdated', valueInstant: new Date(record.lastUpdated).toISOString() },
      { name: 'status', valueCode: status },
    ];
    if (author) {
      part.push({ name: 'authorKind', valueCode: author.kind });
      if (author.user) part.push({ name: 'author', valueReference: { reference: author.user } });
      if (author.clientId) part.push({ name: 'client', valueString: author.clientId });
      for (const organization of author.organizations ?? []) part.push({ name: 'organization', valueReference: { reference: organization } });
    }
    return { name: 'version', part };
  });
}
