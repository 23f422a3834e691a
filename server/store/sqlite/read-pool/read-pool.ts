// The SQLite store's read threads (read-worker.ts): searches, history and the other reads whose cost grows
// with the data run there, beside the server's event loop, so that one expensive search no longer holds
// up every other request. Threads start when reads need them, up to the pool's size; a read goes to the
// thread with the fewest reads waiting. A thread that dies fails its reads with a 503 and is replaced by
// the next read. See docs/performance.md, "Concurrency".
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { serviceUnavailable } from '../../../outcomes';
import type { ValidationAnswer, ValidationRequest } from '../../../validation/offloaded-validation';
import { validateCall } from './validate-calls';
import { arrived, fromWireError, type PooledRead, type ReadArgs, type ReadReply, type ReadRequest, type ReadResult, type ReadThreadData } from './read-calls';

/**
 * The young generation of a thread's V8 heap, in MiB. V8 lets it grow to 128 MiB per thread under load,
 * all of it resident; 32 MiB (the server's own thread gets the same, `--max-semi-space-size=16`) costs
 * no measurable speed (docs/performance.md, "Memory"). The old generation is left unbounded: a limit
 * there would end a thread with a large result instead of answering it.
 */
export const threadYoungGenerationMiB = 32;

interface WaitingRead {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
}

interface ReadThread {
  worker: Worker;
  waiting: Map<number, WaitingRead>;
  exited: Promise<void>;
}

export class ReadPool {
  private readonly threads: ReadThread[] = [];
  private nextId = 0;
  private closed = false;

  /** `size`: most threads (at least 1); `data`: what each opens (read-calls.ts). */
  constructor(
    private readonly data: ReadThreadData,
    private readonly size: number
  ) {}

  call<M extends PooledRead>(method: M, args: ReadArgs<M>): Promise<ReadResult<M>> {
    return this.send(method, args, (value) => arrived(method, value));
  }

  /**
   * A write's checks on resources (validate-calls.ts), always on the pool's first thread: a validator
   * holds the R4 definitions, schemas and compiled profiles (about 200 MiB once warm), which one thread
   * carries instead of every thread (docs/performance.md, "Transaction ingest").
   */
  validate(request: ValidationRequest): Promise<ValidationAnswer> {
    const validating = this.threads[0] ?? this.start();
    // The other threads start now too: a search sent while the first validates would otherwise wait
    // for a thread to start (its modules loaded, a few hundred ms), as the server's first writes did.
    while (!this.closed && this.threads.length < Math.max(1, this.size)) {
      this.start();
    }
    return this.send(validateCall, [request], (value) => value as ValidationAnswer, validating);
  }

  private send<T>(
    method: Extract<ReadRequest, { id: number }>['method'],
    args: unknown[],
    arrive: (value: unknown) => T,
    chosen?: ReadThread
  ): Promise<T> {
    if (this.closed) {
      return Promise.reject(new Error('the store is closed'));
    }
    const thread = chosen ?? this.choose();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      thread.waiting.set(id, { resolve: (value) => resolve(arrive(value)), reject });
      // A thread with reads to answer keeps the process alive (a command-line tool awaiting a search).
      thread.worker.ref();
      try {
        thread.worker.postMessage({ id, method, args } satisfies ReadRequest);
      } catch (err) {
        // Arguments that cannot be cloned: a bug of the caller, reported as such.
        this.settled(thread, id);
        throw err;
      }
    });
  }

  /** Every thread answers what it was sent, closes its connection and ends. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.threads.map((thread) => {
        thread.worker.ref();
        thread.worker.postMessage({ close: true } satisfies ReadRequest);
        return thread.exited;
      })
    );
  }

  /** The idlest thread, or a new one when every thread is busy and the pool has room. */
  private choose(): ReadThread {
    let idlest: ReadThread | undefined;
    for (const thread of this.threads) {
      if (!idlest || thread.waiting.size < idlest.waiting.size) {
        idlest = thread;
      }
    }
    if (!idlest || (idlest.waiting.size > 0 && this.threads.length < Math.max(1, this.size))) {
      return this.start();
    }
    return idlest;
  }

  private start(): ReadThread {
    const worker = new Worker(path.join(__dirname, 'read-worker.js'), {
      // The thread's name is its OS thread name (/proc/<pid>/task/*/comm): per-thread CPU is told apart.
      name: `fhir-read-${this.threads.length + 1}`,
      workerData: this.data,
      resourceLimits: { maxYoungGenerationSizeMb: threadYoungGenerationMiB },
    });
    worker.unref();
    let failure: Error | undefined;
    let exited!: () => void;
    const thread: ReadThread = { worker, waiting: new Map(), exited: new Promise<void>((resolve) => (exited = resolve)) };
    worker.on('message', (reply: ReadReply) => {
      const waiting = this.settled(thread, reply.id);
      if (!waiting) {
        return;
      }
      if (reply.ok) {
        try {
          waiting.resolve(reply.value);
        } catch (err) {
          waiting.reject(err);
        }
      } else {
        waiting.reject(fromWireError(reply.error));
      }
    });
    worker.on('error', (err) => {
      failure = err;
    });
    worker.on('exit', () => {
      this.threads.splice(this.threads.indexOf(thread), 1);
      // The error's kind only: a message could quote what was read.
      const why = failure ? ` (${failure.name})` : '';
      for (const waiting of thread.waiting.values()) {
        waiting.reject(serviceUnavailable(`A read thread of the store stopped before answering${why}; send the request again.`));
      }
      thread.waiting.clear();
      exited();
    });
    this.threads.push(thread);
    return thread;
  }

  /** Forgets a read that has its answer; a thread with none left no longer keeps the process alive. */
  private settled(thread: ReadThread, id: number): WaitingRead | undefined {
    const waiting = thread.waiting.get(id);
    thread.waiting.delete(id);
    if (thread.waiting.size === 0 && !this.closed) {
      thread.worker.unref();
    }
    return waiting;
  }
}
