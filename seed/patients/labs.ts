// Laboratory reports from the patient's clinic laboratory, ready for mutual recognition: a yearly work-up
// (creatinine, LDL cholesterol, potassium; HbA1c for diabetes) at the first visit of each year, and a
// diabetic's mid-year HbA1c. A result carries its laboratory's external quality assessment status and,
// when the laboratory passed, the mark HR with its scope, so that a tertiary hospital can recognize it.
import type { DiagnosticReport, Extension, Observation, Resource } from '@medplum/fhirtypes';
import { clamp, concept, extensionUrl, localDateTime, minute, profileMeta, quantity, ref, round1, systems } from '../fhir';
import type { Clinic } from '../network/directory';
import type { Trend } from './follow-ups';
import type { PatientContext } from './patient-record';

interface LabItem {
  suffix: string;
  code: string;
  display: string;
  text: string;
  unit: string;
  unitDisplay: string;
  method: string;
  low: number;
  high: number;
  value: (context: PatientContext, trend: Trend, noise: () => number) => number;
}

const creatinine: LabItem = {
  suffix: 'crea',
  code: '14682-9',
  display: 'Creatinine [Moles/volume] in Serum or Plasma',
  text: '血肌酐',
  unit: 'umol/L',
  unitDisplay: 'µmol/L',
  method: '酶法',
  low: 57,
  high: 111,
  value: (c, _t, noise) => Math.round(clamp((c.male ? 82 : 63) + (c.age - 60) * 0.4 + noise() * (c.male ? 16 : 12), 35, 400)),
};

const ldl: LabItem = {
  suffix: 'ldl',
  code: '22748-8',
  display: 'Cholesterol in LDL [Moles/volume] in Serum or Plasma',
  text: '低密度脂蛋白胆固醇',
  unit: 'mmol/L',
  unitDisplay: 'mmol/L',
  method: '直接法',
  low: 0,
  high: 3.4,
  value: (_c, _t, noise) => round1(clamp(2.9 + noise() * 0.8, 1.0, 7.0)),
};

const potassium: LabItem = {
  suffix: 'k',
  code: '2823-3',
  display: 'Potassium [Moles/volume] in Serum or Plasma',
  text: '血钾',
  unit: 'mmol/L',
  unitDisplay: 'mmol/L',
  method: '离子选择电极法',
  low: 3.5,
  high: 5.3,
  value: (_c, _t, noise) => round1(clamp(4.2 + noise() * 0.35, 3.0, 6.0)),
};

/** HbA1c follows the patient's glucose (ADAG: mean glucose 1.59 x HbA1c - 2.59 mmol/L; fasting values run lower than the mean). */
const hba1c: LabItem = {
  suffix: 'a1c',
  code: '4548-4',
  display: 'Hemoglobin A1c/Hemoglobin.total in Blood',
  text: '糖化血红蛋白',
  unit: '%',
  unitDisplay: '%',
  method: '高效液相色谱法（HPLC）',
  low: 4.0,
  high: 6.0,
  value: (_c, trend, noise) => round1(clamp((trend.glucose + 2.59) / 1.59 + 0.8 + noise() * 0.4, 4.5, 15)),
};

const eqaDisplays: Record<Clinic['eqa'], string> = { passed: 'Passed', failed: 'Failed', 'not-assessed': 'Not assessed', expired: 'Expired' };
const scopeLabels: Record<Clinic['recognitionScope'], [string, string]> = {
  network: ['Network (medical alliance)', '青禾数字健共体HR'],
  city: ['City', '青禾市HR'],
  provincial: ['Provincial', '青禾省HR'],
  national: ['National', '全国HR'],
};

/** The eqa-status extension and, for a laboratory that passed, the mutual-recognition mark. */
function recognition(clinic: Clinic): Extension[] {
  const extensions: Extension[] = [{ url: extensionUrl('eqa-status'), valueCodeableConcept: concept(systems.eqaStatus, clinic.eqa, eqaDisplays[clinic.eqa]) }];
  if (clinic.eqa === 'passed') {
    const [display, label] = scopeLabels[clinic.recognitionScope];
    extensions.push({
      url: extensionUrl('mutual-recognition'),
      extension: [
        { url: 'mark', valueCode: 'HR' },
        { url: 'scope', valueCoding: { system: systems.recognitionScope, code: clinic.recognitionScope, display } },
        { url: 'label', valueString: label },
      ],
    });
  }
  return extensions;
}

export function laboratoryReports(context: PatientContext, labDays: { at: number; annual: boolean; trend: Trend }[]): Resource[] {
  const rng = context.stream('labs');
  const noise = (): number => rng.normal(0, 1);
  const { id: pid, clinic, team } = context;
  const resources: Resource[] = [];
  labDays.forEach(({ at, annual, trend }, n) => {
    const reportId = `${pid}-lab${n}`;
    // The specimen is drawn early on the visit's day (fasting); the result is issued a few hours later.
    const dayStart = at - (at % 86_400_000);
    const collected = localDateTime(dayStart + 7 * 3_600_000 + rng.int(30, 90) * minute);
    const issued = localDateTime(dayStart + 11 * 3_600_000 + rng.int(0, 150) * minute);
    const items = annual ? [creatinine, ldl, potassium, ...(context.diabetes ? [hba1c] : [])] : [hba1c];
    const extensions = recognition(clinic);
    const lab = ref('Organization', clinic.id, `${clinic.name}检验科`);
    const results: Observation[] = items.map((item) => {
      const unit = (value: number): ReturnType<typeof quantity> => quantity(value, item.unit, item.unitDisplay);
      const range = item.low > 0 ? { low: unit(item.low), high: unit(item.high) } : { high: unit(item.high) };
      return {
        resourceType: 'Observation',
        id: `${reportId}-${item.suffix}`,
        meta: profileMeta(item === hba1c ? 'dhc-hba1c' : 'dhc-lab-result'),
        extension: extensions,
        status: 'final',
        category: [concept(systems.observationCategory, 'laboratory', 'Laboratory')],
        code: concept(systems.loinc, item.code, item.display, item.text),
        subject: ref('Patient', pid),
        effectiveDateTime: collected,
        issued,
        performer: [lab],
        valueQuantity: unit(item.value(context, trend, noise)),
        method: { text: item.method },
        referenceRange: [range],
      };
    });
    const report: DiagnosticReport = {
      resourceType: 'DiagnosticReport',
      id: reportId,
      meta: profileMeta('dhc-lab-report'),
      extension: extensions,
      status: 'final',
      category: [concept(systems.v2_0074, 'LAB', 'Laboratory')],
      code: { text: annual ? '慢病年度检验（肾功能、血脂、电解质）' : '糖化血红蛋白' },
      subject: ref('Patient', pid),
      effectiveDateTime: collected,
      issued,
      performer: [lab],
      resultsInterpreter: [ref('PractitionerRole', team.generalPractitioner.roleId)],
      result: results.map((r) => ref('Observation', r.id!)),
    };
    resources.push(...results, report);
  });
  return resources;
}
