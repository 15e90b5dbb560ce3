// Metrics as CloudWatch Embedded Metric Format (EMF): each decision's log line, and each key
// set's, is also the metric record (an `_aws` member naming the metrics and their dimensions),
// so CloudWatch Logs extracts them with no extra call and no SDK. Names, units and dimension
// sets are those of the Lambda host (host-lambda/src/metrics.rs) and of README "Metrics and
// logs". Dimensions come only from closed sets (outcome, reason code, failure code), never from
// a token or its claims.
import type { LogLine } from "./log.js";

type Directive = Readonly<{
  Namespace: string;
  Dimensions: readonly (readonly string[])[];
  Metrics: readonly Readonly<{ Name: string; Unit: "Count" | "Milliseconds" }>[];
}>;

/** The `_aws` member of a line: when, and which members are metrics by which dimensions. */
export type MetricsMetadata = { Timestamp: number; CloudWatchMetrics: readonly Directive[] };

/** The JSON text of each directive list built here, for the default logger (log.ts), which
 * writes it as it is instead of serialising the same objects on every line. */
const directivesText = new WeakMap<readonly Directive[], string>();

/** `_aws.CloudWatchMetrics` as JSON text, when it is a list built here (unchangeable: frozen). */
export function metricsText(metadata: unknown): string | undefined {
  const directives = (metadata as Partial<MetricsMetadata> | undefined)?.CloudWatchMetrics;
  return directives === undefined ? undefined : directivesText.get(directives);
}

const frozen = <T>(value: T): T => {
  if (typeof value === "object" && value !== null) {
    for (const member of Object.values(value)) frozen(member);
    Object.freeze(value);
  }
  return value;
};

/** The metrics one namespace receives. The directives are built once and shared by every line. */
export class Metrics {
  /** `decisions` (1) and `latency_ms` by nothing and by `outcome`. */
  private readonly decisionDirectives: readonly Directive[];
  /** The same, and `decisions` by `outcome` and `reason`: lines that have a reason. */
  private readonly decisionWithReasonDirectives: readonly Directive[];
  /** `jwks_fetches` (1) and `jwks_failures` (0) by nothing. */
  private readonly loadedDirectives: readonly Directive[];
  /** The same (`jwks_failures` 1), and `jwks_failures` by `failure`. */
  private readonly failedDirectives: readonly Directive[];

  constructor(readonly namespace: string) {
    const directive = (dimensions: string[][], metrics: [string, "Count" | "Milliseconds"][]): Directive => ({
      Namespace: namespace,
      Dimensions: dimensions,
      Metrics: metrics.map(([Name, Unit]) => ({ Name, Unit })),
    });
    const decisions = directive([[], ["outcome"]], [["decisions", "Count"], ["latency_ms", "Milliseconds"]]);
    const fetches = directive([[]], [["jwks_fetches", "Count"], ["jwks_failures", "Count"]]);
    const shared = (list: Directive[]): readonly Directive[] => {
      directivesText.set(frozen(list), JSON.stringify(list));
      return list;
    };
    this.decisionDirectives = shared([decisions]);
    this.decisionWithReasonDirectives = shared([decisions, directive([["outcome", "reason"]], [["decisions", "Count"]])]);
    this.loadedDirectives = shared([fetches]);
    this.failedDirectives = shared([fetches, directive([["failure"]], [["jwks_failures", "Count"]])]);
  }

  /** The `_aws` member of a decision's line (whose `decisions` member is 1), stamped by `now`. */
  decision(reason: unknown, now: () => number): MetricsMetadata {
    return {
      Timestamp: wholeMs(now),
      CloudWatchMetrics: typeof reason === "string" ? this.decisionWithReasonDirectives : this.decisionDirectives,
    };
  }

  /** Make a key set's line (`keys loaded`, `keys fetch failed`) its metric record, stamped by
   * `now`. */
  keySet(line: LogLine, now: () => number): void {
    const failed = line.msg === "keys fetch failed";
    if (!failed && line.msg !== "keys loaded") return;
    line.jwks_fetches = 1;
    line.jwks_failures = failed ? 1 : 0;
    line._aws = {
      Timestamp: wholeMs(now),
      CloudWatchMetrics: failed && typeof line.failure === "string" ? this.failedDirectives : this.loadedDirectives,
    } satisfies MetricsMetadata;
  }
}

/** EMF wants whole milliseconds; a clock that throws or gives no number gives 0 (CloudWatch
 * then drops the metrics, the line stays). */
function wholeMs(now: () => number): number {
  let ms: number;
  try {
    ms = now();
  } catch {
    return 0;
  }
  return Number.isFinite(ms) ? Math.floor(ms) : 0;
}
