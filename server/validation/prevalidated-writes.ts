// The writer's side of validation off its thread: a Bundle's entries are sent to a thread of the store
// (offloaded-validation.ts) before the Bundle enters the writer's queue, so that they are checked while
// the writer commits earlier requests; inside the transaction each write then takes the verdict for its
// resource only when the resource's JSON text is the text that was checked and the store's marker of the
// validator's sources is the one it was checked under. Anything else (a reference rewritten otherwise
// than planned, a profile or ValueSet written meanwhile, an entry the thread could not check) is checked
// on the writer's thread as before: a verdict can only save work, never change an answer.
import type { ValidationPolicy } from './resource-validator';
import { validatorSettings, validatorSources, type ValidationAnswer, type ValidationRequest, type ValidationVerdict, type ValidatorSettings } from './offloaded-validation';

/** Sends a request to a thread of the store; undefined when the store has none to send it to. */
export type OffThreadValidator = (request: ValidationRequest) => Promise<ValidationAnswer | undefined>;

/** How many writes took a verdict from a thread and how many were checked on the writer's thread after all. */
export interface PrevalidationCounts {
  used: number;
  checkedAgain: number;
}

/** The FHIR core's door to validation off its thread: one per core. */
export class ValidationPool {
  private readonly settings: ValidatorSettings;
  readonly counts: PrevalidationCounts = { used: 0, checkedAgain: 0 };
  private warming: Promise<unknown> | undefined;
  private ready = false;

  constructor(
    private readonly send: OffThreadValidator,
    private readonly marker: (types: readonly string[]) => Promise<string>,
    baseUrl: string,
    policy: ValidationPolicy
  ) {
    this.settings = validatorSettings(baseUrl, policy);
  }

  /**
   * Checks `bodies` (after `rewrites`) on a thread. `confirmOnce`: the writes run in one store transaction,
   * whose view of the validator's sources cannot change, so the marker is read once, at its first write;
   * otherwise before each write. Undefined when no thread answered: every write is checked as before.
   */
  async prevalidate(bodies: unknown[], rewrites: Map<string, string>, confirmOnce: boolean): Promise<PrevalidatedWrites | undefined> {
    if (!bodies.length || !this.warm()) {
      return undefined;
    }
    let answer: ValidationAnswer | undefined;
    try {
      answer = await this.send({ settings: this.settings, rewrites: [...rewrites], bodies });
    } catch {
      // A thread that stopped (or a body that cannot cross) costs the work, not the request.
      return undefined;
    }
    return answer && new PrevalidatedWrites(answer, () => this.marker(validatorSources), confirmOnce, this.counts);
  }

  /**
   * Whether the thread's validator is ready. A thread loads its validator (the compiled base schema, the
   * R4 definitions: a second or more) on its first request. The server starts that at start-up; where
   * nothing did, the first Bundle starts it, and Bundles validate on the writer until it is done, so
   * that no request waits for it.
   */
  private warm(): boolean {
    void this.warmUp();
    return this.ready;
  }

  /** Loads the thread's validator; the server awaits it at start-up, as it loads its own (server/main.ts). */
  warmUp(): Promise<unknown> {
    this.warming ??= this.send({ settings: this.settings, rewrites: [], bodies: [{ resourceType: 'Patient' }] }).then(
      // No answer: the store has no thread now (FHIR_READ_THREADS=0); every Bundle validates on the writer.
      (answer) => (this.ready = answer !== undefined),
      () => (this.warming = undefined)
    );
    return this.warming;
  }
}

/** One request's verdicts, by the JSON text of what each checked. */
export class PrevalidatedWrites {
  private readonly byText = new Map<string, ValidationVerdict>();
  private confirmed: Promise<boolean> | undefined;

  constructor(
    private readonly answer: ValidationAnswer,
    private readonly marker: () => Promise<string>,
    private readonly confirmOnce: boolean,
    private readonly counts: PrevalidationCounts
  ) {
    for (const verdict of answer.verdicts) {
      if (verdict) {
        this.byText.set(verdict.text, verdict);
      }
    }
  }

  /**
   * The verdict for a resource whose JSON text is `text`, if one was reached for that very text under the
   * store's current validator sources. Keyed by the whole text, so it holds whatever an invariant reads
   * (a reference's text included): a rewrite other than the planned one gives another text.
   */
  async verdictFor(text: string): Promise<ValidationVerdict | undefined> {
    const verdict = this.byText.get(text);
    if (verdict && (await this.sourcesUnchanged())) {
      this.counts.used++;
      return verdict;
    }
    this.counts.checkedAgain++;
    return undefined;
  }

  private sourcesUnchanged(): Promise<boolean> {
    const confirmed = this.confirmed ?? this.marker().then((marker) => marker === this.answer.marker);
    if (this.confirmOnce) {
      this.confirmed = confirmed;
    }
    return confirmed;
  }
}
