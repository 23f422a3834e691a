// A number search value as the range of its implicit precision: 100 -> [99.5, 100.5), 1.50 -> [1.495, 1.505),
// 1e2 -> [50, 150) (https://hl7.org/fhir/R4/search.html#number).
import { badRequest } from '../../outcomes';

const numberPattern = /^[+-]?(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

export function parseNumberRange(text: string, parameter: string): { value: number; low: number; high: number } {
  const m = numberPattern.exec(text);
  if (!m) {
    throw badRequest(`${parameter}: '${text}' is not a number`, parameter);
  }
  const value = Number(text);
  const decimals = m[2]?.length ?? 0;
  const exponent = m[3] ? Number(m[3]) : 0;
  const halfStep = 0.5 * 10 ** (exponent - decimals);
  return { value, low: value - halfStep, high: value + halfStep };
}
