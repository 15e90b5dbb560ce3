// `make bench`'s hostile key-set row: a key set within the default limits that costs the most
// to load, 255 RSA keys of 8192 bits that no token uses beside the signer's 2048-bit key
// (about 360 KB), loaded afresh and used for one decision, each run. jwtgate in Node (the
// module's own arithmetic, `verifyWithKeys`: a new session, the set loaded, one token
// verified), the native core (tests/bench/native, bench-hostile-jwks) and jose (`createLocalJWKSet` and
// a first `jwtVerify`). An RSA key's Montgomery constants are computed at its first use, so
// only the signer's are.
//
//   node tests/bench/hostile-jwks.mjs [--smoke] [--native PATH]   prints one JSON document
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import { writeFileSync, mkdtempSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./lib/fixture.mjs";

const SMOKE = process.argv.includes("--smoke");
const RUNS = SMOKE ? 2 : 15;
const nativeAt = process.argv.indexOf("--native");
const NATIVE = nativeAt > 0 ? process.argv[nativeAt + 1] : null;
const ISSUER = "https://issuer.bench/";
const AUDIENCE = "api://bench";
const NOW = 1_800_000_000;

// Deterministic filler moduli: odd, top bit set, 1,024 bytes (xorshift, no Math.random).
let x = 0x2545f4914f6cdd1dn;
const next = () => {
  x ^= (x << 13n) & 0xffffffffffffffffn;
  x ^= x >> 7n;
  x ^= (x << 17n) & 0xffffffffffffffffn;
  return Number(x & 0xffn);
};
const filler = (i) => {
  const n = Buffer.alloc(1024, 0);
  for (let j = 0; j < n.length; j++) n[j] = next();
  n[0] |= 0x80;
  n[n.length - 1] |= 1;
  return { kty: "RSA", kid: `unused-${i}`, use: "sig", alg: "RS256", n: n.toString("base64url"), e: "AQAB" };
};

const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signer = { ...publicKey.export({ format: "jwk" }), kid: "signer", use: "sig", alg: "RS256" };
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
const input = `${b64({ alg: "RS256", kid: "signer" })}.${b64({ iss: ISSUER, aud: AUDIENCE, sub: "u", iat: NOW - 10, exp: NOW + 300 })}`;
const token = `${input}.${sign("sha256", Buffer.from(input), createPrivateKey(privateKey.export({ format: "pem", type: "pkcs8" }))).toString("base64url")}`;
const jwks = { keys: [...Array.from({ length: 255 }, (_, i) => filler(i)), signer] };
const jwksBytes = Buffer.byteLength(JSON.stringify(jwks));

const median = (a) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];
async function timed(fn) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return { median_ms: median(times), max_ms: Math.max(...times), runs: RUNS };
}

const out = { keys: jwks.keys.length, jwks_bytes: jwksBytes, rows: {} };
const { verifyWithKeys } = await import(join(REPO, "host-node/package/dist/index.js"));
const config = { issuer: ISSUER, audience: AUDIENCE };
// The set as its JSON text, as a fetch or a file gives it.
const jwksText = JSON.stringify(jwks);
const check = await verifyWithKeys(token, jwksText, NOW, config);
if (!check.ok) throw new Error(`jwtgate refused the signer's token: ${check.reason}`);
out.rows["jwtgate-node"] = await timed(async () => {
  const r = await verifyWithKeys(token, jwksText, NOW, config);
  if (!r.ok) throw new Error(r.reason);
});

const jose = await import("jose");
out.rows["jose"] = await timed(async () => {
  const set = jose.createLocalJWKSet(JSON.parse(jwksText));
  await jose.jwtVerify(token, set, { issuer: ISSUER, audience: AUDIENCE, currentDate: new Date(NOW * 1000) });
});

if (NATIVE) {
  const dir = mkdtempSync(join(tmpdir(), "jwtgate-hostile-"));
  const fixture = join(dir, "fixture.json");
  writeFileSync(fixture, JSON.stringify({ config: { issuers: [ISSUER], audiences: [AUDIENCE] }, jwks, token, now: NOW }));
  out.rows["jwtgate-native"] = JSON.parse(execFileSync(NATIVE, [fixture, String(RUNS)], { encoding: "utf8" }));
}
console.log(JSON.stringify(out));
