import { strict as assert } from 'node:assert';
import { dateApproximation, rangeBounds } from '../../server/search/range-bounds';
import { parseDateRange } from '../../server/search/date-value';
import { FhirError } from '../../server/outcomes';

describe('search date values', () => {
  const ms = (iso: string): number => Date.parse(iso);

  it('turns each precision into the range it covers', () => {
    assert.deepEqual(parseDateRange('2024', 'd'), { low: ms('2024-01-01T00:00:00Z'), high: ms('2025-01-01T00:00:00Z') });
    assert.deepEqual(parseDateRange('2024-02', 'd'), { low: ms('2024-02-01T00:00:00Z'), high: ms('2024-03-01T00:00:00Z') });
    assert.deepEqual(parseDateRange('2024-02-29', 'd'), { low: ms('2024-02-29T00:00:00Z'), high: ms('2024-03-01T00:00:00Z') });
    assert.deepEqual(parseDateRange('2024-02-29T10:15', 'd'), { low: ms('2024-02-29T10:15:00Z'), high: ms('2024-02-29T10:16:00Z') });
    assert.deepEqual(parseDateRange('2024-02-29T10:15:30+08:00', 'd'), {
      low: ms('2024-02-29T02:15:30Z'),
      high: ms('2024-02-29T02:15:31Z'),
    });
    assert.deepEqual(parseDateRange('2024-02-29T10:15:30.25Z', 'd'), {
      low: ms('2024-02-29T10:15:30.250Z'),
      high: ms('2024-02-29T10:15:30.251Z'),
    });
  });

  it('refuses dates that do not exist or are not FHIR dates, naming the parameter', () => {
    for (const bad of ['2023-02-29', '2024-13', '24-01-01', '2024-01-01T25:00', 'today']) {
      assert.throws(
        () => parseDateRange(bad, 'birthdate'),
        (err: unknown) => err instanceof FhirError && err.status === 400 && err.outcome.issue[0].expression?.[0] === 'birthdate',
        bad
      );
    }
  });

  it('expresses each prefix over the stored range', () => {
    const day = parseDateRange('2024-03-05', 'd');
    const test = (prefix: Parameters<typeof rangeBounds>[0]['prefix'], low: string, high: string): boolean =>
      rangeBounds({ prefix, ...day }, dateApproximation()).some((all) =>
        all.every((b) => {
          const v = b.field === 'low' ? ms(low) : ms(high);
          return b.op === '<' ? v < b.value : b.op === '<=' ? v <= b.value : b.op === '>' ? v > b.value : v >= b.value;
        })
      );
    const noon = ['2024-03-05T12:00:00Z', '2024-03-05T12:00:01Z'] as const;
    const nextDay = ['2024-03-06T12:00:00Z', '2024-03-06T12:00:01Z'] as const;
    const spanning = ['2024-03-04T00:00:00Z', '2024-03-07T00:00:00Z'] as const;
    assert.equal(test('eq', ...noon), true);
    assert.equal(test('eq', ...spanning), false);
    assert.equal(test('ne', ...spanning), true);
    assert.equal(test('gt', ...nextDay), true);
    assert.equal(test('gt', ...noon), false);
    assert.equal(test('ge', ...noon), true);
    assert.equal(test('lt', ...noon), false);
    assert.equal(test('le', ...noon), true);
    assert.equal(test('sa', ...nextDay), true);
    assert.equal(test('eb', ...nextDay), false);
    assert.equal(test('ap', ...noon), true);
  });
});
