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

/** The window failed logins are counted in, per address and per account. */
export const loginWindowMs = 15 * 60_000;

/**
 * Failed logins per account, whatever the address (a password guessed from many addresses), counted in
 * the auth store like the limits per address, so that it holds across processes. Over the limit, the
 * account cannot sign in for the rest of the window, even with the right password.
 */
export class AccountLoginLimit {
  constructor(
    private readonly store: AuthStore,
    private readonly limit: number,
    private readonly windowMs = loginWindowMs
  ) {}

  /** Counts an attempt to sign in as `account`; the seconds to wait when the account is over its limit. */
  async attempt(account: string): Promise<number | undefined> {
    const now = Date.now();
    const { hits, resetAt } = await this.store.countHit(accountKey(account), this.windowMs, now);
    return hits > this.limit ? Math.max(1, Math.ceil((resetAt - now) / 1000)) : undefined;
  }

  /** A sign-in that succeeded is taken back: only failures count. */
  succeeded(account: string): Promise<void> {
    return this.store.uncountHit(accountKey(account));
  }
}

function accountKey(account: string): string {
  return `login-account:${account.slice(0, 200)}`;
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
