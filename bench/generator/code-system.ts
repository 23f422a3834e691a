// A generated CodeSystem of many concepts with English displays and Chinese designations, and the
// ValueSet of all of it: the terminology workload's data (an $expand text filter over 10,000 concepts).
import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import { SeededRandom } from '../../seed/random';

const englishWords = ['serum', 'plasma', 'urine', 'capillary', 'glucose', 'sodium', 'potassium', 'creatinine', 'albumin',
  'cholesterol', 'triglyceride', 'hemoglobin', 'platelet', 'insulin', 'cortisol', 'calcium', 'ferritin', 'bilirubin',
  'protein', 'lipase', 'amylase', 'urea', 'fasting', 'random', 'panel', 'ratio', 'mass', 'moles', 'volume', 'rate'];
const chineseWords = ['血清', '血浆', '尿液', '毛细血管', '葡萄糖', '钠', '钾', '肌酐', '白蛋白', '胆固醇', '甘油三酯', '血红蛋白',
  '血小板', '胰岛素', '皮质醇', '钙', '铁蛋白', '胆红素', '蛋白', '脂肪酶', '淀粉酶', '尿素', '空腹', '随机', '组合', '比值',
  '质量', '摩尔', '体积', '速率'];

export const generatedCodeSystemUrl = 'https://fhir.dhc.example/CodeSystem/bench-generated-lab';
export const generatedValueSetUrl = 'https://fhir.dhc.example/ValueSet/bench-generated-lab';

/** Filter texts the workload rotates through: single words and pairs, in both languages. */
export const expandFilters = ['glucose', 'serum creat', 'chol', 'plasma potassium', '葡萄糖', '肌酐', '血清 钠', '胆固醇', 'ratio', '尿液'];

export function generatedCodeSystem(concepts: number, seed: number): CodeSystem {
  const random = new SeededRandom(seed);
  return {
    resourceType: 'CodeSystem',
    id: 'bench-generated-lab',
    url: generatedCodeSystemUrl,
    version: '1',
    name: 'BenchGeneratedLab',
    status: 'active',
    content: 'complete',
    count: concepts,
    concept: Array.from({ length: concepts }, (_, i) => {
      const picks = [random.int(0, 29), random.int(0, 29), random.int(0, 29)];
      return {
        code: `G${String(i).padStart(5, '0')}`,
        display: `${picks.map((p) => englishWords[p]).join(' ')} ${i}`,
        designation: [{ language: 'zh-CN', value: `${picks.map((p) => chineseWords[p]).join('')}${i}` }],
      };
    }),
  };
}

export function generatedValueSet(): ValueSet {
  return {
    resourceType: 'ValueSet',
    id: 'bench-generated-lab',
    url: generatedValueSetUrl,
    version: '1',
    name: 'BenchGeneratedLab',
    status: 'active',
    compose: { include: [{ system: generatedCodeSystemUrl }] },
  };
}
