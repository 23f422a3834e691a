// String index values: each string, and each part of a HumanName or Address on its own, as R4 says for
// names and addresses. https://hl7.org/fhir/R4/search.html#string
import type { TypedValue } from '@medplum/core';
import type { Address, HumanName } from '@medplum/fhirtypes';
import { normalizeSearchString } from './normalize-string';
import type { StringValue } from './types';

export function addStringValues(values: TypedValue[], out: StringValue[]): void {
  for (const { type, value } of values) {
    if (typeof value === 'string') {
      add(out, value);
    } else if (type === 'HumanName') {
      const name = value as HumanName;
      add(out, name.text);
      add(out, name.family);
      addAll(out, name.given);
      addAll(out, name.prefix);
      addAll(out, name.suffix);
    } else if (type === 'Address') {
      const address = value as Address;
      add(out, address.text);
      addAll(out, address.line);
      add(out, address.city);
      add(out, address.district);
      add(out, address.state);
      add(out, address.postalCode);
      add(out, address.country);
    }
  }
}

function addAll(out: StringValue[], parts: string[] | undefined): void {
  if (parts) {
    for (const part of parts) {
      add(out, part);
    }
  }
}

function add(out: StringValue[], text: string | undefined): void {
  if (typeof text === 'string') {
    const value = normalizeSearchString(text);
    if (value) {
      out.push({ value, exact: text });
    }
  }
}
