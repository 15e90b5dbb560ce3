// One JSON line per decision (and per key set fetched or not). Never the token, never a
// signature. With metrics on, the line is also a CloudWatch metric record (metrics.ts).

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
        console.log(JSON.stringify(line));
      }
    : (line) => {
        lineStream.write(`${JSON.stringify(line)}\n`);
      };

export const silentLogger: Logger = () => {};
