// Where requests carry the token (TOKEN_SOURCES) decides the authorizer's identity sources: API
// Gateway caches a decision per identity source values, so they must hold the token
// (README "Token sources").

export type ApiType = "rest-token" | "rest-request" | "http-api" | "websocket";

/** A parsed entry of TOKEN_SOURCES. */
export type TokenSource =
  | { readonly kind: "header"; readonly name: string; readonly scheme?: string }
  | { readonly kind: "cookie"; readonly name: string }
  | { readonly kind: "query"; readonly name: string };

// RFC 9110 token characters (header names, schemes, cookie names).
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parse TOKEN_SOURCES as the core does; an entry the core would refuse throws, naming it. */
export function parseTokenSources(sources: readonly string[] | undefined): TokenSource[] {
  const list = sources ?? ["authorization"];
  if (list.length === 0 || list.length > 8) throw new Error("jwtgate: TOKEN_SOURCES: 1 to 8 sources");
  return list.map((entry) => {
    const source = entry.trim();
    if (source === "authorization") return { kind: "header", name: "Authorization", scheme: "Bearer" };
    const bad = () => new Error(`jwtgate: TOKEN_SOURCES: \`${entry}\` is not authorization, header:NAME[:SCHEME], cookie:NAME or query:NAME`);
    if (source.startsWith("query:")) {
      const name = source.slice("query:".length);
      if (name.length >= 1 && Buffer.byteLength(name) <= 256 && !/[&=#]/.test(name)) return { kind: "query", name };
      throw bad();
    }
    const [kind, name, scheme, ...rest] = source.split(":");
    if (rest.length > 0 || name === undefined) throw bad();
    if (kind === "header" && TOKEN.test(name) && (scheme === undefined || TOKEN.test(scheme))) return { kind, name, scheme };
    if (kind === "cookie" && scheme === undefined && TOKEN.test(name)) return { kind, name };
    throw bad();
  });
}

/** The identity source expressions for `sources` on an API of type `api`, without repeats. */
export function identitySources(api: ApiType, sources: readonly TokenSource[]): string[] {
  const prefix = api === "http-api" ? "$request." : api === "websocket" ? "route.request." : "method.request.";
  const out: string[] = [];
  for (const source of sources) {
    const expression =
      source.kind === "header" ? `${prefix}header.${source.name}` : source.kind === "cookie" ? `${prefix}header.Cookie` : `${prefix}querystring.${source.name}`;
    if (!out.includes(expression)) out.push(expression);
  }
  return out;
}
