// The audit buffer (server/audit/audit-buffer.ts): batches, retries with backoff after a failed write
// (logged without content), never loses or doubles an event, pushes back when full, and flushes on
// close; and through the server, a failing audit store never fails the clinical request.
import type { AuditEvent, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import pino from 'pino';
import { AuditBuffer } from '../../server/audit/audit-buffer';
import { auditEventsOf, type AuditRecord } from '../../server/audit/audit-record';
import { auditHook } from '../../server/audit/audit-hook';
import { serverAuditBufferOptions } from '../../server/audit/audit-trail';
import type { HookCall } from '../../server/fhir/pipeline/hooks';
import type { ResourceStore, StoreOperations } from '../../server/store/port';
import { patient } from '../helpers/fixtures';
import { createTestServer, memoryStore } from '../helpers/test-server';
import { storedAuditEvents } from './stored-audit-events';

const event = (n: number): AuditEvent => ({
  resourceType: 'AuditEvent',
  id: `e${n}`,
  type: { code: 'rest' },
  recorded: new Date(0).toISOString(),
  agent: [{ requestor: true, who: { display: 'secret-content' } }],
  source: { observer: { display: 'x' } },
});

/** An event's id, or a facts record's ids joined (test records are events unless a test says otherwise). */
const idOf = (record: AuditRecord): string => ('resourceType' in record ? (record.id as string) : record.ids.join('+'));

/** The facts of a read by a clinician that concerned `patients` (several: one event per patient). */
const facts = (ids: string[], patients: string[]): AuditRecord => ({
  base: 'https://fhir.example.org',
  ids,
  recorded: 0,
  code: 'search-type',
  status: 200,
  caller: { user: 'PractitionerRole/pr-1', clientId: 'emr' },
  query: 'Observation?code=x',
  patients,
});

/** A logger whose lines the test reads. */
function capturedLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(5);
  }
}

describe('the audit buffer', () => {
  it('counts the facts of an interaction as the events they stand for, and never splits them over two batches', async () => {
    const batches: string[][] = [];
    const buffer = new AuditBuffer(async (records) => void batches.push(records.map(idOf)), pino({ level: 'silent' }), { flushMs: 60_000, batchSize: 4 });
    await buffer.record([event(1), facts(['f1', 'f2', 'f3'], ['p1', 'p2', 'p3']), event(2)]);
    assert.equal(buffer.pending, 5);
    await buffer.flush();
    assert.deepEqual(batches, [['e1', 'f1+f2+f3'], ['e2']]);
    assert.equal(buffer.pending, 0);
    // The facts stand for one event per patient, each with its id, in order.
    const events = auditEventsOf([facts(['f1', 'f2'], ['p1', 'p2'])]);
    assert.deepEqual(events.map((e) => [e.id, e.entity?.at(-1)?.what?.reference]), [['f1', 'Patient/p1'], ['f2', 'Patient/p2']]);
  });

  it('writes in batches of at most batchSize, in the order recorded', async () => {
    const batches: string[][] = [];
    const buffer = new AuditBuffer(async (events) => void batches.push(events.map(idOf)), pino({ level: 'silent' }), { flushMs: 1000, batchSize: 3 });
    await buffer.record([event(1), event(2)]);
    assert.deepEqual(batches, [], 'nothing is written before flushMs or a full batch');
    await buffer.record([event(3), event(4)]);
    await until(() => batches.length === 1);
    assert.deepEqual(batches, [['e1', 'e2', 'e3']]);
    await buffer.flush();
    assert.deepEqual(batches, [['e1', 'e2', 'e3'], ['e4']]);
    assert.equal(buffer.pending, 0);
  });

  it('writes the next full batch as soon as one is written, not a timer later', async () => {
    const batches: number[] = [];
    const buffer = new AuditBuffer(async (events) => void batches.push(events.length), pino({ level: 'silent' }), { flushMs: 10_000, batchSize: 100 });
    await buffer.record(Array.from({ length: 250 }, (_, i) => event(i)));
    // Timers of one duration run in the order set: this one runs right after the buffer's first write
    // started; a write started by a timer set after that one would not have run yet.
    await sleep(0);
    assert.deepEqual(batches, [100, 100], 'the second full batch followed the first without a timer');
    assert.equal(buffer.pending, 50, 'a batch that is not full waits for flushMs');
    await buffer.close();
    assert.deepEqual(batches, [100, 100, 50]);
  });

  it("the server's timing writes a burst of search events in one batch, so one commit empties the readers' caches, not several", async () => {
    // Fifteen search pages of 20 patients, recorded within one turn: BALP's one event per patient.
    const batches: number[] = [];
    const buffer = new AuditBuffer(async (events) => void batches.push(events.length), pino({ level: 'silent' }), serverAuditBufferOptions);
    for (let page = 0; page < 15; page++) {
      await buffer.record(Array.from({ length: 20 }, (_, i) => event(page * 20 + i)));
    }
    await sleep(0);
    assert.deepEqual(batches, [], 'no batch is full yet: the timer writes them');
    await until(() => batches.length > 0, 2_000);
    assert.deepEqual(batches, [300]);
    await buffer.close();
  });

  it('retries a failed write with backoff, logs it without content, and writes every event once when the store recovers', async () => {
    const written: string[] = [];
    let failures = 3;
    const { logger, lines } = capturedLogger();
    const buffer = new AuditBuffer(
      async (events) => {
        if (failures > 0) {
          failures--;
          throw new Error('SQLITE_FULL: database or disk is full secret-content');
        }
        written.push(...events.map(idOf));
      },
      logger,
      { flushMs: 1, retryMs: 5, maxRetryMs: 20 }
    );
    await buffer.record([event(1)]);
    await buffer.record([event(2)]);
    await until(() => written.length === 2);
    assert.deepEqual(written, ['e1', 'e2']);
    const errors = lines.filter((l) => l.includes('could not be written'));
    assert.equal(errors.length, 3);
    assert.ok(lines.some((l) => l.includes('writes again')));
    assert.ok(!lines.join('').includes('secret-content'), 'no event content and no error text in the log');
  });

  it('pushes back when full: recording waits until the store takes the events', async () => {
    let failing = true;
    const written: string[] = [];
    const buffer = new AuditBuffer(
      async (events) => {
        if (failing) throw new Error('down');
        written.push(...events.map(idOf));
      },
      pino({ level: 'silent' }),
      { flushMs: 1, capacity: 2, retryMs: 5, maxRetryMs: 5 }
    );
    await buffer.record([event(1), event(2)]);
    let third = false;
    const waiting = buffer.record([event(3)]).then(() => (third = true));
    await sleep(50);
    assert.equal(third, false, 'the third event waits for room');
    assert.equal(buffer.pending, 2);
    failing = false;
    await waiting;
    await buffer.flush();
    assert.deepEqual(written, ['e1', 'e2', 'e3']);
  });

  it('pushes back when the store falls behind, so that no event waits much longer than maxLagMs', async () => {
    const written: string[] = [];
    let writing = 0;
    const buffer = new AuditBuffer(
      async (events) => {
        writing++;
        await sleep(150);
        written.push(...events.map(idOf));
      },
      pino({ level: 'silent' }),
      { flushMs: 60_000, batchSize: 1, maxLagMs: 40 }
    );
    await buffer.record([event(1)]);
    await buffer.caughtUp();
    assert.deepEqual(written, [], 'not behind yet: no wait');
    await sleep(60);
    // e1 waits longer than maxLagMs: a request waits until e1 is written (now, not after flushMs).
    await buffer.caughtUp();
    assert.deepEqual(written, ['e1']);
    assert.equal(writing, 1);
    await buffer.record([event(2)]);
    await buffer.flush();
    assert.deepEqual(written, ['e1', 'e2']);
  });

  it('makes a request wait before it runs, not after, while the writer is behind; the server’s own work never', async () => {
    const written: string[] = [];
    const buffer = new AuditBuffer(
      async (events) => {
        await sleep(150);
        written.push(...events.map(idOf));
      },
      pino({ level: 'silent' }),
      { flushMs: 60_000, batchSize: 1, maxLagMs: 40 }
    );
    const hook = auditHook(buffer, 'https://fhir.example.org', pino({ level: 'silent' }));
    const call = (kind: string): HookCall => ({ caller: { kind }, interaction: { code: 'read' } }) as unknown as HookCall;
    await buffer.record([event(1)]);
    await sleep(60);
    await hook.before!(call('server'));
    assert.deepEqual(written, [], 'the server’s own work does not wait');
    await hook.before!(call('user'));
    assert.deepEqual(written, ['e1'], 'a client’s request ran once e1 was written');
  });

  it('does not wait on the lag while the store fails: only a full buffer waits', async () => {
    const { logger, lines } = capturedLogger();
    const buffer = new AuditBuffer(
      async () => {
        throw new Error('down');
      },
      logger,
      { flushMs: 1, maxLagMs: 10, retryMs: 1000, maxRetryMs: 1000 }
    );
    await buffer.record([event(1)]);
    await until(() => lines.some((l) => l.includes('could not be written')));
    await sleep(30);
    const started = Date.now();
    await buffer.caughtUp();
    await buffer.record([event(2)]);
    assert.ok(Date.now() - started < 500, 'no wait');
    assert.equal(buffer.pending, 2);
    await buffer.close(0);
  });

  it('writes what is left on close', async () => {
    const written: string[] = [];
    const buffer = new AuditBuffer(async (events) => void written.push(...events.map(idOf)), pino({ level: 'silent' }), { flushMs: 60_000 });
    await buffer.record([event(1), event(2)]);
    await buffer.close();
    assert.deepEqual(written, ['e1', 'e2']);
  });
});

/** A store whose AuditEvent writes fail while `failing` is set (a full disk for the audit only). */
function failingAuditStore(base: ResourceStore, state: { failing: boolean }): ResourceStore {
  return new Proxy(base, {
    get(target, property, receiver) {
      if (property === 'transaction') {
        return <T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> =>
          target.transaction((tx) =>
            work(
              new Proxy(tx, {
                get(inner, name, innerReceiver) {
                  if (name === 'create' || name === 'update') {
                    return (resource: { resourceType: string }) => {
                      if (state.failing && resource.resourceType === 'AuditEvent') throw new Error('disk full');
                      return inner[name](resource as never);
                    };
                  }
                  // The audit writer's batches (storeWriter) take this way where the store has it.
                  if (name === 'appendAuditEvents' && inner.appendAuditEvents) {
                    return (events: readonly AuditEvent[]) => {
                      if (state.failing) throw new Error('disk full');
                      return inner.appendAuditEvents?.(events);
                    };
                  }
                  const value = Reflect.get(inner, name, innerReceiver) as unknown;
                  return typeof value === 'function' ? value.bind(inner) : value;
                },
              })
            )
          );
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('a failing audit store', function () {
  this.timeout(60_000);

  it('never fails the clinical request, and the events arrive once it recovers', async () => {
    const state = { failing: true };
    const server = createTestServer({ store: failingAuditStore(memoryStore(), state), audit: { flushMs: 5, retryMs: 10, maxRetryMs: 50 } });
    try {
      const created = await server.http.post('/Patient').set('Content-Type', 'application/fhir+json').send(patient());
      assert.equal(created.status, 201, created.text);
      const id = (created.body as Patient).id as string;
      assert.equal((await server.http.get(`/Patient/${id}`)).status, 200);
      await assert.rejects(server.audit!.flush(), /disk full/);
      assert.equal(server.audit!.buffer.pending, 2);
      state.failing = false;
      await until(() => server.audit!.buffer.pending === 0);
      const events = await storedAuditEvents(server);
      assert.deepEqual(events.map((e) => e.subtype?.[0].code), ['create', 'read']);
      assert.ok(events.every((e) => e.entity?.[0].what?.reference?.startsWith(`Patient/${id}`)));
    } finally {
      await server.close();
    }
  });
});
