// One JSON line per decision (and per key set fetched or not). Never the token, never a
// signature. With metrics on, the line is also a CloudWatch metric record (metrics.ts).
import { metricsText } from "./metrics.js";

export type LogLine = Record<string, unknown> & { msg: string; level: "info" | "warn" | "error" };

/** Where log lines go: a function, or `false` for none. Default: one JSON line on stdout. */
export type Logger = (line: LogLine) => void;

/** The process's stdout where the runtime has one (Node, bun, Deno). */
type Stdout = { write(text: string): unknown; fd?: unknown };
const stdout = (globalThis as { process?: { stdout?: Partial<Stdout> } }).process?.stdout;
const lineStream: Stdout | null = typeof stdout?.write === "function" && typeof stdout.fd === "number" ? (stdout as Stdout) : null;

/**
 * Each line written whole to stdout where there is one: AWS Lambda's Node runtime prefixes what
 * `console.log` writes (time, request id, level) or wraps it in its own JSON, and CloudWatch
 * then no longer reads the line as a metric record. Edge runtimes: `console.log`, whose logs
 * keep the line as written.
 */
export const jsonLineLogger: Logger =
  lineStream === null
    ? (line) => {
        console.log(lineText(line));
      }
    : (line) => {
        lineStream.write(`${lineText(line)}\n`);
      };

/**
 * The line as JSON text. The metric directives are the same few lists on every line: their text,
 * kept once, is appended rather than serialised again (most of the cost of a line otherwise).
 */
export function lineText(line: LogLine): string {
  const aws = line._aws as { Timestamp?: unknown } | undefined;
  const directives = metricsText(aws);
  if (directives === undefined || typeof aws?.Timestamp !== "number") return JSON.stringify(line);
  // Left out for a moment (JSON.stringify skips an undefined member), not copied without it.
  line._aws = undefined;
  const text = JSON.stringify(line);
  line._aws = aws;
  return `${text.slice(0, -1)},"_aws":{"Timestamp":${aws.Timestamp},"CloudWatchMetrics":${directives}}}`;
}

export const silentLogger: Logger = () => {};

/**
 * `logger`, whose failures never reach a decision: a sink that throws (full, closed, a bug in
 * the caller's function) loses that line, and the first failure is reported once on the
 * console. The answer the module decided is the answer, logged or not.
 */
export function guardedLogger(logger: Logger): Logger {
  let reported = false;
  return (line) => {
    try {
      logger(line);
    } catch (e) {
      if (reported) return;
      reported = true;
      try {
        console.error(`jwtgate: the log function threw, so its lines are lost: ${String(e)}`);
      } catch {
        // No console either: nothing more to do.
      }
    }
  };
}
