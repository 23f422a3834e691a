// The formulary and the interaction table as the review reads them: flattened from the shipped
// CodeSystems (terminology/codesystems/formulary.json, drug-interaction.json), read through the write's
// transaction and kept until the stored CodeSystem's version changes.
import type { CodeSystem, CodeSystemConcept, CodeSystemConceptProperty } from '@medplum/fhirtypes';
import type { StoreOperations } from '../../store/port';

export interface FormularyProduct {
  code: string;
  display?: string;
  generic: string;
  drugClass: string;
  /** The product's ancestors (generic name, class, therapeutic group), for allergies and duplicates. */
  ancestors: string[];
  atc?: string;
  strength?: string;
  route?: string;
  dailyDoseMin?: number;
  dailyDoseMax?: number;
  doseUnit?: string;
  longPrescriptionAllowed: boolean;
  excludedClass?: string;
}

export interface Interaction {
  code: string;
  display?: string;
  agents: [string, string];
  severity: 'high' | 'moderate' | 'low';
  source?: string;
}

export interface PharmacyTerminology {
  products: ReadonlyMap<string, FormularyProduct>;
  /** Every formulary code (abstract ones included), for allergies coded at any level. */
  codes: ReadonlySet<string>;
  interactions: readonly Interaction[];
}

type Property = CodeSystemConceptProperty;
const valueOf = (properties: Property[] | undefined, code: string): Property | undefined => properties?.find((p) => p.code === code);

function flattenFormulary(system: CodeSystem): { products: Map<string, FormularyProduct>; codes: Set<string> } {
  const products = new Map<string, FormularyProduct>();
  const codes = new Set<string>();
  const walk = (concepts: CodeSystemConcept[] | undefined, ancestors: string[]): void => {
    for (const concept of concepts ?? []) {
      codes.add(concept.code as string);
      const p = concept.property;
      if (!valueOf(p, 'notSelectable')?.valueBoolean) {
        products.set(concept.code as string, {
          code: concept.code as string,
          display: concept.display,
          generic: valueOf(p, 'genericName')?.valueCode ?? ancestors[0],
          drugClass: valueOf(p, 'drugClass')?.valueCode ?? ancestors[1],
          ancestors,
          atc: valueOf(p, 'atc')?.valueCoding?.code,
          strength: valueOf(p, 'strength')?.valueString,
          route: valueOf(p, 'route')?.valueCoding?.code,
          dailyDoseMin: valueOf(p, 'dailyDoseMin')?.valueDecimal,
          dailyDoseMax: valueOf(p, 'dailyDoseMax')?.valueDecimal,
          doseUnit: valueOf(p, 'doseUnit')?.valueCoding?.code,
          longPrescriptionAllowed: valueOf(p, 'longPrescriptionAllowed')?.valueBoolean ?? false,
          excludedClass: valueOf(p, 'excludedClass')?.valueCoding?.code,
        });
      }
      walk(concept.concept, [concept.code as string, ...ancestors]);
    }
  };
  walk(system.concept, []);
  return { products, codes };
}

function flattenInteractions(system: CodeSystem | undefined): Interaction[] {
  return (system?.concept ?? []).flatMap((concept) => {
    const agents = (concept.property ?? []).filter((p) => p.code === 'agent').map((p) => p.valueCoding?.code as string);
    const severity = valueOf(concept.property, 'severity')?.valueCoding?.code as Interaction['severity'];
    return agents.length === 2 ? [{ code: concept.code as string, display: concept.display, agents: [agents[0], agents[1]] as [string, string], severity, source: valueOf(concept.property, 'source')?.valueString }] : [];
  });
}

let cached: { key: string; value: PharmacyTerminology; checked: number } | undefined;
/**
 * How long the flattened formulary is used before the stored CodeSystems are read again. Reading them
 * means parsing a few hundred kilobytes of JSON, too much for every prescription written (a bulk load
 * writes thousands a second); the files own them (server/integrity/owned-content.ts), so they change
 * only when an administrator reloads the content, and a second's delay in seeing that is harmless.
 */
const recheckAfterMs = 1000;

/** The formulary and the interactions as stored (at most a second ago); undefined when no formulary is loaded. */
export async function pharmacyTerminology(tx: StoreOperations): Promise<PharmacyTerminology | undefined> {
  if (cached && performance.now() - cached.checked < recheckAfterMs) {
    return cached.value;
  }
  const formulary = await tx.readCurrent('CodeSystem', 'formulary');
  if (!formulary?.resource || formulary.deleted) {
    cached = undefined;
    return undefined;
  }
  const interactions = await tx.readCurrent('CodeSystem', 'drug-interaction');
  const key = `${formulary.versionId}/${formulary.lastUpdated}|${interactions?.versionId}/${interactions?.lastUpdated}`;
  if (cached?.key !== key) {
    const { products, codes } = flattenFormulary(formulary.resource as CodeSystem);
    cached = { key, checked: 0, value: { products, codes, interactions: flattenInteractions(interactions?.deleted ? undefined : (interactions?.resource as CodeSystem | undefined)) } };
  }
  cached.checked = performance.now();
  return cached.value;
}

/** The drug codes a product answers to, itself first: for matching interactions, allergies and duplicates. */
export const drugCodes = (product: FormularyProduct): string[] => [product.code, ...product.ancestors];
