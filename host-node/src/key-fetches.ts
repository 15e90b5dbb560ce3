// The requests the module asks for, performed. The module keeps every issuer's keys and
// decides when to fetch what (core/src/key_cache.rs: lifetimes, the penalty box, retries,
// redirects, the discovery check, one time budget); this host only performs them and hands
// back what came. Concurrent decisions waiting for keys share one run.
import { fetchOnce, type FetchRequest, type FileRead, type HttpGet } from "./fetch-limited.js";
import type { Logger, LogLine } from "./log.js";
import type { Metrics } from "./metrics.js";
import type { ModuleSession } from "./module-session.js";

export class KeyFetches {
  private running: Promise<void> | undefined;

  constructor(
    private readonly session: ModuleSession,
    private readonly get: HttpGet,
    private readonly readFile: FileRead | undefined,
    /** Milliseconds since the epoch. */
    private readonly nowMs: () => number,
    private readonly log: Logger,
    /** `null`: METRICS=false, plain log lines. */
    private readonly metrics: Metrics | null,
  ) {}

  /** Perform every request the module names until none is due or under way. */
  run(): Promise<void> {
    this.running ??= this.drive().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async drive(): Promise<void> {
    const underWay = new Set<Promise<void>>();
    for (;;) {
      for (let request = this.session.nextFetch(this.nowMs()); request !== undefined; request = this.session.nextFetch(this.nowMs())) {
        const done: Promise<void> = this.perform(request).finally(() => underWay.delete(done));
        underWay.add(done);
      }
      if (underWay.size === 0) return;
      await Promise.race(underWay);
    }
  }

  private async perform(request: FetchRequest): Promise<void> {
    const [reply, body] = await fetchOnce(this.get, this.readFile, request);
    const line = this.session.fetched(reply, body, this.nowMs());
    if (line === "") return;
    const logged = JSON.parse(line) as LogLine;
    this.metrics?.keySet(logged, this.nowMs);
    this.log(logged);
  }
}
