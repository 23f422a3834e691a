// A tiny reliability run: proves that the soak runs every workload mixed and samples memory, and that the
// report is written. The crash cycles have their own test (test/reliability/crash-durability.test.ts).
import { strict as assert } from 'node:assert';
import { parseReliabilityOptions, renderReliability, runReliability } from '../../bench/reliability-run';

describe('reliability benchmark smoke run', function () {
  this.timeout(180_000);

  it('soaks a server with the mixed workloads without an error, sampling its memory', async () => {
    const options = { ...parseReliabilityOptions(['--smoke', '--quiet'], '/tmp'), crashCycles: 0, soakMinutes: 0.1, size: 300 };
    const results = await runReliability(options);
    const soak = results.soak!;
    assert.equal(results.crash, undefined);
    assert.equal(soak.errors, 0, soak.firstError);
    assert.ok(soak.requests > 0);
    assert.ok(soak.workloads.length >= 10, soak.workloads.join(', '));
    assert.ok(soak.segments.length >= 2);
    assert.ok(soak.segments.every((s) => s.rssMiB > 0));
    assert.ok(soak.storedResources! >= 300);
    assert.match(renderReliability(results), /## Soak \(mixed load\)/);
  });

  it('refuses an unknown option', () => {
    assert.throws(() => parseReliabilityOptions(['--soak'], '/tmp'), /Unknown option '--soak'/);
  });
});
