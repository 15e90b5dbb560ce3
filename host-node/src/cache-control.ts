// How long a fetched JWKS is trusted: the server's `Cache-Control: max-age`, clamped to the
// configured bounds so a server can neither make us refetch on every request nor pin keys
// for days. Without a usable header we take 10 minutes (jose's default), also clamped.
const DEFAULT_SECONDS = 600;

export function cacheLifetimeSeconds(header: string | null, minSeconds: number, maxSeconds: number): number {
  let seconds = DEFAULT_SECONDS;
  if (header) {
    const directives = header.toLowerCase().split(",").map((d) => d.trim());
    const maxAge = directives.find((d) => d.startsWith("max-age="));
    if (directives.includes("no-store") || directives.includes("no-cache")) {
      seconds = 0;
    } else if (maxAge) {
      const value = Number(maxAge.slice("max-age=".length).replace(/"/g, ""));
      if (Number.isFinite(value) && value >= 0) seconds = value;
    }
  }
  return Math.min(Math.max(seconds, minSeconds), maxSeconds);
}
