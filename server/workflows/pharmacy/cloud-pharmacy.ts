// What the cloud-pharmacy workflow recognises: which requests it governs (those whose dispense request
// names the cloud pharmacy, whatever profile they claim), the review extension it keeps on them, the
// review Task's code, and the small store queries its rules share.
import type { CodeableConcept, Extension, MedicationRequest, Organization, PractitionerRole, Reference, Resource, Task } from '@medplum/fhirtypes';
import type { Filter, ValueCondition } from '../../search/plan';
import type { ResourceVersion, StoreOperations } from '../../store/port';

const base = 'https://fhir.dhc.example';
export const urls = {
  review: `${base}/StructureDefinition/prescription-review`,
  longPrescription: `${base}/StructureDefinition/long-prescription`,
  homeAddress: `${base}/StructureDefinition/home-address`,
  formulary: `${base}/CodeSystem/formulary`,
  route: `${base}/CodeSystem/route-of-administration`,
  reviewStatus: `${base}/CodeSystem/prescription-review-status`,
  organizationType: `${base}/CodeSystem/organization-type`,
  /** The network's workflow Task codes (terminology/codesystems/cloud-pharmacy-task.json). */
  taskCode: `${base}/CodeSystem/cloud-pharmacy-task`,
  /** The automated review's checks (terminology/codesystems/prescription-check.json). */
  check: `${base}/CodeSystem/prescription-check`,
  /** The delivery's tracking number (a courier's waybill), on the MedicationDispense. */
  tracking: `${base}/sid/cloud-pharmacy/delivery-tracking`,
  practitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
} as const;

export const reviewTaskCode = 'prescription-review';

export type ReviewStatus = 'pending' | 'software-prescreened' | 'approved' | 'rejected' | 'returned-for-revision';
/** The pharmacist's decisions, as a completed review Task's output and the request's review status. */
export const decisions: readonly ReviewStatus[] = ['approved', 'rejected', 'returned-for-revision'];
/** What a decision does to the request: approval makes it take effect, rejection ends it, a return holds it. */
export const statusAfter: Record<string, MedicationRequest['status']> = { approved: 'active', rejected: 'cancelled', 'returned-for-revision': 'on-hold' };

export const codeIn = (concept: CodeableConcept | undefined, system: string): string | undefined => concept?.coding?.find((c) => c.system === system)?.code;

/**
 * 'Patient/1' → ['Patient', '1'] for a literal reference, relative or absolute (the trailing type and id,
 * a version dropped: an absolute URL must not take a request out of the rules); undefined otherwise.
 */
export function splitReference(reference: Reference | undefined): [string, string] | undefined {
  const match = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9.-]{1,64})(?:\/_history\/[A-Za-z0-9.-]+)?$/.exec(reference?.reference ?? '');
  return match ? [match[1], match[2]] : undefined;
}

export async function readResource<T extends Resource>(tx: StoreOperations, reference: Reference | undefined, type: string): Promise<T | undefined> {
  const target = splitReference(reference);
  if (!target || target[0] !== type) {
    return undefined;
  }
  const version = await tx.readCurrent(type, target[1]);
  return version && !version.deleted ? (version.resource as T) : undefined;
}

/** The review extension's parts. */
export interface ReviewState {
  status?: string;
  task?: Reference;
  reviewer?: Reference;
  reviewedOn?: string;
}

export function reviewOf(request: MedicationRequest): ReviewState {
  const review = request.extension?.find((e) => e.url === urls.review);
  const part = (url: string): Extension | undefined => review?.extension?.find((e) => e.url === url);
  return {
    status: codeIn(part('status')?.valueCodeableConcept, urls.reviewStatus),
    task: part('task')?.valueReference,
    reviewer: part('reviewer')?.valueReference,
    reviewedOn: part('reviewedOn')?.valueDateTime,
  };
}

const statusDisplays: Record<ReviewStatus, string> = {
  pending: 'Pending review',
  'software-prescreened': 'Pre-screened by software',
  approved: 'Approved by pharmacist',
  rejected: 'Rejected',
  'returned-for-revision': 'Returned for revision',
};

/** The request with its review extension replaced. */
export function withReview(request: MedicationRequest, status: ReviewStatus, task: Reference, decided?: { reviewer?: Reference; reviewedOn: string }): MedicationRequest {
  const parts: Extension[] = [
    { url: 'status', valueCodeableConcept: { coding: [{ system: urls.reviewStatus, code: status, display: statusDisplays[status] }] } },
    { url: 'task', valueReference: { reference: task.reference } },
  ];
  if (decided?.reviewer) {
    parts.push({ url: 'reviewer', valueReference: { reference: decided.reviewer.reference } });
  }
  if (decided) {
    parts.push({ url: 'reviewedOn', valueDateTime: decided.reviewedOn });
  }
  const others = (request.extension ?? []).filter((e) => e.url !== urls.review);
  return { ...request, extension: [{ url: urls.review, extension: parts }, ...others] };
}

export function isCloudPharmacy(organization: Organization | undefined): boolean {
  return organization?.type?.some((t) => codeIn(t, urls.organizationType) === 'cloud-pharmacy') ?? false;
}

/** The cloud pharmacy a request is addressed to (its dispense request's performer), if it is one. */
export async function cloudPharmacyOf(tx: StoreOperations, request: MedicationRequest): Promise<Organization | undefined> {
  const organization = await readResource<Organization>(tx, request.dispenseRequest?.performer, 'Organization');
  return isCloudPharmacy(organization) ? organization : undefined;
}

export function isReviewTask(task: Resource | undefined): task is Task {
  return task?.resourceType === 'Task' && codeIn(task.code, urls.taskCode) === reviewTaskCode;
}

export function isPharmacistRoleOf(role: PractitionerRole | undefined, organization: string): boolean {
  return role?.active !== false && role?.organization?.reference === organization && (role?.code?.some((c) => codeIn(c, urls.practitionerRole) === 'pharmacist') ?? false);
}

/** The decision a completed review Task records in its output. */
export function decisionOf(task: Task): string | undefined {
  for (const output of task.output ?? []) {
    if (codeIn(output.type, urls.taskCode) === 'review-decision') {
      return codeIn(output.valueCodeableConcept, urls.reviewStatus);
    }
  }
  return undefined;
}

/** The review Task completed with the pharmacist's decision (and reason): what a pharmacist writes back. */
export function completedReview(task: Task, decision: string, reason?: string): Task {
  return {
    ...task,
    status: 'completed',
    ...(reason ? { statusReason: { text: reason } } : {}),
    output: [
      {
        type: { coding: [{ system: urls.taskCode, code: 'review-decision' }] },
        valueCodeableConcept: { coding: [{ system: urls.reviewStatus, code: decision }] },
      },
    ],
  };
}

// Plan filters for the workflow's own queries.
export const referenceFilter = (resourceType: string, code: string, target: string, id: string): Filter => ({
  kind: 'param',
  param: { resourceType, code, kind: 'reference' },
  anyOf: [{ type: 'reference', targetTypes: [target], id }],
});
export const tokenFilter = (resourceType: string, code: string, values: ValueCondition[]): Filter => ({ kind: 'param', param: { resourceType, code, kind: 'token' }, anyOf: values });
export const token = (code: string, system?: string): ValueCondition => ({ type: 'token', code, ...(system ? { system } : {}) });

export async function searchAll(tx: StoreOperations, resourceType: string, filters: Filter[], count = 200): Promise<ResourceVersion[]> {
  const page = await tx.search({ resourceType, filters, sort: [], count, total: 'none', include: [], revInclude: [] });
  return page.resources;
}
