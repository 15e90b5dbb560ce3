// The JWKS endpoint misbehaving on command, against a real HTTP server on 127.0.0.1: connection
// refused, no answer, a dribbling body, 500, 404, invalid JSON, a 50 MiB body (declared and
// streamed), a redirect loop, rotated keys, an empty key set. For each: every invocation ends
// within a bound, the last good keys stay in use, the log line names the failure, nothing
// throws; repeated faults do not grow memory; the penalty box bounds refetches under a flood of
// unknown kids. (jwks-fetch.test.mjs covers the first-fetch cases and the URL rules;
// authorizer.test.mjs a plain 503 and rotation with a real provider.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createServer } from "node:net";
import { createAuthorizer } from "../package/dist/index.js";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";
import { serve } from "./support/servers.mjs";
import { tokenEvent } from "./support/events.mjs";

const ISSUER = "https://issuer.test/";
const TIMEOUT_MS = 300;
const COOLDOWN_S = 30;
const CACHE_S = 60;
/** Slack on top of JWKS_TIMEOUT_MS for one invocation on a loaded 2-core machine. */
const SLACK_MS = 1500;
const MiB = 1024 * 1024;

const key = makeKey("RS256", "k1");
const nextKey = makeKey("RS256", "k2");

/**
 * One JWKS endpoint whose behaviour `server.mode` switches: "ok" serves `server.body`, the
 * others misbehave. Counts requests; closes every socket on close.
 */
async function faultyJwks() {
  const state = { mode: "ok", body: jwks(key), requests: 0 };
  const server = await serve((req, res) => {
    state.requests += 1;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    switch (state.mode) {
      case "ok":
        res.writeHead(200, { "content-type": "application/json", "cache-control": `max-age=${CACHE_S}` }).end(state.body);
        return;
      case "timeout":
        return; // headers never come
      case "dribble": {
        // Headers at once, then one byte every 50 ms: only the timeout covering the body stops it.
        res.writeHead(200, { "content-type": "application/json" });
        res.write("{");
        const timer = setInterval(() => res.write(" "), 50);
        res.on("close", () => clearInterval(timer));
        return;
      }
      case "500":
        res.writeHead(500, { "content-type": "text/plain" }).end("internal error");
        return;
      case "404":
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      case "invalid-json":
        res.writeHead(200, { "content-type": "application/json" }).end('{"keys":[{"kty":"RSA",');
        return;
      case "huge-declared": {
        // 50 MiB announced by Content-Length: refused before the body is read.
        res.writeHead(200, { "content-type": "application/json", "content-length": String(50 * MiB) });
        res.write('{"keys":[');
        return;
      }
      case "huge-streamed": {
        // 50 MiB without Content-Length, as fast as the socket takes it: cut while streaming.
        res.writeHead(200, { "content-type": "application/json" });
        res.write('{"keys":[');
        let sent = 0;
        const pump = () => {
          while (sent < 50 * MiB) {
            sent += chunk.length;
            if (!res.write(chunk)) return res.once("drain", pump);
          }
          res.end("]}");
        };
        res.on("close", () => {
          sent = Infinity;
        });
        pump();
        return;
      }
      case "redirect-loop":
        res.writeHead(302, { location: req.url }).end();
        return;
      default:
        throw new Error(`unknown mode ${state.mode}`);
    }
  });
  return { ...server, state };
}

/** A loopback port nothing listens on (connection refused). */
async function closedPort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function clock() {
  let ms = 1_800_000_000_000;
  const now = () => ms;
  now.advance = (seconds) => {
    ms += seconds * 1000;
  };
  return now;
}

const sign = (k, now, extra = {}) => {
  const t = Math.floor(now() / 1000);
  return signToken(k, { iss: ISSUER, aud: "api", sub: "user-1", iat: t, exp: t + 86_400, ...extra });
};

async function setup(url, extraEnv = {}) {
  const lines = [];
  const now = clock();
  const a = await createAuthorizer({
    env: {
      ISSUER,
      AUDIENCE: "api",
      JWKS_URI: url,
      JWKS_ALLOW_HTTP_LOOPBACK: "true",
      JWKS_TIMEOUT_MS: String(TIMEOUT_MS),
      JWKS_CACHE_MIN_SECONDS: String(CACHE_S),
      JWKS_CACHE_MAX_SECONDS: String(CACHE_S),
      JWKS_REFRESH_COOLDOWN_SECONDS: String(COOLDOWN_S),
      ...extraEnv,
    },
    now,
    log: (l) => lines.push(l),
  });
  return { a, now, lines, failures: () => lines.filter((l) => l.msg === "jwks fetch failed") };
}

/** Decide `event`, asserting the invocation ends within the fetch timeout plus slack. */
async function timed(a, event, bound = TIMEOUT_MS + SLACK_MS) {
  const started = performance.now();
  const d = await a.decide(event);
  const elapsed = performance.now() - started;
  assert.ok(elapsed < bound, `invocation took ${Math.round(elapsed)} ms (bound ${bound} ms)`);
  return d;
}

function assertNoSecretsLogged(lines, token) {
  const text = JSON.stringify(lines);
  assert.ok(!text.includes(token.split(".")[2]), "a signature reached the log");
  assert.ok(!text.includes(token), "a token reached the log");
}

const FAULTS = [
  // [mode, failure code in the log line, what the log's error says]
  ["refused", "network", /127\.0\.0\.1/],
  ["timeout", "timeout", /no answer within 300 ms/],
  ["dribble", "timeout", /body not complete within 300 ms/],
  ["500", "http_status", /HTTP 500/],
  ["404", "http_status", /HTTP 404/],
  ["invalid-json", "jwks_invalid", /jwks_invalid_json/],
  ["huge-declared", "too_large", /52428800 bytes is over the limit of 524288/],
  ["huge-streamed", "too_large", /over the limit of 524288 bytes/],
  ["redirect-loop", "http_status", /too many redirects/],
];

for (const [mode, failure, error] of FAULTS) {
  test(`JWKS fault after good keys: ${mode} -> last good keys kept, failure "${failure}" logged, bounded time`, async () => {
    const server = await faultyJwks();
    let url = `${server.url}/jwks`;
    try {
      const { a, now, lines, failures } = await setup(url);
      const token = sign(key, now);
      assert.equal((await timed(a, tokenEvent(token))).outcome, "allow");
      assert.equal(server.state.requests, 1);

      server.state.mode = mode;
      if (mode === "refused") await server.close();
      const before = server.state.requests;
      now.advance(CACHE_S + 1); // the keys expired: the next decision refetches, and that fails
      const d = await timed(a, tokenEvent(sign(key, now)));
      assert.equal(d.outcome, "allow", "last good keys kept");
      const line = failures().at(-1);
      assert.ok(line, "a `jwks fetch failed` line is logged");
      assert.equal(line.level, "warn");
      assert.equal(line.failure, failure);
      assert.match(line.error, error);
      assert.equal(line.kept_last_good_keys, true);
      const decisionLine = lines.filter((l) => l.msg === "authorizer decision").at(-1);
      assert.equal(decisionLine.outcome, "allow");
      assert.equal(decisionLine.reason, null);
      assert.equal(decisionLine.kid, "k1");
      if (mode === "redirect-loop") assert.equal(server.state.requests - before, 4, "the first request and 3 redirects, no more");
      else if (mode !== "refused") assert.equal(server.state.requests - before, 1);

      // Within the cooldown no new attempt; tokens keep being decided with the kept keys.
      const afterFault = server.state.requests;
      for (let i = 0; i < 5; i++) {
        now.advance(5);
        assert.equal((await timed(a, tokenEvent(sign(key, now)))).outcome, "allow");
      }
      assert.equal(server.state.requests, afterFault, "no refetch within the cooldown");
      assert.equal(failures().length, 1);
      // A token signed by another key is still refused (the fault does not open anything).
      const foreign = makeKey("RS256", "k1");
      assert.equal((await timed(a, tokenEvent(sign(foreign, now)))).reason, "bad_signature");

      if (mode !== "refused") {
        // The endpoint recovers: after the cooldown the keys are fetched again.
        server.state.mode = "ok";
        now.advance(COOLDOWN_S);
        assert.equal((await timed(a, tokenEvent(sign(key, now)))).outcome, "allow");
        assert.equal(server.state.requests, afterFault + 1);
        assert.equal(lines.filter((l) => l.msg === "jwks loaded").length, 2);
      }
      assertNoSecretsLogged(lines, token);
    } finally {
      await server.close();
    }
  });
}

test("JWKS faults before any good keys: Unauthorized (jwks_unavailable) within the bound, never a crash", async () => {
  const server = await faultyJwks();
  try {
    for (const [mode, failure] of FAULTS.filter(([m]) => m !== "refused")) {
      server.state.mode = mode;
      const { a, now, lines, failures } = await setup(`${server.url}/jwks`);
      const d = await timed(a, tokenEvent(sign(key, now)));
      assert.equal(d.outcome, "unauthorized", mode);
      assert.equal(d.reason, "jwks_unavailable", mode);
      assert.equal(d.response, null);
      assert.equal(failures().at(-1).failure, failure, mode);
      assert.equal(failures().at(-1).kept_last_good_keys, false);
      const decisionLine = lines.filter((l) => l.msg === "authorizer decision").at(-1);
      assert.deepEqual([decisionLine.level, decisionLine.outcome, decisionLine.reason], ["warn", "unauthorized", "jwks_unavailable"], mode);
    }
    const port = await closedPort();
    const { a, now, failures } = await setup(`http://127.0.0.1:${port}/jwks`);
    assert.equal((await timed(a, tokenEvent(sign(key, now)))).reason, "jwks_unavailable");
    assert.equal(failures().at(-1).failure, "network");
  } finally {
    await server.close();
  }
});

test("keys rotated: overlap accepts both, then the old key is refused once its cache expires", async () => {
  const server = await faultyJwks();
  try {
    const { a, now, lines } = await setup(`${server.url}/jwks`);
    assert.equal((await timed(a, tokenEvent(sign(key, now)))).outcome, "allow");
    // The provider publishes the next key beside the current one (the usual rotation).
    server.state.body = jwks(key, nextKey);
    now.advance(COOLDOWN_S + 1);
    assert.equal((await timed(a, tokenEvent(sign(nextKey, now)))).outcome, "allow", "new kid: one refetch");
    assert.equal((await timed(a, tokenEvent(sign(key, now)))).outcome, "allow", "old kid still published");
    assert.equal(server.state.requests, 2);
    // The old key is withdrawn: once the cached set expires it is refused (revocation works).
    server.state.body = jwks(nextKey);
    now.advance(CACHE_S + 1);
    const old = await timed(a, tokenEvent(sign(key, now)));
    assert.equal(old.outcome, "unauthorized");
    assert.equal(old.reason, "unknown_kid");
    assert.equal((await timed(a, tokenEvent(sign(nextKey, now)))).outcome, "allow");
    assert.deepEqual(lines.filter((l) => l.msg === "jwks loaded").map((l) => l.kids), [["k1"], ["k1", "k2"], ["k2"]]);
  } finally {
    await server.close();
  }
});

test("an empty key set is loaded as published: tokens are refused (fail closed), and recover when keys return", async () => {
  // An identity provider that withdraws every key must be able to revoke them, so an empty
  // set is not treated as a fault to ride out on old keys.
  const server = await faultyJwks();
  try {
    const { a, now, lines } = await setup(`${server.url}/jwks`);
    assert.equal((await timed(a, tokenEvent(sign(key, now)))).outcome, "allow");
    server.state.body = '{"keys":[]}';
    now.advance(CACHE_S + 1);
    const d = await timed(a, tokenEvent(sign(key, now)));
    assert.equal(d.outcome, "unauthorized");
    assert.equal(d.response, null);
    assert.equal(d.reason, "unknown_kid");
    const loaded = lines.filter((l) => l.msg === "jwks loaded").at(-1);
    assert.equal(loaded.keys, 0);
    assert.deepEqual(loaded.kids, []);
    // Refetches for the unknown kid stay inside the penalty box.
    const requests = server.state.requests;
    for (let i = 0; i < 20; i++) assert.equal((await timed(a, tokenEvent(sign(key, now)))).reason, "unknown_kid");
    assert.equal(server.state.requests, requests);
    // Keys are published again: after the cooldown the unknown kid triggers one refetch.
    server.state.body = jwks(key);
    now.advance(COOLDOWN_S);
    assert.equal((await timed(a, tokenEvent(sign(key, now)))).outcome, "allow");
    assert.equal(server.state.requests, requests + 1);
  } finally {
    await server.close();
  }
});

test("penalty box: a flood of unknown kids over 10 minutes causes at most one fetch per cooldown", async () => {
  const server = await faultyJwks();
  try {
    const { a, now, lines } = await setup(`${server.url}/jwks`, { JWKS_CACHE_MAX_SECONDS: "3600", JWKS_CACHE_MIN_SECONDS: "3600" });
    assert.equal((await timed(a, tokenEvent(sign(key, now)))).outcome, "allow");
    const seconds = 600;
    let refused = 0;
    // 3,000 requests with forged kids (20 concurrent every 4 simulated seconds), genuine tokens
    // in between: they keep being allowed.
    for (let t = 0; t < seconds; t += 4) {
      now.advance(4);
      const forged = Array.from({ length: 20 }, (_, i) => sign(makeForged(i + t * 20), now));
      const ds = await Promise.all(forged.map((tok) => timed(a, tokenEvent(tok))));
      for (const d of ds) {
        assert.equal(d.outcome, "unauthorized");
        assert.equal(d.reason, "unknown_kid");
        refused += 1;
      }
      assert.equal((await timed(a, tokenEvent(sign(key, now)))).outcome, "allow");
    }
    assert.equal(refused, 3000);
    const fetches = server.state.requests - 1;
    assert.ok(fetches <= Math.ceil(seconds / COOLDOWN_S), `${fetches} fetches for ${seconds} s`);
    assert.ok(fetches >= Math.floor(seconds / (COOLDOWN_S + 4)) - 1, `the penalty box still lets refreshes through (${fetches})`);
    // Refusals are logged with their reason, one line per decision.
    assert.equal(lines.filter((l) => l.msg === "authorizer decision" && l.reason === "unknown_kid").length, 3000);
  } finally {
    await server.close();
  }
});

test("a flood of unknown kids while the endpoint hangs: concurrent requests share one bounded fetch", async () => {
  const server = await faultyJwks();
  try {
    const { a, now, failures } = await setup(`${server.url}/jwks`);
    assert.equal((await timed(a, tokenEvent(sign(key, now)))).outcome, "allow");
    server.state.mode = "timeout";
    now.advance(COOLDOWN_S + 1);
    const before = server.state.requests;
    const ds = await Promise.all(Array.from({ length: 200 }, (_, i) => timed(a, tokenEvent(sign(makeForged(i), now)))));
    assert.ok(ds.every((d) => d.outcome === "unauthorized" && d.reason === "unknown_kid"));
    assert.equal(server.state.requests - before, 1, "one fetch for 200 concurrent requests");
    assert.equal(failures().at(-1).failure, "timeout");
    assert.equal((await timed(a, tokenEvent(sign(key, now)))).outcome, "allow", "good keys kept");
  } finally {
    await server.close();
  }
});

// A key object whose kid is unknown to the JWKS (signed with the real key: only the kid differs).
const forgedKeys = new Map();
function makeForged(i) {
  let k = forgedKeys.get(i);
  if (!k) {
    k = { ...key, kid: `forged-${i}` };
    forgedKeys.set(i, k);
  }
  return k;
}

function collectGarbage() {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc");
}

test("repeated faults do not grow memory (heap and buffers measured after GC)", async () => {
  const gc = collectGarbage();
  const server = await faultyJwks();
  try {
    const { a, now, lines } = await setup(`${server.url}/jwks`, { MAX_JWKS_BYTES: String(4 * MiB) });
    const token = () => sign(key, now);
    assert.equal((await timed(a, tokenEvent(token()))).outcome, "allow");
    const modes = ["huge-streamed", "huge-declared", "invalid-json", "500", "redirect-loop", "dribble"];
    const round = async () => {
      for (const mode of modes) {
        server.state.mode = mode;
        now.advance(CACHE_S + COOLDOWN_S + 1);
        assert.equal((await timed(a, tokenEvent(token()), TIMEOUT_MS + SLACK_MS + 1000)).outcome, "allow", mode);
      }
      lines.length = 0; // the test's own log buffer is not the authorizer's memory
    };
    // Fetch bodies are released by finalizers, which run only between event-loop turns: let
    // them run, collect again, and take the lowest of a few readings.
    const measure = async () => {
      let lowest = Infinity;
      for (let i = 0; i < 3; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 50));
        gc();
        const m = process.memoryUsage();
        lowest = Math.min(lowest, m.heapUsed + m.arrayBuffers + m.external);
      }
      return lowest;
    };
    for (let i = 0; i < 3; i++) await round(); // warm up
    const start = await measure();
    const rounds = 15;
    for (let i = 0; i < rounds; i++) await round();
    const growth = (await measure()) - start;
    // 90 failed fetches, 15 of them 4 MiB bodies cut while streaming: a leak of even one body
    // per fault would show tens of MiB.
    assert.ok(growth < 8 * MiB, `memory grew by ${(growth / MiB).toFixed(1)} MiB over ${rounds * modes.length} faults`);
    assert.ok(server.state.requests >= 1 + rounds * modes.length, "every round refetched");
  } finally {
    await server.close();
  }
});
