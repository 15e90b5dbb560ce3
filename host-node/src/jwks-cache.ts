// The JWKS cache of one warm instance: keys fetched once and kept inside the module, refetched
// when their Cache-Control lifetime ends, and for an unknown `kid` at most once per cooldown
// (the penalty box: forged kids cannot make us flood the identity provider). Concurrent
// callers share one fetch. A failed fetch keeps the last good keys.
import { JwksFetchError } from "./errors.js";
import { cacheLifetimeSeconds } from "./cache-control.js";
import { fetchLimited, type HttpGet } from "./fetch-limited.js";
import type { Logger } from "./log.js";
import { isFetchableUrl, type JwksSettings } from "./settings.js";

/** The key report of the module's `setKeys` (wasm/ABI.md). */
export interface KeyReport {
  ok: boolean;
  keys?: number;
  kids?: (string | null)[];
  refused?: { index: number; kid: string | null; problem: string }[];
  error?: string;
}

export interface JwksCacheDeps {
  get: HttpGet;
  /** Milliseconds since the epoch (tests move it). */
  nowMs: () => number;
  log: Logger;
  /** Load JWKS bytes into the module; the previous keys stay when it refuses them. */
  loadKeys: (jwks: Uint8Array) => KeyReport;
  /** Issuers from the settings: a discovery document must name one of them. */
  issuers: string[];
}

/** After a failed first fetch, how soon another may start (there are no keys to fall back on). */
const RETRY_WITHOUT_KEYS_MS = 1_000;

export class JwksCache {
  private hasKeys = false;
  private expiresAtMs = 0;
  private nextAttemptAtMs = 0;
  private lastFetchAtMs = Number.NEGATIVE_INFINITY;
  private inflight: Promise<boolean> | undefined;
  private discoveredUri: string | undefined;
  private lastError: JwksFetchError | undefined;

  constructor(private readonly settings: JwksSettings, private readonly deps: JwksCacheDeps) {}

  /** Whether keys are loaded (possibly stale ones kept after a failed refresh). */
  get ready(): boolean {
    return this.hasKeys;
  }

  /** The last fetch failure, for logs. */
  get failure(): JwksFetchError | undefined {
    return this.lastError;
  }

  /** Keys are loaded and within their lifetime: the warm path needs no await at all. */
  get fresh(): boolean {
    return this.hasKeys && this.deps.nowMs() < this.expiresAtMs;
  }

  /** Make sure keys are loaded and fresh when possible. False when there are no keys at all. */
  async ensureKeys(): Promise<boolean> {
    if (!this.fresh && (this.inflight || this.deps.nowMs() >= this.nextAttemptAtMs)) await this.refresh();
    return this.hasKeys;
  }

  /**
   * The token names a `kid` we do not have. Refetch unless a fetch happened within the cooldown
   * (penalty box). True when a fetch completed successfully, so the caller decides once more.
   */
  async refreshForUnknownKid(): Promise<boolean> {
    if (this.inflight) return this.inflight;
    const cooldownMs = this.settings.refresh_cooldown_seconds * 1000;
    if (this.deps.nowMs() - this.lastFetchAtMs < cooldownMs) return false;
    return this.refresh();
  }

  private refresh(): Promise<boolean> {
    this.inflight ??= this.fetchAndLoad().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchAndLoad(): Promise<boolean> {
    const started = this.deps.nowMs();
    this.lastFetchAtMs = started;
    try {
      const uri = await this.jwksUri();
      const { body, cacheControl } = await fetchLimited(this.deps.get, uri, this.limits());
      const report = this.deps.loadKeys(body);
      if (!report.ok) throw new JwksFetchError("jwks_invalid", `${uri}: ${report.error ?? "refused"}`);
      const lifetime = cacheLifetimeSeconds(cacheControl, this.settings.cache_min_seconds, this.settings.cache_max_seconds);
      this.hasKeys = true;
      this.lastError = undefined;
      this.expiresAtMs = this.deps.nowMs() + lifetime * 1000;
      this.nextAttemptAtMs = this.expiresAtMs;
      this.deps.log({
        level: report.refused?.length ? "warn" : "info",
        msg: "jwks loaded",
        jwks_uri: uri,
        keys: report.keys,
        kids: report.kids,
        refused: report.refused,
        cache_seconds: lifetime,
      });
      return true;
    } catch (e) {
      const error = e instanceof JwksFetchError ? e : new JwksFetchError("network", String(e));
      this.lastError = error;
      // Keep the last good keys; try again after the cooldown (or soon, when we have none).
      const wait = this.hasKeys ? this.settings.refresh_cooldown_seconds * 1000 : RETRY_WITHOUT_KEYS_MS;
      this.nextAttemptAtMs = this.deps.nowMs() + wait;
      this.deps.log({
        level: "warn",
        msg: "jwks fetch failed",
        failure: error.failure,
        error: error.message,
        kept_last_good_keys: this.hasKeys,
      });
      return false;
    }
  }

  private limits() {
    return {
      timeoutMs: this.settings.fetch_timeout_ms,
      maxBytes: this.settings.max_jwks_bytes,
      allowHttpLoopback: this.settings.allow_http_loopback,
    };
  }

  /** `JWKS_URI`, or the `jwks_uri` of the issuer's OpenID discovery document (found once). */
  private async jwksUri(): Promise<string> {
    if (this.settings.jwks_uri) return this.settings.jwks_uri;
    if (this.discoveredUri) return this.discoveredUri;
    const url = this.settings.discovery_url;
    const { body } = await fetchLimited(this.deps.get, url, this.limits());
    let doc: { issuer?: unknown; jwks_uri?: unknown };
    try {
      doc = JSON.parse(new TextDecoder().decode(body));
    } catch {
      throw new JwksFetchError("discovery_invalid", `${url}: not JSON`);
    }
    // OpenID Connect Discovery: the document's issuer must be the issuer we trust.
    if (typeof doc.issuer !== "string" || !this.deps.issuers.includes(doc.issuer)) {
      throw new JwksFetchError("discovery_invalid", `${url}: issuer ${JSON.stringify(doc.issuer)} is not a configured issuer`);
    }
    if (typeof doc.jwks_uri !== "string") {
      throw new JwksFetchError("discovery_invalid", `${url}: no jwks_uri`);
    }
    if (!isFetchableUrl(doc.jwks_uri, this.settings.allow_http_loopback)) {
      throw new JwksFetchError("insecure_url", `${url}: jwks_uri ${doc.jwks_uri} is not https`);
    }
    this.discoveredUri = doc.jwks_uri;
    return doc.jwks_uri;
  }
}
