// One Bundle entry's request as the FhirRequest the core dispatches, from entry.request and
// entry.resource (https://hl7.org/fhir/R4/bundle-definitions.html#Bundle.entry.request).
import type { Binary, BundleEntry } from '@medplum/fhirtypes';
import { badRequest, shown } from '../../outcomes';
import type { Caller } from '../pipeline/caller';
import type { FhirRequest } from '../request';

const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH'] as const;
export type EntryMethod = (typeof methods)[number];

export interface EntryRequest {
  index: number;
  fullUrl?: string;
  method: EntryMethod;
  /** The request as dispatched; a transaction may still change its path, body and assignedId. */
  request: FhirRequest;
}

/** Where an entry sits, for messages: 'Bundle.entry[3] (urn:uuid:...)'. */
export function describeEntry(entry: { index: number; fullUrl?: string }): string {
  return `Bundle.entry[${entry.index}]${entry.fullUrl ? ` (${entry.fullUrl})` : ''}`;
}

/** Request headers that apply to every entry: the client's Prefer. */
export type SharedHeaders = Record<string, string | undefined>;

/** An entry's request, made by its Bundle's caller. */
export function parseEntryRequest(entry: BundleEntry, index: number, baseUrl: string, shared: SharedHeaders, caller: Caller): EntryRequest {
  const where = `Bundle.entry[${index}]`;
  if (typeof entry !== 'object' || entry === null) {
    throw badRequest(`${where} must be an object`, where);
  }
  const { request } = entry;
  if (!request || typeof request !== 'object') {
    throw badRequest(`${where} needs a request (method and url)`, `${where}.request`);
  }
  const method = String(request.method ?? '').toUpperCase() as EntryMethod;
  if (!methods.includes(method)) {
    throw badRequest(`${where}.request.method must be one of ${methods.join(', ')}, got '${shown(request.method)}'`, `${where}.request.method`);
  }
  if (typeof request.url !== 'string' || request.url.trim() === '') {
    throw badRequest(`${where}.request.url is required`, `${where}.request.url`);
  }
  const [rawPath, search = ''] = relativeUrl(request.url.trim(), baseUrl).split(/\?(.*)/s);
  const path = rawPath.replace(/^\/+|\/+$/g, '');
  if (path === '') {
    throw badRequest(`${where}.request.url must name a resource type: an entry cannot be a Bundle of its own`, `${where}.request.url`);
  }
  const headers: Record<string, string | undefined> = { ...shared };
  setHeader(headers, 'if-match', request.ifMatch);
  setHeader(headers, 'if-none-match', request.ifNoneMatch);
  setHeader(headers, 'if-none-exist', request.ifNoneExist);
  setHeader(headers, 'if-modified-since', request.ifModifiedSince);
  const fhirRequest: FhirRequest = { method, path, query: new URLSearchParams(search), headers, caller };
  if (method === 'POST' || method === 'PUT') {
    if (!entry.resource) {
      throw badRequest(`${where} is a ${method} and needs a resource`, `${where}.resource`);
    }
    // The Bundle was parsed for this request alone, so its entries' resources are ours to rewrite.
    fhirRequest.body = entry.resource;
  } else if (method === 'PATCH') {
    const patch = patchBody(entry, where);
    fhirRequest.body = patch.body;
    headers['content-type'] = patch.contentType;
  }
  const fullUrl = typeof entry.fullUrl === 'string' && entry.fullUrl !== '' ? entry.fullUrl : undefined;
  return { index, fullUrl, method, request: fhirRequest };
}

/** An absolute URL on this server's base becomes relative; other absolute URLs are not ours to serve. */
function relativeUrl(url: string, baseUrl: string): string {
  if (url.startsWith(baseUrl + '/')) {
    return url.slice(baseUrl.length + 1);
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    throw badRequest(`'${url}' is not on this server (${baseUrl}): entry URLs are relative to the base`);
  }
  return url;
}

/**
 * A PATCH entry carries a FHIRPath Patch (Parameters) or a JSON Patch inside a Binary, as the spec
 * says (http.html#patch): the Binary's data is the base64 of the JSON Patch document.
 */
function patchBody(entry: BundleEntry, where: string): { body: unknown; contentType: string } {
  const resource = entry.resource;
  if (resource?.resourceType === 'Parameters') {
    return { body: resource, contentType: 'application/fhir+json' };
  }
  if (resource?.resourceType === 'Binary') {
    const binary = resource as Binary;
    if (binary.contentType !== 'application/json-patch+json' || typeof binary.data !== 'string') {
      throw badRequest(`${where} is a PATCH whose Binary must have contentType application/json-patch+json and data`, `${where}.resource`);
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(binary.data, 'base64').toString('utf8'));
    } catch {
      throw badRequest(`${where}: the Binary's data is not base64 of a JSON Patch document`, `${where}.resource.data`);
    }
    return { body, contentType: 'application/json-patch+json' };
  }
  throw badRequest(`${where} is a PATCH and needs a Parameters (FHIRPath Patch) or Binary (JSON Patch) resource`, `${where}.resource`);
}

function setHeader(headers: Record<string, string | undefined>, name: string, value: string | undefined): void {
  if (typeof value === 'string' && value !== '') {
    headers[name] = value;
  }
}
