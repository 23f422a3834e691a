// What the profile walker asks of one element's JSON value: emptiness, fixed and pattern values, and
// which type a choice key or a resource-typed element names.
import { deepEquals, deepIncludes, type InternalSchemaElement, type TypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';

/** An object holding nothing but an id: no value and no children (ele-1). */
export function onlyId(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'id';
}

/** Compares type and value only: crawled values also carry their path. */
export function matchesSpecifiedValue(value: TypedValue | TypedValue[], element: InternalSchemaElement): boolean {
  if (!element.pattern && !element.fixed) {
    return true;
  }
  const plain = Array.isArray(value) ? value.map((v) => ({ type: v.type, value: v.value })) : { type: value.type, value: value.value };
  return (!element.pattern || deepIncludes(plain, element.pattern)) && (!element.fixed || deepEquals(plain, element.fixed));
}

/** The fixed or pattern value, shortened for a message. */
export function describeSpecified(element: InternalSchemaElement): string {
  const specified = element.fixed ?? element.pattern;
  const text = JSON.stringify(specified?.value);
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** The type a JSON key names for a choice element (valuePeriod, value -> Period), if it is one of its keys. */
export function choiceSuffix(key: string, base: string): string | undefined {
  return key.length > base.length && key.startsWith(base) && /[A-Z]/.test(key[base.length]) ? key.slice(base.length) : undefined;
}

/** A value's type: the element's, or for an element of any resource (contained, entry.resource) the resource's own. */
export function typeOfValue(type: string, value: unknown): string {
  if (type === 'Resource' && value && typeof value === 'object' && typeof (value as Resource).resourceType === 'string') {
    return (value as Resource).resourceType;
  }
  return type;
}
