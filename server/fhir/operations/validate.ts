// $validate: POST [base]/[type]/$validate and GET or POST [base]/[type]/[id]/$validate
// (https://hl7.org/fhir/R4/resource-operation-validate.html). Without a mode it runs every check a write
// runs, and reports past the first failing stage, without storing anything: the base JSON schema, every
// profile the resource claims and the `profile` parameter's (or else the type's base definition), and
// the information a write leaves out. With mode=create or update it answers what that write would.
// The answer is 200 with an OperationOutcome whether or not the resource is valid, as the operation
// defines; 4xx means the validation itself could not run.
import type { OperationOutcomeIssue, Parameters, Resource } from '@medplum/fhirtypes';
import { badRequest, FhirError, isErrorIssue, issue, notFound } from '../../outcomes';
import type { FhirContext, FhirRequest, Interaction } from '../request';
import type { RouteOperation } from '../routes';
import { newResourceId } from '../ids';
import { dryRunWrite } from '../pipeline/dry-run';
import { checkResourceWrite, validateWrite } from '../validate-write';
import { OperationInput } from './terminology/operation-parameters';

export const validateOperation: RouteOperation = {
  resourceTypes: '*',
  name: 'validate',
  definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate',
};

const modes = ['create', 'update', 'delete'] as const;
type Mode = (typeof modes)[number];

export const validate: Interaction = async (request, { resourceType, id }, context) => {
  const type = resourceType as string;
  const { resource, mode, profile } = readInput(request, type);
  if (mode === 'delete') {
    return respond(await deleteIssues(type, id, context));
  }
  const subject = resource ?? (await storedResource(type, id, context));
  if (mode === 'create' || mode === 'update') {
    return respond(await writeAnswer(subject, type, mode === 'update' ? (id ?? (subject as Partial<Resource>).id ?? '') : undefined, profile, context));
  }
  const issues: OperationOutcomeIssue[] = [];
  try {
    // A body sent to an instance must carry the URL's id, as an update's does.
    validateWrite(subject, type, id !== undefined && resource !== undefined ? id : undefined);
  } catch (err) {
    if (!(err instanceof FhirError)) {
      throw err;
    }
    issues.push(...err.outcome.issue);
    // Nothing more can be said about something that is not a resource of this type; and profiles are
    // checked on resources of the right shape only (as HAPI, which cannot parse a malformed one), since
    // the profile walker follows the R4 types (a reference that is a number, an element that is a string).
    if ((subject as Partial<Resource>)?.resourceType !== type || issues.some((i) => i.code === 'structure')) {
      return respond(issues);
    }
  }
  // Without a profile the validator checks the type's base definition, as a write of an unprofiled resource does.
  issues.push(...(await context.validator.validate(subject as Resource, profile ? [profile] : [])));
  // A resource the checks above accept is also put to the write rules, as its create (or, on an instance,
  // its update) would be; a resource they refuse would never reach them.
  if (!issues.some(isErrorIssue)) {
    const urlId = id !== undefined && resource !== undefined ? id : undefined;
    issues.push(...(await ruleIssues(subject as Resource, type, urlId, context)));
  }
  return respond(issues);
};

/**
 * mode=create|update: exactly the issues the write would answer with (its refusal, or its warnings when
 * it would be stored), and those of the `profile` parameter's profile, which a write does not check.
 */
async function writeAnswer(subject: unknown, type: string, urlId: string | undefined, profile: string | undefined, context: FhirContext): Promise<OperationOutcomeIssue[]> {
  let issues: OperationOutcomeIssue[];
  try {
    const checked = await checkResourceWrite(subject, context, type, urlId);
    issues = checked.issues;
    // The write rules and the store's checks, run in a transaction that is rolled back.
    const refusal = await ruleIssues(checked.resource, type, urlId, context);
    if (refusal.length) {
      // A refused write answers its refusal alone, without the warnings of the checks it passed.
      return refusal;
    }
  } catch (err) {
    if (!(err instanceof FhirError) || err.status >= 500) {
      throw err;
    }
    issues = err.outcome.issue ?? [];
    if (err.status === 400) {
      return issues;
    }
  }
  if (!profile) {
    return issues;
  }
  const asked = await context.validator.validate(subject as Resource, [profile]);
  const known = new Set(issues.map(issueKey));
  return [...issues, ...asked.filter((i) => !known.has(issueKey(i)))];
}

/** The write rules' (and the store's) refusal of the create, or with `urlId` the update, as issues; none if it would be stored. */
async function ruleIssues(resource: Resource, type: string, urlId: string | undefined, context: FhirContext): Promise<OperationOutcomeIssue[]> {
  const interaction = { code: urlId === undefined ? ('create' as const) : ('update' as const), resourceType: type, ...(urlId ? { id: urlId } : {}) };
  const refusal = await dryRunWrite(context, interaction, (tx) =>
    urlId === undefined ? tx.create({ ...resource, id: newResourceId() }) : tx.update({ ...resource, id: urlId })
  );
  return refusal?.outcome.issue ?? [];
}

function issueKey(i: OperationOutcomeIssue): string {
  return `${i.severity} ${i.details?.text} ${i.expression?.join()}`;
}

interface ValidateInput {
  resource?: unknown;
  mode?: Mode;
  profile?: string;
}

/** The resource as the body, or a Parameters body with resource, mode and profile (query parameters count too). */
function readInput(request: FhirRequest, type: string): ValidateInput {
  const body = request.body as Partial<Resource> | undefined;
  if (body?.resourceType !== 'Parameters' || type === 'Parameters') {
    const input = OperationInput.read({ ...request, body: undefined, method: 'GET' }, '$validate', ['mode', 'profile']);
    return { resource: body, mode: readMode(input.string('mode')), profile: input.string('profile') };
  }
  const input = OperationInput.read(request, '$validate', ['resource', 'mode', 'profile']);
  const parameters = (body as Parameters).parameter ?? [];
  const resources = parameters.filter((p) => p.name === 'resource');
  if (resources.length > 1 || (resources.length === 1 && !resources[0].resource)) {
    throw badRequest("$validate: the 'resource' parameter must appear at most once and carry a resource", 'resource');
  }
  return { resource: resources[0]?.resource, mode: readMode(input.string('mode')), profile: input.string('profile') };
}

function readMode(value: string | undefined): Mode | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (!(modes as readonly string[]).includes(value)) {
    throw badRequest(`$validate: mode must be one of ${modes.join(', ')}, got '${value}'`, 'mode');
  }
  return value as Mode;
}

async function storedResource(type: string, id: string | undefined, context: FhirContext): Promise<Resource> {
  if (id === undefined) {
    throw badRequest(`$validate on ${type} needs a resource: send it as the body, or as the 'resource' parameter`, 'resource');
  }
  const current = await context.store.readCurrent(type, id);
  if (!current?.resource) {
    throw notFound(`${type}/${id} is not known (or was deleted): there is nothing stored to validate`);
  }
  return current.resource;
}

/** Whether the delete would be allowed: it is made, with its write rules (references to it), and rolled back. */
async function deleteIssues(type: string, id: string | undefined, context: FhirContext): Promise<OperationOutcomeIssue[]> {
  if (id === undefined) {
    throw badRequest('$validate with mode=delete names the resource: [type]/[id]/$validate', 'mode');
  }
  const current = await context.store.readCurrent(type, id);
  if (!current?.resource) {
    return [issue('not-found', `${type}/${id} is not known (or already deleted): there is nothing to delete`)];
  }
  const refusal = await dryRunWrite(context, { code: 'delete', resourceType: type, id }, (tx) => tx.delete(type, id));
  return refusal ? refusal.outcome.issue : [issue('informational', `${type}/${id} may be deleted`, undefined, 'information')];
}

function respond(issues: OperationOutcomeIssue[]): { status: number; body: Resource } {
  const shown = issues.length ? issues : [issue('informational', 'No issues found', undefined, 'information')];
  return { status: 200, body: { resourceType: 'OperationOutcome', issue: shown } };
}
