// The cohort aggregation (../cohort-port.ts) as MongoDB aggregation pipelines over the current documents'
// index entries (`idx`, documents.ts): one pipeline for the population, one for its patients' documents,
// one per count and one per latest (sorted and grouped per patient), merged per patient by `cohortRows`.
// The pipelines are plain data, tested with mingo against fixture documents (test/store/mongo).
import type { Document } from 'mongodb';
import type { CodedResources, CohortLatest, CohortLatestValue, CohortQuery, CohortRow, IndexedParam, InstantPeriod, TokenCodes } from '../cohort-port';
import { resourceKey } from './documents';

/** Runs a pipeline on the current-documents collection. */
export type RunPipeline = (pipeline: Document[]) => Promise<Document[]>;

export async function cohortRows(run: RunPipeline, query: CohortQuery): Promise<CohortRow[]> {
  const members = query.patients && new Set(query.patients);
  const populationIds = (await run(populationPipeline(query.population))).map((d) => String(d._id)).filter((id) => !members || members.has(id));
  const patients = await run(patientsPipeline(query, populationIds));
  const ids = patients.map((p) => String(p.id));
  const rows = new Map<string, CohortRow>();
  for (const patient of patients.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const row: CohortRow = { patientId: String(patient.id), counts: {}, latest: {} };
    if (typeof patient.grp === 'string') {
      row.group = patient.grp;
    }
    if (typeof patient.birth === 'number') {
      row.birthDate = patient.birth;
    }
    query.counts.forEach((count) => (row.counts[count.name] = 0));
    rows.set(row.patientId, row);
  }
  for (const count of query.counts) {
    for (const d of await run(countPipeline(count.source, count.dateParam, count.period, ids))) {
      const row = rows.get(String(d._id));
      if (row) {
        row.counts[count.name] = d.n as number;
      }
    }
  }
  for (const latest of query.latest) {
    for (const d of await run(latestPipeline(latest, ids))) {
      const row = rows.get(String(d._id));
      if (row) {
        row.latest[latest.name] = latestValue(latest, d);
      }
    }
  }
  return [...rows.values()];
}

const indexField: Record<IndexedParam['type'], string> = { token: 'tok', date: 'date', quantity: 'qty', string: 'str' };

/** Documents with one of the codes in the token parameter. */
function hasCode({ param, codes }: TokenCodes): Document {
  return { 'idx.tok': { $elemMatch: { p: param, $or: codes.length ? codes.map((c) => ({ s: c.system, c: c.code })) : [{ _never: true }] } } };
}

/** Documents of the source type having one of its codes and passing its tests (as cohort-sql.ts reads them). */
function codedMatch(source: CodedResources): Document {
  const tests: Document[] = [
    ...(source.require ?? []).map((test) =>
      test.orWithout?.length ? { $or: [hasCode(test.anyOf), { $nor: test.orWithout.map(({ param, type }) => ({ [`idx.${indexField[type]}.p`]: param })) }] } : hasCode(test.anyOf)
    ),
    ...(source.exclude?.length ? [{ $nor: source.exclude.map(hasCode) }] : []),
  ];
  return { type: source.resourceType, deleted: false, ...hasCode({ param: source.codeParam, codes: source.codes }), ...(tests.length ? { $and: tests } : {}) };
}

/** Stages leaving one document per (resource, referred patient) with the patient's id in `pid`. */
function perPatient(source: CodedResources): Document[] {
  return [
    {
      $addFields: {
        pref: {
          $filter: {
            input: { $ifNull: ['$idx.ref', []] },
            as: 'r',
            cond: { $and: [{ $eq: ['$$r.p', source.patientParam] }, { $eq: ['$$r.k', { $concat: ['Patient/', { $ifNull: ['$$r.i', ''] }] }] }] },
          },
        },
      },
    },
    { $unwind: '$pref' },
    { $addFields: { pid: '$pref.i' } },
  ];
}

/** The low bound of the date parameter's entries inside the period. */
function datedMatch(dateParam: string, period: InstantPeriod): Document {
  return { 'idx.date': { $elemMatch: { p: dateParam, lo: { $gte: period.low, $lt: period.high } } } };
}

export function populationPipeline(population: CodedResources): Document[] {
  return [{ $match: codedMatch(population) }, ...perPatient(population), { $group: { _id: '$pid' } }];
}

export function patientsPipeline(query: CohortQuery, ids: string[]): Document[] {
  const match: Document = { type: 'Patient', deleted: false, id: { $in: ids } };
  if (query.within) {
    match['idx.ref'] = { $elemMatch: { p: query.within.param, k: { $in: query.within.targets.map((t) => resourceKey(t.resourceType, t.id)) } } };
  }
  const entries = (field: string, param: string, value: string): Document => ({
    $map: { input: { $filter: { input: { $ifNull: [`$idx.${field}`, []] }, as: 'e', cond: { $eq: ['$$e.p', param] } } }, as: 'e', in: value },
  });
  return [
    { $match: match },
    { $project: { _id: 0, id: 1, grp: { $min: entries('ref', query.groupParam, '$$e.i') }, birth: { $min: entries('date', query.birthDateParam, '$$e.lo') } } },
  ];
}

export function countPipeline(source: CodedResources, dateParam: string, period: InstantPeriod, ids: string[]): Document[] {
  return [
    { $match: { ...codedMatch(source), ...datedMatch(dateParam, period) } },
    ...perPatient(source),
    { $match: { pid: { $in: ids } } },
    // A resource referring to its patient twice counts once.
    { $group: { _id: { pid: '$pid', doc: '$_id' } } },
    { $group: { _id: '$_id.pid', n: { $sum: 1 } } },
  ];
}

export function latestPipeline(latest: CohortLatest, ids: string[]): Document[] {
  const { period } = latest;
  const values: Document = {};
  latest.values.forEach((value, j) => {
    const cond =
      value.kind === 'quantity'
        ? { $eq: ['$$e.p', value.param] }
        : { $and: [{ $eq: ['$$e.p', value.param] }, { $eq: ['$$e.a0', value.code.code] }, { $eq: ['$$e.b0', value.code.system] }] };
    const field = value.kind === 'quantity' ? 'qty' : 'comp';
    // A composite's quantity part is compared as the middle of its range (m1); a quantity by its value.
    const read = value.kind === 'quantity' ? '$$e.v' : '$$e.m1';
    values[`v${j}`] = { $first: { $map: { input: { $filter: { input: { $ifNull: [`$idx.${field}`, []] }, as: 'e', cond } }, as: 'e', in: read } } };
  });
  return [
    { $match: { ...codedMatch(latest.source), ...datedMatch(latest.dateParam, period) } },
    ...perPatient(latest.source),
    { $match: { pid: { $in: ids } } },
    {
      $addFields: {
        at: {
          $max: {
            $map: {
              input: { $filter: { input: '$idx.date', as: 'e', cond: { $and: [{ $eq: ['$$e.p', latest.dateParam] }, { $gte: ['$$e.lo', period.low] }, { $lt: ['$$e.lo', period.high] }] } } },
              as: 'e',
              in: '$$e.lo',
            },
          },
        },
        ...values,
      },
    },
    // The latest date first; ties go to the greater resource id, as in SQLite.
    { $sort: { pid: 1, at: -1, id: -1 } },
    { $group: { _id: '$pid', at: { $first: '$at' }, ...Object.fromEntries(latest.values.map((_, j) => [`v${j}`, { $first: `$v${j}` }])) } },
  ];
}

function latestValue(latest: CohortLatest, d: Document): CohortLatestValue {
  const values: Record<string, number> = {};
  latest.values.forEach((value, j) => {
    if (typeof d[`v${j}`] === 'number') {
      values[value.name] = d[`v${j}`] as number;
    }
  });
  return { at: d.at as number, values };
}
