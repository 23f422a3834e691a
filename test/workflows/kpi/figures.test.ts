// The per-patient rules of the indicators: the age at the end of the period, the follow-ups the rule
// asks for a period's length, and the previous period.
import assert from 'node:assert/strict';
import { ageAt, previousPeriod, requiredFollowUps } from '../../../server/workflows/kpi/figures';
import { bloodPressureOnTarget } from '../../../server/workflows/kpi/indicators';

const utc = (date: string): number => Date.parse(`${date}T00:00:00Z`);

describe('indicator rules', () => {
  it('counts whole years, the birthday itself included', () => {
    assert.equal(ageAt(utc('1960-06-01'), utc('2025-05-31')), 64);
    assert.equal(ageAt(utc('1960-06-01'), utc('2025-06-01')), 65);
  });

  it('asks 4 follow-ups a year, in proportion for other lengths, at least 1', () => {
    assert.equal(requiredFollowUps({ low: utc('2025-01-01'), high: utc('2026-01-01') }), 4);
    assert.equal(requiredFollowUps({ low: utc('2025-01-01'), high: utc('2025-07-01') }), 2);
    assert.equal(requiredFollowUps({ low: utc('2025-01-01'), high: utc('2025-01-15') }), 1);
  });

  it('takes the previous period by calendar months when whole months, else by length', () => {
    // 2024 is a leap year: a year back is still 1 January, not 2 January.
    assert.deepEqual(previousPeriod({ low: utc('2025-01-01'), high: utc('2026-01-01') }), { low: utc('2024-01-01'), high: utc('2025-01-01') });
    assert.deepEqual(previousPeriod({ low: utc('2025-03-01'), high: utc('2025-06-01') }), { low: utc('2024-12-01'), high: utc('2025-03-01') });
    assert.deepEqual(previousPeriod({ low: utc('2025-01-10'), high: utc('2025-01-20') }), { low: utc('2024-12-31'), high: utc('2025-01-10') });
  });

  it('targets blood pressure below 140/90 under 65 and below 150/90 from 65', () => {
    assert.equal(bloodPressureOnTarget(64, 145, 85), false);
    assert.equal(bloodPressureOnTarget(65, 145, 85), true);
    assert.equal(bloodPressureOnTarget(80, 149, 90), false);
  });
});
