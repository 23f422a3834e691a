// A generated CodeSystem of 10,000 concepts (100 groups of 99 items), each with an English display and
// a Chinese designation, for correctness at size. Group g holds items g-1 .. g-99; every 7th item is
// "diabetes" (糖尿病), and the rest "hypertension" (高血压).
import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';

export const generatedSystem = 'https://example.org/CodeSystem/generated';
export const generatedValueSet = 'https://example.org/ValueSet/generated';
export const groups = 100;
export const itemsPerGroup = 99;

export function generatedCodeSystem(): CodeSystem {
  const concept = Array.from({ length: groups }, (_, g) => ({
    code: `g${g}`,
    display: `Group ${g}`,
    designation: [{ language: 'zh-CN', value: `第${g}组` }],
    concept: Array.from({ length: itemsPerGroup }, (_, i) => {
      const diabetes = (i + 1) % 7 === 0;
      return {
        code: `g${g}-${i + 1}`,
        display: `${diabetes ? 'Diabetes' : 'Hypertension'} item ${g}-${i + 1}`,
        designation: [{ language: 'zh-CN', value: `${diabetes ? '2型糖尿病' : '原发性高血压'}条目${g}-${i + 1}` }],
      };
    }),
  }));
  return { resourceType: 'CodeSystem', url: generatedSystem, status: 'active', content: 'complete', hierarchyMeaning: 'is-a', concept };
}

export function generatedAllValueSet(): ValueSet {
  return { resourceType: 'ValueSet', url: generatedValueSet, status: 'active', compose: { include: [{ system: generatedSystem }] } };
}
