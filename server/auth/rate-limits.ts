// Rate limits on the login and token endpoints (express-rate-limit), counted in the auth store so that
// the limit holds across every process serving the same store, not per process.
import type { RequestHandler } from 'express';
import { rateLimit, type IncrementResponse, type Options, type Store } from 'express-rate-limit';
import type { AuthStore } from '../store/auth-port';

class AuthStoreCounter implements Store {
  private windowMs = 60_000;
  constructor(
    private readonly store: AuthStore,
    readonly prefix: string
  ) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<IncrementResponse> {
    const { hits, resetAt } = await this.store.countHit(this.prefix + key, this.windowMs, Date.now());
    return { totalHits: hits, resetTime: new Date(resetAt) };
  }

  decrement(key: string): Promise<void> {
    return this.store.uncountHit(this.prefix + key);
  }

  resetKey(key: string): Promise<void> {
    return this.store.resetHits(this.prefix + key);
  }
}

/** At most `limit` requests per window and address; the answer is 429 with Retry-After and an OAuth error. */
export function authRateLimit(store: AuthStore, name: string, limit: number, windowMs: number, options: { onlyFailures?: boolean } = {}): RequestHandler {
  return rateLimit({
    windowMs,
    limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    store: new AuthStoreCounter(store, `${name}:`),
    // A failed login counts; a successful one is taken back, so a user who signs in is never held up by others.
    skipSuccessfulRequests: options.onlyFailures ?? false,
    handler: (_req, res, _next, opts) => {
      res.status(opts.statusCode).json({ error: 'too_many_requests', error_description: `Too many requests; retry after ${Math.ceil(windowMs / 1000)} s` });
    },
  });
}
