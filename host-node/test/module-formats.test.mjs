// The package as published, in both module formats: `require("jwtgate")` (cjs/, one CommonJS
// file) and `import "jwtgate"` (dist/, ES modules), each with its declarations. A new project
// installs the `npm pack` tarball; a plain CommonJS Lambda handler, unbundled, runs under
// lambda-local; tsc checks a CommonJS and an ES module consumer; one process loads both forms.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startProvider, AUDIENCE } from "./support/oidc.mjs";
import { installedPackage, packListing } from "./support/consumer.mjs";

const hostNode = fileURLToPath(new URL("..", import.meta.url));
const bin = join(hostNode, "node_modules", ".bin");
const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";

// Node 20.19+ would load the ES module build through `require` too (require(esm)); turned
// off, a `require` that reached an ES module fails, so a pass proves the CommonJS build ran.
const NO_REQUIRE_ESM = process.allowedNodeEnvironmentFlags.has("--no-experimental-require-module")
  ? "--no-experimental-require-module"
  : "";

let op;
let consumer;

before(async () => {
  op = await startProvider();
  consumer = await installedPackage({ type: "commonjs" });
});

after(async () => {
  await op?.close();
  await consumer?.close();
});

const goodEnv = () => ({ ISSUER: op.issuer, AUDIENCE, JWKS_URI: op.jwksUri, JWKS_ALLOW_HTTP_LOOPBACK: "true" });

/** Run a command in the consumer project; resolves with {code, stdout, stderr}. */
function run(command, args, { env = {}, timeout = 60_000 } = {}) {
  return new Promise((resolve) =>
    execFile(
      command,
      args,
      { cwd: consumer.dir, timeout, maxBuffer: 16 << 20, env: { ...process.env, NODE_OPTIONS: NO_REQUIRE_ESM, NO_COLOR: "1", ...env } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

test("npm pack: both entry points and both declaration sets, the .wasm, nothing of src/ or the tests", async () => {
  const listing = await packListing();
  const paths = listing.files.map((f) => f.path).sort();
  for (const required of [
    "package.json",
    "README.md",
    "dist/index.js",
    "dist/index.d.ts",
    "dist/edge.js",
    "dist/edge.d.ts",
    "cjs/index.js",
    "cjs/index.d.ts",
    "cjs/package.json",
    "pkg/jwtgate_wasm.js",
    "pkg/jwtgate_wasm_bg.wasm",
  ]) {
    assert.ok(paths.includes(required), `${required} is published (got: ${paths.join(", ")})`);
  }
  for (const path of paths) {
    assert.match(path, /^(package\.json|README\.md|dist\/|cjs\/|pkg\/)/, `${path} is not published`);
    assert.doesNotMatch(path, /(^|\/)(src|test|test-bun|test-edge|sample|node_modules)\//, path);
    assert.doesNotMatch(path, /\.map$/, path);
    if (path.endsWith(".ts")) assert.match(path, /\.d\.ts$/, `${path}: only declarations are published`);
  }
  // The CommonJS build is one file: its own modules and the module's glue are bundled in.
  assert.deepEqual(paths.filter((p) => p.startsWith("cjs/") && p.endsWith(".js")), ["cjs/index.js"]);

  // Every file the exports map and main/types name is in the tarball.
  const manifest = JSON.parse(await readFile(join(hostNode, "package", "package.json"), "utf8"));
  const targets = new Set([manifest.main, manifest.types]);
  const walk = (value) => (typeof value === "string" ? targets.add(value) : Object.values(value).forEach(walk));
  walk(manifest.exports);
  for (const target of targets) assert.ok(paths.includes(target.replace(/^\.\//, "")), `${target} (named by package.json) is published`);
  assert.equal(JSON.parse(await readFile(join(hostNode, "package", "cjs", "package.json"), "utf8")).type, "commonjs");
});

test("resolution by name: `require` reaches cjs/index.js, `import` reaches dist/index.js", async () => {
  const r = await run(process.execPath, ["-e", `process.stdout.write(require.resolve("jwtgate"))`]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.endsWith("/node_modules/jwtgate/cjs/index.js"), r.stdout);

  const esm = await run(process.execPath, ["--input-type=module", "-e", `process.stdout.write(import.meta.resolve("jwtgate"))`]);
  assert.equal(esm.code, 0, esm.stderr);
  assert.ok(esm.stdout.endsWith("/node_modules/jwtgate/dist/index.js"), esm.stdout);
});

test("a plain CommonJS Lambda handler, not bundled, under lambda-local", async (t) => {
  // What a user writes: one index.js beside node_modules, no build step.
  await writeFile(join(consumer.dir, "index.js"), `exports.handler = require("jwtgate").createLambdaHandler();\n`);
  const token = await op.token("RS256");
  const lambdaLocal = (event, env) =>
    writeFile(join(consumer.dir, "event.json"), JSON.stringify(event)).then(() =>
      run(join(bin, "lambda-local"), ["-l", "index.js", "-h", "handler", "-e", "event.json", "-t", "30", "-E", JSON.stringify(env)]),
    );
  const tokenEvent = (t) => ({ type: "TOKEN", authorizationToken: `Bearer ${t}`, methodArn: METHOD_ARN });

  await t.test("a valid token: Allow, principalId = sub", async () => {
    const r = await lambdaLocal(tokenEvent(token), goodEnv());
    const output = r.stdout + r.stderr;
    assert.equal(r.code, 0, output);
    assert.match(output, /"principalId": "svc-client"/);
    assert.match(output, /"Effect": "Allow"/);
    assert.ok(!output.includes(token.split(".")[2]), "the signature is never logged");
  });

  await t.test("a tampered token: Unauthorized", async () => {
    const r = await lambdaLocal(tokenEvent(`${token.slice(0, -6)}AAAAAA`), goodEnv());
    assert.match(r.stdout + r.stderr, /"errorMessage": "Unauthorized"/);
  });

  await t.test("a missing setting: Misconfigured environment variables, naming it", async () => {
    const { AUDIENCE: _, ...rest } = goodEnv();
    const r = await lambdaLocal(tokenEvent(token), rest);
    assert.match(r.stdout + r.stderr, /Misconfigured environment variables: invalid configuration: AUDIENCE/);
  });
});

test("one process loads both forms: each works, errors pass `instanceof` across them", async () => {
  // An ES module program using a CommonJS library that uses jwtgate: two copies of the code,
  // each with its own module instance (harmless: every authorizer has its own keys anyway).
  await writeFile(
    join(consumer.dir, "both.mjs"),
    `
    import { createRequire } from "node:module";
    import * as esm from "jwtgate";
    const cjs = createRequire(import.meta.url)("jwtgate");
    const env = JSON.parse(process.env.GOOD_ENV);
    const event = { type: "TOKEN", authorizationToken: "Bearer " + process.env.TOKEN, methodArn: ${JSON.stringify(METHOD_ARN)} };
    const out = { twoCopies: esm.createAuthorizer !== cjs.createAuthorizer };
    for (const [name, m] of [["esm", esm], ["cjs", cjs]]) {
      const a = await m.createAuthorizer({ env, log: false });
      out[name + "Effect"] = (await a.authorize(event)).policyDocument.Statement[0].Effect;
      const refused = await a.verify("x.y.z").catch((e) => e);
      out[name + "AuthorizerError"] = [refused instanceof esm.AuthorizerError, refused instanceof cjs.AuthorizerError, refused.reason];
      const misconfigured = await m.createAuthorizer({ env: {} }).catch((e) => e);
      out[name + "ConfigurationError"] = [misconfigured instanceof esm.ConfigurationError, misconfigured instanceof cjs.ConfigurationError];
      out[name + "NotConfused"] = [refused instanceof esm.ConfigurationError, misconfigured instanceof cjs.AuthorizerError, new Error("x") instanceof m.AuthorizerError];
    }
    class Mine extends esm.ConfigurationError {}
    out.subclass = [new Mine("m") instanceof esm.ConfigurationError, new Mine("m") instanceof cjs.ConfigurationError, new esm.ConfigurationError("c") instanceof Mine];
    process.stdout.write(JSON.stringify(out));
    `,
  );
  const r = await run(process.execPath, ["both.mjs"], { env: { GOOD_ENV: JSON.stringify(goodEnv()), TOKEN: await op.token("RS256") } });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out, {
    twoCopies: true,
    esmEffect: "Allow",
    cjsEffect: "Allow",
    esmAuthorizerError: [true, true, "invalid_base64"],
    cjsAuthorizerError: [true, true, "invalid_base64"],
    esmConfigurationError: [true, true],
    cjsConfigurationError: [true, true],
    esmNotConfused: [false, false, false],
    cjsNotConfused: [false, false, false],
    subclass: [true, true, false],
  });
});

test("tsc (node16 and nodenext): a CommonJS and an ES module consumer get the declarations of their form", async () => {
  const consumerSource = (header) => `${header}
const handler = createLambdaHandler();
export async function use(event: unknown): Promise<string> {
  try {
    const authorizer: Authorizer = await createAuthorizer({ issuer: "https://id.example/", audience: "api" });
    return (await authorizer.decide(event)).outcome;
  } catch (e) {
    if (e instanceof AuthorizerError) return e.reason;
    if (e instanceof ConfigurationError) return e.message;
    return String(await handler(event));
  }
}
// @ts-expect-error: not a reason code (the declarations are real types, not \`any\`)
export const wrong: ReasonCode = "no_such_reason";
`;
  const names = "createAuthorizer, createLambdaHandler, AuthorizerError, ConfigurationError, type Authorizer, type ReasonCode";
  await writeFile(join(consumer.dir, "consumer.cts"), consumerSource(`import { ${names} } from "jwtgate";\nimport jwtgate = require("jwtgate");\nexport const same = jwtgate.createAuthorizer === createAuthorizer;`));
  await writeFile(join(consumer.dir, "consumer.mts"), consumerSource(`import { ${names} } from "jwtgate";`));
  // Strict, with the package's declarations checked too. They name web platform types (fetch,
  // WebAssembly): the DOM library here, @types/node in a Node project, either will do.
  const compilerOptions = { noEmit: true, strict: true, skipLibCheck: false, target: "es2022", lib: ["es2022", "dom"], types: [] };
  for (const mode of ["node16", "nodenext"]) {
    const options = { ...compilerOptions, module: mode, moduleResolution: mode };
    await writeFile(join(consumer.dir, "tsconfig.json"), JSON.stringify({ compilerOptions: options, files: ["consumer.cts", "consumer.mts"] }));
    const r = await run(join(bin, "tsc"), ["-p", "tsconfig.json", "--explainFiles"], { timeout: 120_000 });
    assert.equal(r.code, 0, `${mode}:\n${r.stdout}${r.stderr}`);
    // --explainFiles: each file of the program, then indented lines saying why it is there.
    const why = new Map();
    let current;
    for (const line of r.stdout.split("\n")) {
      if (/^\S/.test(line)) {
        current = line.trim();
        why.set(current, []);
      }
      else if (current && line.trim()) why.get(current).push(line.trim());
    }
    const explain = (path) => why.get(path) ?? assert.fail(`${mode}: ${path} is not in the program:\n${r.stdout}`);
    const cjs = explain("node_modules/jwtgate/cjs/index.d.ts");
    assert.ok(cjs.some((l) => l.startsWith(`Imported via "jwtgate" from file 'consumer.cts'`)), cjs.join("\n"));
    assert.ok(!cjs.some((l) => l.includes("'consumer.mts'")), cjs.join("\n"));
    assert.ok(cjs.some((l) => l.startsWith("File is CommonJS module")), cjs.join("\n"));
    const esm = explain("node_modules/jwtgate/dist/index.d.ts");
    assert.ok(esm.some((l) => l.startsWith(`Imported via "jwtgate" from file 'consumer.mts'`)), esm.join("\n"));
    assert.ok(!esm.some((l) => l.includes("'consumer.cts'")), esm.join("\n"));
    assert.ok(esm.some((l) => l.startsWith("File is ECMAScript module")), esm.join("\n"));
  }
});
