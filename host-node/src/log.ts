// One JSON line per decision (and per JWKS event). Never the token, never a signature.

export type LogLine = Record<string, unknown> & { msg: string; level: "info" | "warn" | "error" };

/** Where log lines go: a function, or `false` for none. Default: one JSON line on stdout. */
export type Logger = (line: LogLine) => void;

export const jsonLineLogger: Logger = (line) => {
  console.log(JSON.stringify(line));
};

export const silentLogger: Logger = () => {};
