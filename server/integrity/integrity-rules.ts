// The network's integrity rules, as write rules of the request pipeline, each on by default and
// switched off by name (FHIR_RULES_OFF). Unique business identifiers are enforced by the store itself
// (see SearchParameterDef.unique), switched by the same setting. docs/integrity.md describes them.
import type { WriteRule } from '../fhir/pipeline/write-rules';
import { deleteReferenced, deleteReferencedRule } from './delete-referenced';
import { identifierCheckCharacters, identifierCheckRule } from './identifier-check';
import { ContentOwnership, ownedContent, ownedContentRule } from './owned-content';
import { referenceTargetRule, referenceTargetsExist } from './reference-targets';

/** Enforced by the store through the search registry, not a write rule of its own. */
export const uniqueIdentifiersRule = 'unique-identifiers';

/** Every rule name FHIR_RULES_OFF accepts. */
export const integrityRuleNames = [referenceTargetRule, deleteReferencedRule, uniqueIdentifiersRule, identifierCheckRule, ownedContentRule] as const;

export interface IntegrityOptions {
  baseUrl: string;
  /** What the content files own; empty when nothing was loaded from files. */
  ownership?: ContentOwnership;
  /** Rule names switched off. */
  off?: ReadonlySet<string>;
}

export function integrityRules({ baseUrl, ownership = new ContentOwnership(), off = new Set() }: IntegrityOptions): WriteRule[] {
  const rules: WriteRule[] = [ownedContent(ownership), identifierCheckCharacters, referenceTargetsExist(baseUrl), deleteReferenced];
  return rules.filter((rule) => !off.has(rule.name));
}
