// A misbehaving OpenID provider on 127.0.0.1 (plain http) for the fault table (README.md beside
// this file). It plays several issuers at once: issuer NAME is http://127.0.0.1:PORT/NAME, with
// its discovery document at /NAME/.well-known/openid-configuration on PORT and its JWKS at
// /NAME/jwks on a port of its own (KEYPORT), so "connection refused" is real: that issuer's
// listener is closed. Every issuer has its own RS256 keys (made here, kept for the process).
//
// Control API (any language, plain HTTP on PORT):
//   POST /control {"reset": {"issuers": [{"name": "a", "cache_control": "max-age=20"}]}}
//        forget behaviours and hits, publish each issuer's first key (kid NAME1), end held
//        connections, reopen closed listeners; answers {"issuers": {NAME: {issuer, jwks_uri,
//        discovery_url, offsite_uri}}}.
//   POST /control {"set": {"a.jwks": {behaviour}, "a.discovery": {behaviour}, "a.keys": ["a1"]}}
//        a behaviour replaces the endpoint's previous one ({} is normal); `NAME.keys` is the list
//        of published kids (keys are made on first publication). Strings may hold
//        {issuer:NAME}, {jwks_uri:NAME}, {offsite:NAME}.
//   GET /mint?issuer=a&kid=a1[&signer=b][&kind=valid|bad_signature][&aud=api]
//        a signed token (text): iss = issuer a's URL, signed by the key `kid` of `signer`
//        (default: the issuer); a kid that was never published is signed by a stranger key (an
//        unknown kid); kind=bad_signature signs with the stranger key whatever the kid.
//   GET /hits  {"a.jwks": 2, "a.discovery": 1, "a.offsite": 0, ...} requests seen since reset.
// Behaviours: {mode, delay_ms, cache_control, status, ...}; mode is one of
//   normal        200 (or `status`) with the document; `cache_control` header when given
//   refuse        (jwks only) KEYPORT stops listening: connection refused
//   close         the connection is closed without an answer
//   hang          the request is held, never answered
//   dribble       200 and headers at once, then the document 1 byte per `interval_ms` (200)
//   status        `status` (e.g. 500, 404) with a text body
//   invalid_json  200 with a truncated JSON document
//   huge          200 with 50 MiB (`bytes`): `content_length` true declares it; `pace` "fast"
//                 streams it as fast as the socket takes, "stall" sends 9 bytes and holds
//   redirect      302: `hops` N (then the document) or "loop" (Location: itself, forever);
//                 `to` "offsite": Location is http://0.0.0.0:KEYPORT/NAME/offsite (plain http,
//                 not loopback by the URL rule; if a host wrongly follows it, it still lands
//                 here and is counted as NAME.offsite, so no traffic ever leaves the machine)
// `delay_ms` holds every answer (each redirect hop too) that long before its headers: "slow".
// A discovery behaviour may also set `issuer` and `jwks_uri` (the document's members).
// Prints {"port": PORT} as its first stdout line; exits when stdin closes.
import { createServer } from "node:http";
import { sign } from "node:crypto";
import { generateKeyPair } from "../support/keypair.mjs";

const MiB = 1024 * 1024;
const HOST = "127.0.0.1";
const b64u = (b) => Buffer.from(b).toString("base64url");

/** name -> issuer state */
const issuers = new Map();
/** endpoint id ("a.jwks") -> count */
let hits = {};
/** Every socket of every listener, to end held connections on reset. */
const sockets = new Set();
let mainPort = 0;
let stranger = null;

function makeKey(kid) {
  const { privateKey, publicKey } = generateKeyPair("rsa", { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" } };
}

function strangerKey() {
  stranger ??= makeKey("stranger");
  return stranger;
}

function track(server) {
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  return server;
}

function listen(server, port) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => {
      server.off("error", reject);
      resolve(server.address().port);
    });
  });
}

async function issuer(name) {
  if (!/^[a-z][a-z0-9_-]{0,30}$/.test(name)) throw new Error(`bad issuer name ${JSON.stringify(name)}`);
  let iss = issuers.get(name);
  if (iss) return iss;
  iss = {
    name,
    keys: new Map(),
    published: [],
    behaviours: {},
    cacheControl: null,
    keyServer: track(createServer((req, res) => handle(req, res))),
    keyPort: 0,
    listening: false,
    closing: null,
  };
  iss.keyPort = await listen(iss.keyServer, 0);
  iss.listening = true;
  issuers.set(name, iss);
  publish(iss, [`${name}1`]);
  return iss;
}

function publish(iss, kids) {
  for (const kid of kids) if (!iss.keys.has(kid)) iss.keys.set(kid, makeKey(kid));
  iss.published = [...kids];
}

const urls = (iss) => ({
  issuer: `http://${HOST}:${mainPort}/${iss.name}`,
  discovery_url: `http://${HOST}:${mainPort}/${iss.name}/.well-known/openid-configuration`,
  jwks_uri: `http://${HOST}:${iss.keyPort}/${iss.name}/jwks`,
  offsite_uri: `http://0.0.0.0:${iss.keyPort}/${iss.name}/offsite`,
});

async function refuse(iss) {
  if (!iss.listening) return;
  iss.listening = false;
  iss.closing = new Promise((resolve) => iss.keyServer.close(resolve));
  iss.keyServer.closeAllConnections();
  await iss.closing;
}

async function reopen(iss) {
  if (iss.listening) return;
  await iss.closing;
  await listen(iss.keyServer, iss.keyPort);
  iss.listening = true;
}

/** `{issuer:a}`, `{jwks_uri:a}`, `{offsite:a}` in the strings of a behaviour. */
async function expand(value) {
  if (typeof value === "string") {
    let out = value;
    for (const m of value.matchAll(/\{(issuer|jwks_uri|offsite):([a-z0-9_-]+)\}/g)) {
      const u = urls(await issuer(m[2]));
      out = out.replace(m[0], m[1] === "offsite" ? u.offsite_uri : u[m[1]]);
    }
    return out;
  }
  if (Array.isArray(value)) return Promise.all(value.map(expand));
  if (value && typeof value === "object") {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = await expand(v);
    return out;
  }
  return value;
}

const MODES = new Set(["normal", "refuse", "close", "hang", "dribble", "status", "invalid_json", "huge", "redirect"]);

async function control(doc, own) {
  if (doc.reset) {
    hits = {};
    for (const s of sockets) if (s !== own) s.destroy();
    const answer = {};
    for (const iss of issuers.values()) {
      iss.behaviours = {};
      iss.cacheControl = null;
      publish(iss, [`${iss.name}1`]);
      await reopen(iss);
    }
    for (const spec of doc.reset.issuers ?? []) {
      const iss = await issuer(spec.name);
      iss.cacheControl = spec.cache_control ?? null;
      answer[spec.name] = urls(iss);
    }
    return { issuers: answer };
  }
  if (doc.set) {
    for (const [target, raw] of Object.entries(doc.set)) {
      const [name, what] = target.split(".");
      const iss = await issuer(name);
      const value = await expand(raw);
      if (what === "keys") {
        if (!Array.isArray(value)) throw new Error(`${target}: a list of kids`);
        publish(iss, value);
      } else if (what === "jwks" || what === "discovery") {
        const mode = value.mode ?? "normal";
        if (!MODES.has(mode)) throw new Error(`${target}: unknown mode ${mode}`);
        if (mode === "refuse" && what !== "jwks") throw new Error(`${target}: refuse is for jwks (use close)`);
        iss.behaviours[what] = value;
        if (what === "jwks") await (mode === "refuse" ? refuse(iss) : reopen(iss));
      } else {
        throw new Error(`${target}: expected NAME.jwks, NAME.discovery or NAME.keys`);
      }
    }
    return { ok: true };
  }
  throw new Error("expected reset or set");
}

async function mint(q) {
  const iss = await issuer(q.get("issuer") ?? "");
  const signer = await issuer(q.get("signer") ?? iss.name);
  const kid = q.get("kid") ?? signer.published[0] ?? `${signer.name}1`;
  const kind = q.get("kind") ?? "valid";
  if (kind !== "valid" && kind !== "bad_signature") throw new Error(`unknown kind ${kind}`);
  const key = kind === "valid" && signer.keys.has(kid) ? signer.keys.get(kid) : strangerKey();
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: "RS256", typ: "JWT", kid };
  const claims = { iss: urls(iss).issuer, aud: q.get("aud") ?? "api", sub: "user-1", iat: now - 5, exp: now + 6 * 3600 };
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  return `${input}.${b64u(sign("sha256", Buffer.from(input), key.privateKey))}`;
}

const sleep = (ms, res) =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    res.once("close", () => {
      clearTimeout(t);
      resolve();
    });
  });

function document(iss, what, b) {
  if (what === "discovery") {
    const u = urls(iss);
    return JSON.stringify({
      issuer: b.issuer ?? u.issuer,
      jwks_uri: b.jwks_uri ?? u.jwks_uri,
      id_token_signing_alg_values_supported: ["RS256"],
    });
  }
  return JSON.stringify({ keys: iss.published.map((kid) => iss.keys.get(kid).jwk) });
}

function normal(res, iss, what, b) {
  const headers = { "content-type": "application/json" };
  const cc = b.cache_control ?? (what === "jwks" ? iss.cacheControl : null);
  if (cc) headers["cache-control"] = cc;
  res.writeHead(b.status ?? 200, headers).end(document(iss, what, b));
}

async function serveEndpoint(req, res, iss, what, url) {
  const b = iss.behaviours[what] ?? {};
  const mode = b.mode ?? "normal";
  if (mode === "close") return void req.socket.destroy();
  if (mode === "hang") return; // held until the client gives up (or reset)
  if (b.delay_ms) await sleep(b.delay_ms, res);
  if (res.destroyed || req.socket.destroyed) return;
  switch (mode) {
    case "normal":
    case "refuse": // the listener was open again by the time this arrived
      return normal(res, iss, what, b);
    case "status":
      return void res.writeHead(b.status ?? 500, { "content-type": "text/plain" }).end(b.body ?? `status ${b.status ?? 500}`);
    case "invalid_json":
      return void res.writeHead(200, { "content-type": "application/json" }).end('{"keys":[{"kty":"RSA",');
    case "dribble": {
      const body = Buffer.from(document(iss, what, b));
      res.writeHead(200, { "content-type": "application/json", "content-length": String(body.length) });
      res.flushHeaders();
      for (let i = 0; i < body.length && !res.destroyed; i++) {
        res.write(body.subarray(i, i + 1));
        await sleep(b.interval_ms ?? 200, res);
      }
      return void res.end();
    }
    case "huge": {
      const total = b.bytes ?? 50 * MiB;
      const head = Buffer.from('{"keys":[');
      const headers = { "content-type": "application/json" };
      if (b.content_length) headers["content-length"] = String(total);
      res.writeHead(200, headers);
      res.write(head);
      if (b.pace === "stall") return;
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let sent = head.length;
      const pump = () => {
        while (!res.destroyed && sent < total - 2) {
          const part = chunk.subarray(0, Math.min(chunk.length, total - 2 - sent));
          sent += part.length;
          if (!res.write(part)) return void res.once("drain", pump);
        }
        if (!res.destroyed) res.end("]}");
      };
      return pump();
    }
    case "redirect": {
      const hop = Number(url.searchParams.get("hop") ?? "0");
      let location;
      if (b.to === "offsite") location = urls(iss).offsite_uri;
      else if (b.hops === "loop") location = url.pathname + url.search;
      else if (hop < (b.hops ?? 1)) location = `${url.pathname}?hop=${hop + 1}`;
      if (location === undefined) return normal(res, iss, what, b);
      return void res.writeHead(302, { location, "content-length": "0" }).end();
    }
  }
}

function json(res, status, doc) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(doc));
}

async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString("utf8");
}

async function handle(req, res) {
  try {
    const url = new URL(req.url, `http://${HOST}`);
    const port = req.socket.localPort;
    if (port === mainPort && req.method === "POST" && url.pathname === "/control") {
      return json(res, 200, await control(JSON.parse(await readBody(req)), req.socket));
    }
    if (port === mainPort && url.pathname === "/mint") {
      return void res.writeHead(200, { "content-type": "text/plain" }).end(await mint(url.searchParams));
    }
    if (port === mainPort && url.pathname === "/hits") return json(res, 200, hits);
    const m = url.pathname.match(/^\/([a-z][a-z0-9_-]*)\/(jwks|offsite|\.well-known\/openid-configuration)$/);
    const iss = m && issuers.get(m[1]);
    if (!iss) return json(res, 404, { error: "no such endpoint" });
    const what = m[2] === "jwks" ? "jwks" : m[2] === "offsite" ? "offsite" : "discovery";
    const id = `${iss.name}.${what}`;
    hits[id] = (hits[id] ?? 0) + 1;
    if (what === "offsite") return normal(res, iss, "jwks", {});
    return await serveEndpoint(req, res, iss, what, url);
  } catch (e) {
    if (!res.headersSent) json(res, 400, { error: String(e?.message ?? e) });
    else res.destroy();
  }
}

const main = track(createServer(handle));
mainPort = await listen(main, 0);
strangerKey();
process.stdout.write(`${JSON.stringify({ port: mainPort })}\n`);
process.stdin.on("end", () => process.exit(0));
process.stdin.on("close", () => process.exit(0));
process.stdin.resume();
