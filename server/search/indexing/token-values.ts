// Token index values for each FHIR type a token parameter can reach. https://hl7.org/fhir/R4/search.html#token
// ContactPoint is matched on its value only (the R4 table gives it no system); Identifier also yields the
// type coding for :of-type.
import type { TypedValue } from '@medplum/core';
import type { CodeableConcept, Coding, ContactPoint, Identifier } from '@medplum/fhirtypes';
import { normalizeSearchString } from './normalize-string';
import type { TokenValue } from './types';

export function addTokenValues(values: TypedValue[], out: TokenValue[]): void {
  for (const { type, value } of values) {
    switch (typeof value) {
      case 'string':
        if (value) {
          out.push({ code: value });
        }
        continue;
      case 'boolean':
      case 'number':
        out.push({ code: String(value) });
        continue;
      case 'object':
        break;
      default:
        continue;
    }
    if (value === null) {
      continue;
    }
    switch (type) {
      case 'CodeableConcept':
        addCodeableConcept(value as CodeableConcept, out);
        break;
      case 'Coding':
        addCoding(value as Coding, out);
        break;
      case 'Identifier':
        addIdentifier(value as Identifier, out);
        break;
      case 'ContactPoint':
        addContactPoint(value as ContactPoint, out);
        break;
      default:
        // An untyped object (e.g. from an extension without schema): recognise it by shape.
        if ('coding' in value || 'text' in value) {
          addCodeableConcept(value as CodeableConcept, out);
        } else if ('code' in value) {
          addCoding(value as Coding, out);
        }
    }
  }
}

function addCodeableConcept(concept: CodeableConcept, out: TokenValue[]): void {
  if (concept.coding) {
    for (const coding of concept.coding) {
      addCoding(coding, out);
    }
  }
  const text = textOf(concept.text);
  if (text) {
    out.push({ text });
  }
}

function addCoding(coding: Coding, out: TokenValue[]): void {
  if (coding.system === undefined && coding.code === undefined) {
    const text = textOf(coding.display);
    if (text) {
      out.push({ text });
    }
    return;
  }
  const token: TokenValue = {};
  if (coding.system !== undefined) token.system = coding.system;
  if (coding.code !== undefined) token.code = coding.code;
  const text = textOf(coding.display);
  if (text) token.text = text;
  out.push(token);
}

function addIdentifier(identifier: Identifier, out: TokenValue[]): void {
  if (identifier.system === undefined && identifier.value === undefined) {
    return;
  }
  const token: TokenValue = {};
  if (identifier.system !== undefined) token.system = identifier.system;
  if (identifier.value !== undefined) token.code = identifier.value;
  const text = textOf(identifier.type?.text);
  if (text) token.text = text;
  out.push(token);
  for (const typeCoding of identifier.type?.coding ?? []) {
    if (typeCoding.system === undefined && typeCoding.code === undefined) {
      continue;
    }
    const typed: TokenValue = { ...token };
    if (typeCoding.system !== undefined) typed.typeSystem = typeCoding.system;
    if (typeCoding.code !== undefined) typed.typeCode = typeCoding.code;
    out.push(typed);
  }
}

function addContactPoint(contactPoint: ContactPoint, out: TokenValue[]): void {
  if (contactPoint.value) {
    out.push({ code: contactPoint.value });
  }
}

function textOf(text: string | undefined): string | undefined {
  return text ? normalizeSearchString(text) || undefined : undefined;
}
