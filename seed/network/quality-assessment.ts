// The quality-control centre's records of the network laboratories' external quality assessment
// (室间质量评价), one VerificationResult per laboratory, item and yearly round: what mutual recognition
// trusts (server/workflows/recognition/quality-assessment.ts), rather than the eqa-status and HR mark a
// result declares. The records follow each clinic laboratory's status in the directory, so that the seed
// holds refusals: a laboratory that failed has failed rounds, one whose pass expired has no 2025 round,
// one never assessed has none, and a few laboratories that passed miss the 2025 round of one item
// (their results still carry the HR mark: the mark is not what recognition reads).
import type { Organization, Reference, Resource, VerificationResult } from '@medplum/fhirtypes';
import { recognitionRuleSet } from '../../server/workflows/recognition/rule-set';
import { concept, ref, systems } from '../fhir';
import { SeededRandom, streamSeed } from '../random';
import type { NetworkDirectory } from './directory';

const recognitionSystem = 'https://fhir.dhc.example/CodeSystem/recognition';
/** The rounds whose passes cover the generated years of results (case-mix.ts: 2024 and 2025). */
const rounds = [2024, 2025] as const;

type RoundOutcome = 'validated' | 'val-fail' | 'none';

/**
 * The records, for the network's clinic and hospital laboratories. The city's clinical laboratory
 * quality-control centre is hosted by a tertiary hospital, as such centres usually are: it signs as that
 * hospital's Organization.
 */
export function qualityAssessmentResources(network: NetworkDirectory): Resource[] {
  const rng = new SeededRandom(streamSeed(2026, 'quality-assessment'));
  const items = [...new Set(recognitionRuleSet.items.map((i) => i.qualityAssessmentItem))];
  const displays = new Map(recognitionRuleSet.items.map((i) => [i.loinc, i.display]));
  const host = network.hospitals.find((h) => h.level === 'tertiary') ?? network.hospitals[0];
  const centre = ref('Organization', host.id, `青禾市临床检验质量控制中心（${host.name}）`);
  const resources: Resource[] = [];
  const laboratories = [
    ...network.hospitals.map((h) => ({ id: h.id, name: h.name, outcome: (): RoundOutcome => 'validated' as const })),
    ...network.clinics.map((c) => {
      // A clinic that passed misses the 2025 round of one item now and then; one that failed fails most items.
      const missing = c.eqa === 'passed' && rng.chance(0.1) ? rng.pick(items) : undefined;
      const failedItems = new Set(c.eqa === 'failed' ? items.filter(() => rng.chance(0.7)) : []);
      if (c.eqa === 'failed' && failedItems.size === 0) {
        failedItems.add(rng.pick(items));
      }
      const outcome = (item: string, year: number): RoundOutcome => {
        switch (c.eqa) {
          case 'passed':
            return year === 2025 && item === missing ? 'none' : 'validated';
          case 'failed':
            return failedItems.has(item) ? 'val-fail' : 'validated';
          case 'expired':
            return year === 2024 ? 'validated' : 'none';
          case 'not-assessed':
            return 'none';
        }
      };
      return { id: c.id, name: c.name, outcome };
    }),
  ];
  for (const lab of laboratories) {
    for (const item of items) {
      for (const year of rounds) {
        const status = lab.outcome(item, year);
        if (status !== 'none') {
          resources.push(verificationResult(lab, item, displays.get(item) ?? item, year, status, centre, rng));
        }
      }
    }
  }
  return resources;
}

function verificationResult(
  lab: { id: string; name: string },
  item: string,
  display: string,
  year: number,
  status: 'validated' | 'val-fail',
  centre: Reference<Organization>,
  rng: SeededRandom
): VerificationResult {
  // The round is assessed in December and its pass holds for the next calendar year.
  const assessed = `${year - 1}-12-${String(rng.int(1, 20)).padStart(2, '0')}`;
  return {
    resourceType: 'VerificationResult',
    id: `eqa-${lab.id}-${item}-${year}`,
    target: [ref('Organization', lab.id, `${lab.name}检验科`)],
    need: concept('http://terminology.hl7.org/CodeSystem/need', 'periodic', 'Periodic'),
    status,
    statusDate: `${assessed}T17:00:00+08:00`,
    validationType: concept('http://terminology.hl7.org/CodeSystem/verificationresult-validation-type', 'primary', 'Primary Source'),
    validationProcess: [
      concept(recognitionSystem, 'external-quality-assessment', 'External quality assessment', '室间质量评价'),
      concept(systems.loinc, item, display),
    ],
    frequency: { repeat: { frequency: 1, period: 1, periodUnit: 'a' } },
    lastPerformed: `${assessed}T17:00:00+08:00`,
    nextScheduled: `${year + 1}-01-01`,
    validator: [{ organization: centre }],
  };
}
