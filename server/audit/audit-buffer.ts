// The audit buffer: AuditEvents are recorded in memory and written in batches, so that auditing never
// waits on the store inside a clinical request. A batch is written every `flushMs` (or as soon as
// `batchSize` events wait); a failed write is logged without content and retried with backoff, the
// events kept in order at the head of the buffer. Requests slow down instead of going unaudited
// (back-pressure) in two cases: while the store takes writes and the oldest waiting event is older than
// `maxLagMs` (requests come faster than the store writes events: without the wait, a crash would lose
// more than the stated last second), a request waits in `caughtUp()` before it runs (never after it is
// done, so that its answer is not held back once committed); and when `capacity` events wait (the store
// has been failing for a while), recording waits for room. close() flushes what is left (SIGTERM). See
// docs/audit.md, "Loss bound".
import type { Logger } from 'pino';
import { eventCount, type AuditRecord } from './audit-record';

/** Writes one batch of records (the events they stand for), all or nothing. */
export type AuditWriter = (records: readonly AuditRecord[]) => Promise<void>;

export interface AuditBufferOptions {
  /** How long an event may wait before its batch is written (ms). */
  flushMs: number;
  /** Events per written batch (a record of several events is never split); a full batch is written at once. */
  batchSize: number;
  /** Events held at most; recording waits beyond it. */
  capacity: number;
  /**
   * While writes succeed, requests wait (caughtUp) when the oldest waiting event was recorded longer ago
   * than this (ms): the writer has fallen behind.
   */
  maxLagMs: number;
  /** First retry delay after a failed write (ms), doubled per failure up to `maxRetryMs`. */
  retryMs: number;
  maxRetryMs: number;
}

export const defaultAuditBufferOptions: AuditBufferOptions = { flushMs: 250, batchSize: 100, capacity: 50_000, maxLagMs: 500, retryMs: 100, maxRetryMs: 5_000 };

export class AuditBuffer {
  private readonly records: AuditRecord[] = [];
  /** When each waiting record was recorded (ms), in the same order: the first is the oldest. */
  private readonly recordedAt: number[] = [];
  /** The events the waiting records stand for. */
  private waitingEvents = 0;
  private readonly waitingForRoom: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private failures = 0;
  private closed = false;
  private readonly options: AuditBufferOptions;

  constructor(
    private readonly write: AuditWriter,
    private readonly logger: Logger,
    options: Partial<AuditBufferOptions> = {}
  ) {
    this.options = { ...defaultAuditBufferOptions, ...options };
  }

  /** Events recorded and not yet written. */
  get pending(): number {
    return this.waitingEvents;
  }

  /** Adds records; resolves at once unless the buffer is full, then once there is room. */
  async record(records: readonly AuditRecord[]): Promise<void> {
    while (this.waitingEvents >= this.options.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    }
    const now = Date.now();
    for (const record of records) {
      this.records.push(record);
      this.recordedAt.push(now);
      this.waitingEvents += eventCount(record);
    }
    if (this.waitingEvents >= this.options.batchSize) {
      this.schedule(0);
    } else {
      this.schedule(this.options.flushMs);
    }
  }

  /** Writes everything recorded so far; rejects if the store refuses (the events stay buffered). */
  async flush(): Promise<void> {
    this.cancel();
    try {
      await this.writing;
      while (this.records.length) {
        await this.writeBatch();
      }
    } catch (err) {
      // The timer retries what is left, as it would have without this flush.
      this.schedule(this.retryDelay());
      throw err;
    }
  }

  /** Stops the timer and writes what is left, retrying up to `deadlineMs`; what still fails is logged as lost. */
  async close(deadlineMs = 10_000): Promise<void> {
    this.closed = true;
    this.cancel();
    const until = Date.now() + deadlineMs;
    for (;;) {
      try {
        await this.flush();
        return;
      } catch {
        if (Date.now() >= until) {
          this.logger.error({ lost: this.waitingEvents }, 'audit events could not be written before shutdown');
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(this.retryDelay(), until - Date.now())));
      }
    }
  }

  /** Resolves at once, or, while the writer is behind (below), once it has caught up: a request's wait. */
  async caughtUp(): Promise<void> {
    while (!this.closed && this.behind()) {
      // What waits is written now, whatever flushMs says.
      this.schedule(0);
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    }
  }

  /** The store takes writes but has not kept up: the oldest waiting event is older than maxLagMs. */
  private behind(): boolean {
    return this.failures === 0 && this.recordedAt.length > 0 && Date.now() - this.recordedAt[0] > this.options.maxLagMs;
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.writing) {
      return;
    }
    if (this.timer && delayMs > 0) {
      return;
    }
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.writing) {
        this.writeNext();
      }
    }, delayMs);
    // A pending flush never keeps the process alive: close() writes what is left on shutdown.
    this.timer.unref();
  }

  /**
   * Writes the oldest batch; then the next one at once while a full batch waits or the writer is behind,
   * rather than a timer's turn of the event loop later: on a busy server that turn waits behind every
   * request read meanwhile, and the writer thread idles (docs/performance.md, "Auditing on and off").
   */
  private writeNext(): void {
    this.cancel();
    this.writeBatch().then(
      () => {
        if (this.closed || !this.records.length) {
          return;
        }
        if (this.waitingEvents >= this.options.batchSize || this.behind()) {
          this.writeNext();
        } else {
          this.schedule(this.options.flushMs);
        }
      },
      () => this.schedule(this.retryDelay())
    );
  }

  private cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private retryDelay(): number {
    return Math.min(this.options.retryMs * 2 ** Math.max(0, this.failures - 1), this.options.maxRetryMs);
  }

  /** The oldest records standing for at most batchSize events (at least one record), and how many events. */
  private nextBatch(): { batch: AuditRecord[]; events: number } {
    let events = 0;
    let end = 0;
    while (end < this.records.length) {
      const count = eventCount(this.records[end]);
      if (end > 0 && events + count > this.options.batchSize) {
        break;
      }
      events += count;
      end++;
    }
    return { batch: this.records.slice(0, end), events };
  }

  /** Writes the oldest batch; on failure keeps it at the head and counts the failure. */
  private async writeBatch(): Promise<void> {
    if (this.writing) {
      return this.writing;
    }
    const { batch, events } = this.nextBatch();
    if (!batch.length) {
      return;
    }
    this.writing = (async () => {
      try {
        await this.write(batch);
        this.records.splice(0, batch.length);
        this.recordedAt.splice(0, batch.length);
        this.waitingEvents -= events;
        if (this.failures) {
          this.logger.warn({ failures: this.failures }, 'audit store writes again; buffered events written');
        }
        this.failures = 0;
      } catch (err) {
        this.failures++;
        // Never the events' content: the count, and the error's kind.
        this.logger.error({ pending: this.waitingEvents, failures: this.failures, error: err instanceof Error ? err.name : typeof err }, 'audit events could not be written; retrying');
        throw err;
      } finally {
        this.writing = undefined;
        // Whoever waits looks again: there is room, or the store is failing and only the capacity counts.
        this.waitingForRoom.splice(0).forEach((resume) => resume());
      }
    })();
    return this.writing;
  }
}
