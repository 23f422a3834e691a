// Rule 'identifier-check-characters': every Identifier with the resident ID system or the unified social
// credit code system, anywhere in a resource (contained resources and Reference.identifier too), must
// carry a valid number with its check character, whether or not the resource claims a profile. A
// mistyped digit would otherwise link records to the wrong person or institution.
import { ruleViolation, type WriteRule } from '../fhir/pipeline/write-rules';
import { isValidResidentId, isValidUscc, residentIdSystem, usccSystem } from './check-characters';

export const identifierCheckRule = 'identifier-check-characters';

const checks: Record<string, { valid: (value: string) => boolean; name: string }> = {
  [residentIdSystem]: { valid: isValidResidentId, name: 'resident ID card number (GB 11643: 17 digits and a check character)' },
  [usccSystem]: { valid: isValidUscc, name: 'unified social credit code (GB 32100: 18 characters ending in a check character)' },
};

export const identifierCheckCharacters: WriteRule = {
  name: identifierCheckRule,
  async check(write) {
    if (write.resource) {
      visit(write.resource, write.resourceType);
    }
  },
};

function visit(value: unknown, path: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => visit(item, `${path}[${i}]`));
    return;
  }
  if (typeof value !== 'object' || value === null) {
    return;
  }
  const object = value as Record<string, unknown>;
  const check = typeof object.system === 'string' ? checks[object.system] : undefined;
  if (check && typeof object.value === 'string' && !check.valid(object.value)) {
    // The value itself is left out of the message: identifier values are personal data.
    throw ruleViolation(identifierCheckRule, `${path}.value is not a valid ${check.name}`, `${path}.value`);
  }
  for (const [key, child] of Object.entries(object)) {
    if (typeof child === 'object' && child !== null) {
      visit(child, `${path}.${key}`);
    }
  }
}
