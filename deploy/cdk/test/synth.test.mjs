// The CDK construct, offline: the example app (example/app.mjs: REST TOKEN and REQUEST, HTTP
// API, WebSocket; Rust and Node) is synthesized for both architectures; every stack's template is checked for its wiring and passes cfn-lint; each
// function's environment is accepted by the core itself; the Node flavour's code is run as
// Lambda would run it (a valid token allowed, a tampered one refused); the construct refuses
// settings the authorizer would refuse. Needs `make node-package`, a built `bootstrap` and the
// venv of host-lambda/scripts/install-tools.sh (`make test-deploy` provides them).
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { generateKeyPairSync, sign } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const cdkDir = join(here, "..");
const root = join(cdkDir, "..", "..");
const require = createRequire(import.meta.url);
const lib = require("../lib/index.js");
const { App, Duration, Stack } = require("aws-cdk-lib");

const cfnLint = process.env.CFN_LINT ?? join(root, "target/host-lambda-tools/bin/cfn-lint");
const nodePackage = join(root, "host-node/package");
const work = mkdtempSync(join(tmpdir(), "jwtgate-cdk-test-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

/** The variables the core reads (core/src/env.rs, VARIABLES). */
function coreVariables() {
  const text = readFileSync(join(root, "core/src/env.rs"), "utf8");
  const block = text.match(/pub const VARIABLES: &\[&str\] = &\[([\s\S]*?)\];/)[1];
  return new Set([...block.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1]));
}

/**
 * The Rust code for `arch`: the build output when `make lambda-zip` made it (the construct's
 * default), else a directory holding the `bootstrap` this run built (its bytes are the real
 * binary; synth never runs it).
 */
function rustCodeFor(arch) {
  if (existsSync(join(root, lib.RUST_ZIPS[arch]))) return { given: undefined, zip: true };
  const built = join(root, "target/release/bootstrap");
  assert.ok(existsSync(built), "no bootstrap built: cargo build --release -p jwtgate-lambda --bin bootstrap");
  const dir = join(work, `rust-${arch}`);
  mkdirSync(dir, { recursive: true });
  copyFileSync(built, join(dir, "bootstrap"));
  return { given: dir, zip: false };
}

const STACKS = ["JwtGateRustRestToken", "JwtGateNodeRestRequest", "JwtGateRustHttpApi", "JwtGateNodeHttpApi", "JwtGateRustWebSocket"];
const synthesized = {};

before(async () => {
  await Promise.all(
    ["x86_64", "arm64"].map(async (arch) => {
      const rust = rustCodeFor(arch);
      const outdir = join(work, `cdk.out-${arch}`);
      const context = { architecture: arch, nodePackage, ...(rust.given ? { rustCode: rust.given } : {}) };
      await run(process.execPath, [join(cdkDir, "example/app.mjs")], {
        cwd: cdkDir,
        env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(context) },
      });
      synthesized[arch] = {
        outdir,
        rust,
        templates: Object.fromEntries(STACKS.map((s) => [s, JSON.parse(readFileSync(join(outdir, `${s}.template.json`), "utf8"))])),
      };
    }),
  );
});

const ofType = (template, type) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
function only(template, type) {
  const found = ofType(template, type);
  assert.equal(found.length, 1, `one ${type}: ${found.map(([k]) => k)}`);
  return found[0];
}

/** The authorizer function of a stack (the one with jwtgate's description). */
function authorizerFunction(template) {
  const fns = ofType(template, "AWS::Lambda::Function").filter(([, r]) => String(r.Properties.Description).startsWith("jwtgate authorizer"));
  assert.equal(fns.length, 1);
  return fns[0];
}

/** The asset (file or directory) a function's code was staged to in the cloud assembly. */
function assetPath(outdir, fn) {
  const key = fn.Properties.Code.S3Key;
  const hash = key.replace(/\.zip$/, "");
  const entry = readdirSync(outdir).find((e) => e === `asset.${hash}` || e === `asset.${hash}.zip`);
  assert.ok(entry, `asset ${key} staged`);
  return join(outdir, entry);
}

const EXPECT = {
  JwtGateRustRestToken: { flavour: "rust", kind: "TOKEN", identity: ["method.request.header.Authorization"] },
  JwtGateNodeRestRequest: { flavour: "node", kind: "REQUEST", identity: ["method.request.header.Cookie"], tokenSources: '["cookie:__Host-access"]' },
  JwtGateRustHttpApi: { flavour: "rust", kind: "HTTP", identity: ["$request.header.Authorization", "$context.routeKey"] },
  JwtGateNodeHttpApi: { flavour: "node", kind: "HTTP", identity: ["$request.querystring.access_token"], tokenSources: '["query:access_token"]' },
  JwtGateRustWebSocket: { flavour: "rust", kind: "WEBSOCKET", identity: ["route.request.querystring.token"], tokenSources: '["query:token"]' },
};

test("every stack is wired: function, authorizer type, identity sources, cache, protected route, permission", () => {
  for (const [arch, { templates }] of Object.entries(synthesized)) {
    for (const [stack, want] of Object.entries(EXPECT)) {
      const t = templates[stack];
      const [fnId, fn] = authorizerFunction(t);
      const p = fn.Properties;
      const where = `${arch} ${stack}`;
      assert.deepEqual(p.Architectures, [arch], where);
      if (want.flavour === "rust") {
        assert.deepEqual([p.Runtime, p.Handler], ["provided.al2023", "bootstrap"], where);
      } else {
        assert.deepEqual([p.Runtime, p.Handler], ["nodejs22.x", "index.handler"], where);
      }
      assert.equal(p.Environment.Variables.TOKEN_SOURCES, want.tokenSources, where);
      const fnArn = { "Fn::GetAtt": [fnId, "Arn"] };
      if (want.kind === "WEBSOCKET") {
        assert.equal(only(t, "AWS::ApiGatewayV2::Api")[1].Properties.ProtocolType, "WEBSOCKET", where);
        const [authId, auth] = only(t, "AWS::ApiGatewayV2::Authorizer");
        const a = auth.Properties;
        assert.equal(a.AuthorizerType, "REQUEST", where);
        assert.deepEqual(a.IdentitySource, want.identity, where);
        for (const absent of ["AuthorizerPayloadFormatVersion", "EnableSimpleResponses", "AuthorizerResultTtlInSeconds"]) assert.equal(a[absent], undefined, `${where}: ${absent}`);
        assert.match(JSON.stringify(a.AuthorizerUri), new RegExp(fnId), where);
        const connect = ofType(t, "AWS::ApiGatewayV2::Route").filter(([, r]) => r.Properties.RouteKey === "$connect");
        assert.equal(connect.length, 1, where);
        assert.equal(connect[0][1].Properties.AuthorizationType, "CUSTOM", where);
        assert.deepEqual(connect[0][1].Properties.AuthorizerId, { Ref: authId }, where);
      } else if (want.kind === "HTTP") {
        const [authId, auth] = only(t, "AWS::ApiGatewayV2::Authorizer");
        const a = auth.Properties;
        assert.equal(a.AuthorizerType, "REQUEST", where);
        assert.equal(a.AuthorizerPayloadFormatVersion, "2.0", where);
        assert.equal(a.EnableSimpleResponses, true, where);
        assert.deepEqual(a.IdentitySource, want.identity, where);
        assert.equal(a.AuthorizerResultTtlInSeconds, 300, where);
        assert.match(JSON.stringify(a.AuthorizerUri), new RegExp(fnId), where);
        const routes = ofType(t, "AWS::ApiGatewayV2::Route");
        assert.ok(routes.length > 0, where);
        for (const [, r] of routes) {
          assert.equal(r.Properties.AuthorizationType, "CUSTOM", where);
          assert.deepEqual(r.Properties.AuthorizerId, { Ref: authId }, where);
        }
      } else {
        const [authId, auth] = only(t, "AWS::ApiGateway::Authorizer");
        const a = auth.Properties;
        assert.equal(a.Type, want.kind, where);
        assert.deepEqual(a.IdentitySource.split(",").map((s) => s.trim()), want.identity, where);
        assert.equal(a.AuthorizerResultTtlInSeconds, 300, where);
        if (want.kind === "TOKEN") assert.match(a.IdentityValidationExpression, /^\^\[Bb\]\[Ee\]\[Aa\]\[Rr\]\[Ee\]\[Rr\] /, where);
        assert.match(JSON.stringify(a.AuthorizerUri), new RegExp(fnId), where);
        const methods = ofType(t, "AWS::ApiGateway::Method").filter(([, m]) => m.Properties.HttpMethod !== "OPTIONS");
        assert.ok(methods.length > 0, where);
        for (const [, m] of methods) {
          assert.equal(m.Properties.AuthorizationType, "CUSTOM", where);
          assert.deepEqual(m.Properties.AuthorizerId, { Ref: authId }, where);
        }
      }
      const invoke = ofType(t, "AWS::Lambda::Permission").filter(
        ([, r]) => JSON.stringify(r.Properties.FunctionName) === JSON.stringify(fnArn) && r.Properties.Principal === "apigateway.amazonaws.com",
      );
      assert.ok(invoke.length > 0, `${where}: API Gateway may not invoke the authorizer`);
    }
  }
});

test("every environment variable is one the core reads, and the core accepts the settings", async () => {
  const variables = coreVariables();
  const { outdir, templates } = synthesized.x86_64;
  const asset = assetPath(outdir, authorizerFunction(templates.JwtGateNodeHttpApi)[1]);
  const wasm = await import(pathToFileURL(join(asset, "node_modules/jwtgate/pkg/jwtgate_wasm.js")));
  wasm.initSync({ module: readFileSync(join(asset, "node_modules/jwtgate/pkg/jwtgate_wasm_bg.wasm")) });
  for (const { templates } of Object.values(synthesized)) {
    for (const [stack, t] of Object.entries(templates)) {
      const env = authorizerFunction(t)[1].Properties.Environment.Variables;
      for (const name of Object.keys(env)) assert.ok(variables.has(name), `${stack}: ${name} is not a variable the core reads`);
      const doc = JSON.parse(wasm.settingsFromEnv(JSON.stringify(env), undefined));
      assert.equal(doc.ok, true, `${stack}: ${doc.error}`);
    }
  }
  // A list is written as JSON: a value holding a comma stays one value.
  const env = lib.environment({ issuer: "https://a.example/", audience: ["api://pets,admin"], algorithms: ["ES512", "EdDSA"] });
  assert.deepEqual(env, { ISSUER: '["https://a.example/"]', AUDIENCE: '["api://pets,admin"]', ALGORITHMS: '["ES512","EdDSA"]' });
  const doc = JSON.parse(wasm.settingsFromEnv(JSON.stringify(env), undefined));
  assert.equal(doc.ok, true, doc.error);
  assert.match(JSON.stringify(doc.config), /"api:\/\/pets,admin"/);
  // The core's refusals are the construct's: the variable names agree.
  assert.equal(JSON.parse(wasm.settingsFromEnv(JSON.stringify({ ISSUER: "https://i/" }), undefined)).ok, false);
});

test("every synthesized template passes cfn-lint", async () => {
  assert.ok(existsSync(cfnLint), `${cfnLint}: run host-lambda/scripts/install-tools.sh`);
  const files = Object.values(synthesized).flatMap(({ outdir }) => STACKS.map((s) => join(outdir, `${s}.template.json`)));
  // W3005: CDK gives a function a DependsOn on the role it already reads with GetAtt (redundant,
  // not wrong); every other warning fails.
  const result = await run(cfnLint, ["--ignore-checks", "W3005", "--", ...files]).catch((e) => e);
  assert.equal(result.code ?? 0, 0, `${result.stdout}\n${result.stderr}`);
});

test("the Rust flavour deploys the architecture's zip, or the given bootstrap", () => {
  for (const [arch, { outdir, rust, templates }] of Object.entries(synthesized)) {
    for (const stack of ["JwtGateRustRestToken", "JwtGateRustHttpApi", "JwtGateRustWebSocket"]) {
      const asset = assetPath(outdir, authorizerFunction(templates[stack])[1]);
      if (rust.zip) {
        const bytes = readFileSync(asset);
        assert.equal(bytes.subarray(0, 4).toString("latin1"), "PK\x03\x04", `${arch}: a zip`);
        assert.deepEqual(bytes, readFileSync(join(root, lib.RUST_ZIPS[arch])), `${arch}: the build's zip`);
      } else {
        const bootstrap = join(asset, "bootstrap");
        assert.equal(readFileSync(bootstrap).subarray(0, 4).toString("latin1"), "\x7fELF", `${arch}: an executable`);
        assert.ok(statSync(bootstrap).mode & 0o100, `${arch}: bootstrap is executable`);
      }
    }
  }
});

test("the Node flavour's code runs as Lambda runs it: a valid token allowed, a tampered one refused", async () => {
  const { outdir, templates } = synthesized.arm64;
  const asset = assetPath(outdir, authorizerFunction(templates.JwtGateNodeRestRequest)[1]);
  assert.equal(readFileSync(join(asset, lib.NODE_HANDLER_FILE), "utf8"), lib.NODE_HANDLER);
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "k1", alg: "EdDSA", use: "sig" };
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: "EdDSA", typ: "JWT", kid: "k1" })}.${b64({ iss: "https://issuer.test/", aud: "api://test", sub: "user-1", scope: "pets:read", iat: now, exp: now + 300 })}`;
  const token = `${input}.${sign(null, Buffer.from(input), privateKey).toString("base64url")}`;
  const tampered = `${token.slice(0, -4)}${token.endsWith("AAAA") ? "BBBB" : "AAAA"}`;
  const methodArn = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/hello";
  const events = [
    { type: "TOKEN", authorizationToken: `Bearer ${token}`, methodArn },
    { type: "TOKEN", authorizationToken: `Bearer ${tampered}`, methodArn },
  ];
  // Lambda's Node runtime imports the handler module with the function's environment set.
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(join(asset, "index.mjs")).href)});
    const out = [];
    for (const event of ${JSON.stringify(events)}) {
      try { out.push({ answer: await handler(event) }); } catch (e) { out.push({ error: e.message }); }
    }
    console.log(JSON.stringify(out));`;
  const env = { PATH: process.env.PATH, ISSUER: "https://issuer.test/", AUDIENCE: "api://test", ALGORITHMS: "EdDSA", JWKS: JSON.stringify({ keys: [jwk] }) };
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: asset, env });
  const [allowed, refused] = JSON.parse(stdout.trim().split("\n").pop());
  assert.equal(allowed.answer?.principalId, "user-1", stdout);
  assert.equal(allowed.answer.policyDocument.Statement[0].Effect, "Allow");
  assert.deepEqual(refused, { error: "Unauthorized" });
});

test("the construct refuses at synth what the authorizer refuses at start", () => {
  const dir = rustCodeFor("x86_64").given ?? join(root, lib.RUST_ZIPS.x86_64);
  const make = (settings, apiType = "rest-request") => () =>
    new lib.JwtGateAuthorizer(new Stack(new App(), "S"), "G", { flavour: "rust", apiType, settings, rustCode: dir });
  const base = { issuer: "https://id.example/", audience: "api" };
  make(base)(); // accepted
  make({ issuer: "https://id.example/", allowedClientIds: ["c"] })();
  assert.throws(make({ issuer: "https://id.example/" }), /AUDIENCE/);
  assert.throws(make({ audience: "api" }), /ISSUER/);
  assert.throws(make({ ...base, jwksUri: "http://id.example/jwks" }), /JWKS_URI/);
  assert.throws(make({ ...base, algorithms: ["HS256"] }), /ALGORITHMS/);
  assert.throws(make({ ...base, tokenSources: ["cookie:a b"] }), /TOKEN_SOURCES/);
  assert.throws(make({ ...base, tokenSources: ["cookie:session"] }, "rest-token"), /TOKEN_SOURCES/);
  if (!existsSync(join(root, lib.RUST_ZIPS.arm64))) {
    const arm = () => new lib.JwtGateAuthorizer(new Stack(new App(), "S"), "G", { flavour: "rust", apiType: "http-api", architecture: "arm64", settings: base });
    assert.throws(arm, /make lambda-zip ARCH=arm64/);
  }
  const gate = new lib.JwtGateAuthorizer(new Stack(new App(), "S"), "G", { flavour: "rust", apiType: "http-api", settings: base, rustCode: dir });
  assert.throws(() => gate.restAuthorizer, /restAuthorizer of a http-api authorizer/);
  assert.throws(() => gate.webSocketAuthorizer, /webSocketAuthorizer of a http-api authorizer/);
  const ws = () => new lib.JwtGateAuthorizer(new Stack(new App(), "S"), "G", { flavour: "rust", apiType: "websocket", settings: base, rustCode: dir, resultsCacheTtl: Duration.seconds(60) });
  assert.throws(ws, /WebSocket authorizers have no cache/);
  // Where the token is decides the identity sources.
  const sources = (list, api) => lib.identitySources(api, lib.parseTokenSources(list));
  assert.deepEqual(sources(["authorization"], "rest-request"), ["method.request.header.Authorization"]);
  assert.deepEqual(sources(["header:X-Api-Token:Token", "cookie:a", "cookie:b", "query:t"], "http-api"), ["$request.header.X-Api-Token", "$request.header.Cookie", "$request.querystring.t"]);
  assert.deepEqual(sources(["query:token", "cookie:s"], "websocket"), ["route.request.querystring.token", "route.request.header.Cookie"]);
});
