// Writes scenarios.json, the fault table (README.md beside this file says what each member
// means and the one cache behaviour it encodes). Edit here, run `node tests/faults/generate.mjs`,
// commit both. The fault scenarios share one shape (fault()), the others are written out.
import { writeFileSync } from "node:fs";

const DEFAULT_SETTINGS = { timeout_ms: 500, cache_min_s: 5, cache_max_s: 300, cooldown_s: 10 };

const valid = (issuer = "a", kid = `${issuer}1`, extra = {}) => ({ issuer, kid, token: "valid", ...extra });
const allow = (extra = {}) => ({ outcome: "allow", ...extra });
const refused = (reason, extra = {}) => ({ outcome: "unauthorized", reason, ...extra });
const NO_KEYS = "jwks_unavailable";

/**
 * One fault on the JWKS endpoint, first before any keys, then after good keys expired:
 *  - before keys: `unauthorized`/`jwks_unavailable`, the failure logged, no new attempt within
 *    1 s, the next one after it;
 *  - with keys: no fetch while they are fresh; once expired, one attempt that fails, the last
 *    good keys decide (an unknown kid is `unknown_kid`, a bad signature stays refused), no new
 *    attempt before the cooldown, then recovery.
 * `per` is the requests one fetch attempt makes (0 when refused, 4 for a redirect loop).
 */
function fault(name, about, behaviour, failure, per, { settings = {}, within_ms, extraHits = {} } = {}) {
  const w = within_ms === undefined ? {} : { within_ms };
  const hits = (n) => ({ "a.jwks": n, ...extraHits });
  return {
    name,
    about,
    issuers: [{ name: "a", key_source: "jwks_uri", cache_control: "max-age=20" }],
    settings: { ...DEFAULT_SETTINGS, ...settings },
    steps: [
      { at_s: 0, set: { "a.jwks": behaviour }, request: valid(), expect: refused(NO_KEYS, { fetch_failure: failure, ...w }), hits: hits(per) },
      { at_s: 0, request: valid(), expect: refused(NO_KEYS, { fetch_failure: null }), hits: hits(per) },
      { at_s: 3, set: { "a.jwks": {} }, request: valid(), expect: allow(), hits: hits(per + 1) },
      { at_s: 4, set: { "a.jwks": behaviour }, request: valid(), expect: allow(), hits: hits(per + 1) },
      { at_s: 25, request: valid(), expect: allow({ fetch_failure: failure, ...w }), hits: hits(2 * per + 1) },
      { at_s: 27, request: valid("a", "a1", { token: "bad_signature" }), expect: refused("bad_signature"), hits: hits(2 * per + 1) },
      { at_s: 28, request: valid("a", "a-unpublished"), expect: refused("unknown_kid"), hits: hits(2 * per + 1) },
      { at_s: 30, request: valid(), expect: allow(), hits: hits(2 * per + 1) },
      { at_s: 38, set: { "a.jwks": {} }, request: valid(), expect: allow({ fetch_failure: null }), hits: hits(2 * per + 2) },
    ],
  };
}

const scenarios = [
  fault("connection_refused", "nothing listens on the JWKS port", { mode: "refuse" }, "network", 0),
  fault("connection_closed", "the connection is closed without an answer", { mode: "close" }, "network", 1),
  fault("no_answer", "the request is never answered: the time budget ends it", { mode: "hang" }, "timeout", 1),
  fault("dribbling_body", "200 and headers at once, then 1 byte per 200 ms", { mode: "dribble" }, "timeout", 1),
  fault("status_500", "500 is not an answer", { mode: "status", status: 500 }, "http_status", 1),
  fault("status_404", "404 is not an answer", { mode: "status", status: 404 }, "http_status", 1),
  fault("status_203", "only 200 is an answer: a 203 carrying a good key set is refused", { mode: "normal", status: 203 }, "http_status", 1),
  fault("invalid_json", "200 with a truncated JSON document", { mode: "invalid_json" }, "jwks_invalid", 1),
  fault(
    "body_50mib_declared",
    "Content-Length: 50 MiB, then a stall: refused at once, long before the time budget",
    { mode: "huge", content_length: true, pace: "stall" },
    "too_large",
    1,
    { settings: { timeout_ms: 3000 }, within_ms: 1000 },
  ),
  fault("body_50mib_declared_streamed", "Content-Length: 50 MiB, streamed as fast as it is read", { mode: "huge", content_length: true }, "too_large", 1),
  fault("body_50mib_streamed", "50 MiB without Content-Length: cut at max_jwks_bytes while streaming", { mode: "huge", content_length: false }, "too_large", 1),
  fault("redirect_loop", "302 to itself forever: 3 hops followed, then the fetch fails", { mode: "redirect", hops: "loop" }, "http_status", 4),
  fault(
    "redirect_offsite",
    "302 to plain http off loopback: refused before it is contacted",
    { mode: "redirect", to: "offsite" },
    "insecure_url",
    1,
    { extraHits: { "a.offsite": 0 } },
  ),
  {
    name: "redirect_hops",
    about: "3 redirects (each hop checked, http to loopback allowed) are followed; a 4th is not",
    issuers: [{ name: "a", key_source: "jwks_uri", cache_control: "max-age=20" }],
    settings: DEFAULT_SETTINGS,
    steps: [
      { at_s: 0, set: { "a.jwks": { mode: "redirect", hops: 3 } }, request: valid(), expect: allow(), hits: { "a.jwks": 4 } },
      { at_s: 25, set: { "a.jwks": { mode: "redirect", hops: 4 } }, request: valid(), expect: allow({ fetch_failure: "http_status" }), hits: { "a.jwks": 8 } },
    ],
  },
  {
    name: "redirects_share_the_budget",
    about: "the hops of one fetch share its time budget: 3 answers of 600 ms each exceed 1500 ms",
    issuers: [{ name: "a", key_source: "jwks_uri" }],
    settings: { ...DEFAULT_SETTINGS, timeout_ms: 1500 },
    steps: [
      {
        at_s: 0,
        set: { "a.jwks": { mode: "redirect", hops: 2, delay_ms: 600 } },
        request: valid(),
        expect: refused(NO_KEYS, { fetch_failure: "timeout", within_ms: 2200 }),
        hits: { "a.jwks": 3 },
      },
    ],
  },
  {
    name: "first_request_one_budget",
    about: "discovery and JWKS each answer just under jwks_timeout_ms: together they exceed the one budget",
    issuers: [{ name: "a", key_source: "discovery" }],
    settings: { ...DEFAULT_SETTINGS, timeout_ms: 1500 },
    steps: [
      {
        at_s: 0,
        set: { "a.discovery": { delay_ms: 1300 }, "a.jwks": { delay_ms: 1300 } },
        request: valid(),
        expect: refused(NO_KEYS, { fetch_failure: "timeout", within_ms: 2200 }),
        hits: { "a.discovery": 1 },
      },
      { at_s: 3, set: { "a.discovery": {}, "a.jwks": {} }, request: valid(), expect: allow() },
    ],
  },
  {
    name: "slow_within_budget",
    about: "discovery and JWKS answer in 700 ms each, within the 3000 ms budget: allowed",
    issuers: [{ name: "a", key_source: "discovery" }],
    settings: { ...DEFAULT_SETTINGS, timeout_ms: 3000 },
    steps: [
      {
        at_s: 0,
        set: { "a.discovery": { delay_ms: 700 }, "a.jwks": { delay_ms: 700 } },
        request: valid(),
        expect: allow({ within_ms: 3700 }),
        hits: { "a.discovery": 1, "a.jwks": 1 },
      },
    ],
  },
  {
    name: "cache_lifetime_default",
    about: "without max-age the key set lives 600 s (clamped to the bounds)",
    issuers: [{ name: "a", key_source: "jwks_uri" }],
    settings: { ...DEFAULT_SETTINGS, cache_max_s: 3600 },
    steps: [
      { at_s: 0, request: valid(), expect: allow(), hits: { "a.jwks": 1 } },
      { at_s: 300, request: valid(), expect: allow(), hits: { "a.jwks": 1 } },
      { at_s: 590, request: valid(), expect: allow(), hits: { "a.jwks": 1 } },
      { at_s: 610, request: valid(), expect: allow(), hits: { "a.jwks": 2 } },
    ],
  },
  {
    name: "cache_lifetime_clamped",
    about: "max-age clamped to [cache_min, cache_max]; no-store and no-cache mean 0 (so cache_min)",
    issuers: [{ name: "a", key_source: "jwks_uri" }],
    settings: { ...DEFAULT_SETTINGS, cache_max_s: 30 },
    steps: [
      { at_s: 0, set: { "a.jwks": { cache_control: "public, max-age=100000" } }, request: valid(), expect: allow(), hits: { "a.jwks": 1 } },
      { at_s: 27, request: valid(), expect: allow(), hits: { "a.jwks": 1 } },
      { at_s: 32, set: { "a.jwks": { cache_control: "max-age=1" } }, request: valid(), expect: allow(), hits: { "a.jwks": 2 } },
      { at_s: 35, request: valid(), expect: allow(), hits: { "a.jwks": 2 } },
      { at_s: 39, set: { "a.jwks": { cache_control: "no-store" } }, request: valid(), expect: allow(), hits: { "a.jwks": 3 } },
      { at_s: 42, request: valid(), expect: allow(), hits: { "a.jwks": 3 } },
      { at_s: 46, set: { "a.jwks": { cache_control: "no-cache, max-age=600" } }, request: valid(), expect: allow(), hits: { "a.jwks": 4 } },
      { at_s: 49, request: valid(), expect: allow(), hits: { "a.jwks": 4 } },
      { at_s: 53, request: valid(), expect: allow(), hits: { "a.jwks": 5 } },
    ],
  },
  {
    name: "key_rotation",
    about: "a new kid is fetched once the cooldown allows; a withdrawn kid is refused once the set expires",
    issuers: [{ name: "a", key_source: "jwks_uri", cache_control: "max-age=20" }],
    settings: DEFAULT_SETTINGS,
    steps: [
      { at_s: 0, request: valid(), expect: allow(), hits: { "a.jwks": 1 } },
      { at_s: 1, set: { "a.keys": ["a1", "a2"] }, request: valid("a", "a2"), expect: refused("unknown_kid"), hits: { "a.jwks": 1 } },
      { at_s: 12, request: valid("a", "a2"), expect: allow(), hits: { "a.jwks": 2 } },
      { at_s: 12, request: valid("a", "a1"), expect: allow(), hits: { "a.jwks": 2 } },
      { at_s: 13, set: { "a.keys": ["a2"] }, request: valid("a", "a1"), expect: allow(), hits: { "a.jwks": 2 } },
      { at_s: 35, request: valid("a", "a1"), expect: refused("unknown_kid"), hits: { "a.jwks": 3 } },
      { at_s: 35, request: valid("a", "a2"), expect: allow(), hits: { "a.jwks": 3 } },
      { at_s: 40, request: valid("a", "a1"), expect: refused("unknown_kid"), hits: { "a.jwks": 3 } },
    ],
  },
  {
    name: "empty_key_set",
    about: "an empty key set is an answer (the provider revoked every key), not a fault to ride out",
    issuers: [{ name: "a", key_source: "jwks_uri", cache_control: "max-age=20" }],
    settings: DEFAULT_SETTINGS,
    steps: [
      { at_s: 0, request: valid(), expect: allow(), hits: { "a.jwks": 1 } },
      { at_s: 1, set: { "a.keys": [] }, request: valid(), expect: allow(), hits: { "a.jwks": 1 } },
      { at_s: 25, request: valid(), expect: refused("unknown_kid", { fetch_failure: null }), hits: { "a.jwks": 2 } },
      { at_s: 30, request: valid(), expect: refused("unknown_kid"), hits: { "a.jwks": 2 } },
      { at_s: 36, set: { "a.keys": ["a1"] }, request: valid(), expect: allow(), hits: { "a.jwks": 3 } },
    ],
  },
  {
    name: "unknown_kid_flood",
    about: "bursts of forged kids: at most one refetch per cooldown, also while the endpoint hangs",
    issuers: [{ name: "a", key_source: "jwks_uri", cache_control: "max-age=300" }],
    settings: { ...DEFAULT_SETTINGS, cache_max_s: 600 },
    steps: [
      { at_s: 0, request: valid(), expect: allow(), hits: { "a.jwks": 1 } },
      { at_s: 5, request: valid("a", "forged-{step}-{i}", { count: 25 }), expect: refused("unknown_kid"), hits: { "a.jwks": 1 } },
      { at_s: 12, request: valid("a", "forged-{step}-{i}", { count: 25 }), expect: refused("unknown_kid"), hits: { "a.jwks": 2 } },
      { at_s: 13, request: valid(), expect: allow(), hits: { "a.jwks": 2 } },
      { at_s: 18, request: valid("a", "forged-{step}-{i}", { count: 25 }), expect: refused("unknown_kid"), hits: { "a.jwks": 2 } },
      { at_s: 23, request: valid("a", "forged-{step}-{i}", { count: 25 }), expect: refused("unknown_kid"), hits: { "a.jwks": 3 } },
      {
        at_s: 34,
        set: { "a.jwks": { mode: "hang" } },
        request: valid("a", "forged-{step}-{i}", { count: 25 }),
        expect: refused("unknown_kid", { fetch_failure: "timeout" }),
        hits: { "a.jwks": 4 },
      },
      { at_s: 35, request: valid(), expect: allow(), hits: { "a.jwks": 4 } },
      { at_s: 40, request: valid("a", "forged-{step}-{i}", { count: 25 }), expect: refused("unknown_kid"), hits: { "a.jwks": 4 } },
    ],
  },
  {
    name: "discovery",
    about: "no jwks_uri: the discovery document names it",
    issuers: [{ name: "a", key_source: "discovery", cache_control: "max-age=20" }],
    settings: DEFAULT_SETTINGS,
    steps: [{ at_s: 0, request: valid(), expect: allow(), hits: { "a.discovery": 1, "a.jwks": 1 } }],
  },
  {
    name: "discovery_names_another_issuer",
    about: "the discovery document's issuer must equal the configured issuer exactly",
    issuers: [{ name: "a", key_source: "discovery" }],
    settings: DEFAULT_SETTINGS,
    steps: [
      {
        at_s: 0,
        set: { "a.discovery": { issuer: "{issuer:b}" } },
        request: valid(),
        expect: refused(NO_KEYS, { fetch_failure: "discovery_invalid" }),
        hits: { "a.discovery": 1, "a.jwks": 0 },
      },
      { at_s: 3, request: valid(), expect: refused(NO_KEYS, { fetch_failure: "discovery_invalid" }), hits: { "a.discovery": 2, "a.jwks": 0 } },
      { at_s: 6, set: { "a.discovery": {} }, request: valid(), expect: allow(), hits: { "a.discovery": 3, "a.jwks": 1 } },
    ],
  },
  {
    name: "discovery_issuer_trailing_slash",
    about: "exact means exact: the configured issuer with a trailing slash added is another issuer",
    issuers: [{ name: "a", key_source: "discovery" }],
    settings: DEFAULT_SETTINGS,
    steps: [
      {
        at_s: 0,
        set: { "a.discovery": { issuer: "{issuer:a}/" } },
        request: valid(),
        expect: refused(NO_KEYS, { fetch_failure: "discovery_invalid" }),
        hits: { "a.discovery": 1, "a.jwks": 0 },
      },
    ],
  },
  {
    name: "discovery_jwks_uri_offsite",
    about: "a discovered jwks_uri obeys the URL rule: plain http off loopback is never contacted",
    issuers: [{ name: "a", key_source: "discovery" }],
    settings: DEFAULT_SETTINGS,
    steps: [
      {
        at_s: 0,
        set: { "a.discovery": { jwks_uri: "{offsite:a}" } },
        request: valid(),
        expect: refused(NO_KEYS, { fetch_failure: "insecure_url" }),
        hits: { "a.discovery": 1, "a.jwks": 0, "a.offsite": 0 },
      },
    ],
  },
  {
    name: "discovery_broken",
    about: "discovery answering 500, then not JSON: no keys; then it recovers",
    issuers: [{ name: "a", key_source: "discovery" }],
    settings: DEFAULT_SETTINGS,
    steps: [
      {
        at_s: 0,
        set: { "a.discovery": { mode: "status", status: 500 } },
        request: valid(),
        expect: refused(NO_KEYS, { fetch_failure: "http_status" }),
        hits: { "a.discovery": 1, "a.jwks": 0 },
      },
      {
        at_s: 3,
        set: { "a.discovery": { mode: "invalid_json" } },
        request: valid(),
        expect: refused(NO_KEYS, { fetch_failure: "discovery_invalid" }),
        hits: { "a.discovery": 2, "a.jwks": 0 },
      },
      { at_s: 6, set: { "a.discovery": {} }, request: valid(), expect: allow(), hits: { "a.discovery": 3, "a.jwks": 1 } },
    ],
  },
  {
    name: "unknown_issuer_no_key_work",
    about: "a token naming no configured issuer is refused before any key is fetched",
    issuers: [{ name: "a", key_source: "jwks_uri" }],
    settings: DEFAULT_SETTINGS,
    steps: [
      { at_s: 0, request: valid("z"), expect: refused("issuer_mismatch"), hits: { "a.jwks": 0, "z.jwks": 0 } },
      { at_s: 0, request: valid(), expect: allow(), hits: { "a.jwks": 1 } },
    ],
  },
  {
    name: "per_issuer_isolation",
    about: "each issuer its own keys and fetches: A down or hanging never blocks B; C never has keys",
    issuers: [
      { name: "a", key_source: "jwks_uri", cache_control: "max-age=20" },
      { name: "b", key_source: "discovery", cache_control: "max-age=20" },
      { name: "c", key_source: "jwks_uri" },
    ],
    settings: DEFAULT_SETTINGS,
    steps: [
      {
        at_s: 0,
        set: { "c.jwks": { mode: "status", status: 500 } },
        request: valid("a"),
        expect: allow(),
        hits: { "a.jwks": 1, "b.discovery": 0, "b.jwks": 0, "c.jwks": 0 },
      },
      { at_s: 0, request: valid("b"), expect: allow(), hits: { "a.jwks": 1, "b.discovery": 1, "b.jwks": 1, "c.jwks": 0 } },
      { at_s: 0, request: valid("c"), expect: refused(NO_KEYS, { fetch_failure: "http_status" }), hits: { "a.jwks": 1, "b.jwks": 1, "c.jwks": 1 } },
      { at_s: 1, request: valid("a", "b1", { signer: "b" }), expect: refused("unknown_kid"), hits: { "a.jwks": 1, "b.jwks": 1 } },
      { at_s: 1, request: valid("b", "a1", { signer: "a" }), expect: refused("unknown_kid"), hits: { "a.jwks": 1, "b.jwks": 1 } },
      { at_s: 1, request: valid("z"), expect: refused("issuer_mismatch"), hits: { "a.jwks": 1, "b.jwks": 1, "c.jwks": 1, "z.jwks": 0 } },
      { at_s: 2, set: { "a.jwks": { mode: "refuse" } }, request: valid("b"), expect: allow({ within_ms: 300 }), hits: { "b.jwks": 1 } },
      { at_s: 25, request: valid("a"), expect: allow({ fetch_failure: "network" }), hits: { "a.jwks": 1 } },
      { at_s: 25, request: valid("b"), expect: allow(), hits: { "b.jwks": 2 } },
      { at_s: 26, request: valid("c"), expect: refused(NO_KEYS, { fetch_failure: "http_status" }), hits: { "c.jwks": 2 } },
      { at_s: 27, set: { "a.jwks": { mode: "hang" } }, request: valid("b"), expect: allow({ within_ms: 300 }), hits: { "b.jwks": 2 } },
      { at_s: 37, request: valid("a"), expect: allow({ fetch_failure: "timeout" }), hits: { "a.jwks": 2 } },
      { at_s: 37, request: valid("b"), expect: allow({ within_ms: 300 }), hits: { "b.jwks": 2 } },
    ],
  },
];

const doc = {
  version: 1,
  about: "The JWKS fault table: every host runs it against tests/faults/server.mjs (README.md beside this file).",
  defaults: { audience: "api", slack_ms: 1500 },
  scenarios,
};
const names = new Set();
for (const s of scenarios) {
  if (names.has(s.name)) throw new Error(`duplicate scenario ${s.name}`);
  names.add(s.name);
}
const out = new URL("./scenarios.json", import.meta.url);
writeFileSync(out, format(doc));

/** One line per step, so the table reads as a table. */
function format(d) {
  const j = (v) => JSON.stringify(v);
  const scenario = (s) =>
    [
      "  {",
      `   "name": ${j(s.name)},`,
      `   "about": ${j(s.about)},`,
      `   "issuers": ${j(s.issuers)},`,
      `   "settings": ${j(s.settings)},`,
      `   "steps": [`,
      s.steps.map((st) => `    ${j(st)}`).join(",\n"),
      "   ]",
      "  }",
    ].join("\n");
  return [
    "{",
    ` "version": ${j(d.version)},`,
    ` "about": ${j(d.about)},`,
    ` "defaults": ${j(d.defaults)},`,
    ` "scenarios": [`,
    d.scenarios.map(scenario).join(",\n"),
    " ]",
    "}",
    "",
  ].join("\n");
}
console.log(`wrote ${scenarios.length} scenarios to ${out.pathname}`);
