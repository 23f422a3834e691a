// Runs async jobs one at a time, in arrival order. The embedded store uses it so that a transaction
// that awaits between its statements never shares its open database transaction with another request.
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T> | T): Promise<T> {
    const result = this.tail.then(job);
    // The next job waits for this one to settle, whatever its outcome.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
