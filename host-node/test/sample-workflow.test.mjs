// The drop-in sample, exactly as its users run it with bun, in a temporary copy:
// bun install, cp .sample-env .env, cp sample-event.json event.json, bun run build,
// bun run test (lambda-local), bun run bundle; then the zip run as Lambda's Node.js 20.x
// runtime loads it. Tokens come from a real OpenID Provider on 127.0.0.1.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProvider, AUDIENCE } from "./support/oidc.mjs";

const hostNode = fileURLToPath(new URL("..", import.meta.url));
const bin = join(hostNode, "node_modules", ".bin");
const SAMPLE_FILES = [".sample-env", "bun.lock", "index.ts", "package.json", "sample-event.json", "tsconfig.json"];

let op;
let work;
let sample;

/** Run a command in the sample copy; resolves with {code, output} (stdout + stderr). */
function run(command, args, { timeout = 120_000 } = {}) {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: sample, timeout, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1" }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, output: `${stdout}\n${stderr}` }),
    );
  });
}

async function writeEnv(vars) {
  // The user's step: `cp .sample-env .env`, then fill in the values.
  await cp(join(sample, ".sample-env"), join(sample, ".env"));
  const template = await readFile(join(sample, ".env"), "utf8");
  const names = template.split("\n").filter(Boolean).map((line) => line.split("=")[0]);
  assert.deepEqual(names.sort(), ["AUDIENCE", "ISSUER", "JWKS_URI"]);
  await writeFile(join(sample, ".env"), `${Object.entries(vars).map(([k, v]) => `${k}=${v}`).join("\n")}\n`);
}

async function writeEvent(token) {
  // The user's step: `cp sample-event.json event.json`, then paste the token.
  await cp(join(sample, "sample-event.json"), join(sample, "event.json"));
  const text = await readFile(join(sample, "event.json"), "utf8");
  await writeFile(join(sample, "event.json"), text.replace("<REPLACE ME WITH YOUR ACCESS TOKEN>", token));
}

const goodEnv = () => ({ ISSUER: op.issuer, AUDIENCE, JWKS_URI: op.jwksUri, JWKS_ALLOW_HTTP_LOOPBACK: "true" });

before(async () => {
  op = await startProvider();
  work = await mkdtemp(join(tmpdir(), "jwtgate-sample-"));
  // The package beside the sample, as in the repository (the sample depends on file:../package):
  // package.json and what it publishes.
  await mkdir(join(work, "package"));
  const { files } = JSON.parse(await readFile(join(hostNode, "package", "package.json"), "utf8"));
  for (const part of ["package.json", ...files]) {
    await cp(join(hostNode, "package", part), join(work, "package", part), { recursive: true });
  }
  sample = join(work, "sample");
  await mkdir(sample);
  for (const file of SAMPLE_FILES) await cp(join(hostNode, "sample", file), join(sample, file));
});

after(async () => {
  await op?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

test("bun install (frozen lock file), build, test with lambda-local, bundle", async (t) => {
  const install = await run("bun", ["install", "--frozen-lockfile"]);
  assert.equal(install.code, 0, install.output);

  const build = await run("bun", ["run", "build"]);
  assert.equal(build.code, 0, build.output);
  assert.doesNotMatch(build.output, /warning/i);

  const typecheck = await run("bun", ["run", "ci"]);
  assert.equal(typecheck.code, 0, typecheck.output);

  await writeEnv(goodEnv());
  const token = await op.token();
  await writeEvent(token);

  await t.test("a freshly minted token: an Allow policy with principalId", async () => {
    const r = await run("bun", ["run", "test"]);
    assert.equal(r.code, 0, r.output);
    assert.match(r.output, /"principalId": "svc-client"/);
    assert.match(r.output, /"Effect": "Allow"/);
    assert.match(r.output, /"Resource": "arn:aws:execute-api:us-east-1:1234567890:apiId\/stage\/\*\/\*"/);
    assert.ok(!r.output.includes(token.split(".")[2]), "the signature is never logged");
  });

  await t.test("a tampered token: Unauthorized", async () => {
    await writeEvent(`${token.slice(0, -6)}AAAAAA`);
    const r = await run("bun", ["run", "test"]);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /"errorMessage": "Unauthorized"/);
  });

  await t.test("a malformed Authorization value: Unauthorized, not a crash", async () => {
    await writeFile(join(sample, "event.json"), JSON.stringify({ type: "TOKEN", authorizationToken: "Bearer", methodArn: "arn:aws:execute-api:us-east-1:1:a/s/GET/x" }));
    const r = await run("bun", ["run", "test"]);
    assert.match(r.output, /"errorMessage": "Unauthorized"/);
  });

  await t.test("a missing setting: Misconfigured environment variables and the reason", async () => {
    const { AUDIENCE: _, ...rest } = goodEnv();
    await writeEnv(rest);
    await writeEvent(token);
    const r = await run("bun", ["run", "test"]);
    assert.match(r.output, /Misconfigured environment variables: invalid configuration: AUDIENCE: give the accepted audiences, or allowed_client_ids/);
    await writeEnv(goodEnv());
  });

  await t.test("bun run bundle: dist/token-authorizer.zip with the cjs and the wasm, runnable by Node 20", async () => {
    const bundle = await run("bun", ["run", "bundle"]);
    assert.equal(bundle.code, 0, bundle.output);
    const zip = join(sample, "dist", "token-authorizer.zip");
    const listing = await new Promise((resolve, reject) =>
      execFile("unzip", ["-Z1", zip], (e, out) => (e ? reject(e) : resolve(out.trim().split("\n").sort()))),
    );
    assert.deepEqual(listing, ["index.cjs", "jwtgate_wasm_bg.wasm"]);

    // Unpacked into an empty folder and loaded the way the Lambda runtime loads `index.handler`.
    const lambdaRoot = join(work, "lambda-task");
    await mkdir(lambdaRoot);
    await new Promise((resolve, reject) => execFile("unzip", ["-q", zip, "-d", lambdaRoot], (e) => (e ? reject(e) : resolve())));
    const fresh = await op.token("RS256");
    const script = `
      const { handler } = require(${JSON.stringify(join(lambdaRoot, "index.cjs"))});
      const event = (t) => ({ type: "TOKEN", authorizationToken: "Bearer " + t, methodArn: "arn:aws:execute-api:us-east-1:1:a/s/GET/x" });
      (async () => {
        const out = [];
        for (const t of [${JSON.stringify(fresh)}, ${JSON.stringify(fresh)}, "garbage"]) {
          try { out.push((await handler(event(t))).policyDocument.Statement[0].Effect); }
          catch (e) { out.push(e.message); }
        }
        process.stdout.write("RESULT " + JSON.stringify(out) + "\\n");
      })();`;
    const jwksBefore = op.state.jwksRequests;
    const r = await new Promise((resolve) =>
      execFile(process.execPath, ["-e", script], { cwd: lambdaRoot, env: { ...process.env, ...goodEnv() }, timeout: 30_000 }, (e, stdout, stderr) =>
        resolve({ e, stdout, stderr }),
      ),
    );
    assert.equal(r.e, null, r.stderr);
    assert.match(r.stdout, /RESULT \["Allow","Allow","Unauthorized"\]/);
    assert.equal(op.state.jwksRequests - jwksBefore, 1, "keys cached across warm invocations");
  });
});
