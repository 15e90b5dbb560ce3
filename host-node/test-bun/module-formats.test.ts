// The package as published, under bun: `require("jwtgate")` from a .cjs file reaches the
// CommonJS build, `import` from a .mjs file the ES modules; each decides real tokens from the
// OpenID Provider on 127.0.0.1, and one process may load both.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
// @ts-expect-error: plain JavaScript test support shared with the node:test suites
import { startProvider, AUDIENCE } from "../test/support/oidc.mjs";
// @ts-expect-error
import { installedPackage } from "../test/support/consumer.mjs";

const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets";

let op: any;
let consumer: { dir: string; close: () => Promise<void> };

beforeAll(async () => {
  op = await startProvider();
  consumer = await installedPackage({ type: "commonjs" });
}, 120_000);

afterAll(async () => {
  await op?.close();
  await consumer?.close();
});

/** What each script does with the module it loaded, whichever way: prints one JSON line. */
const BODY = `
  const env = JSON.parse(process.env.GOOD_ENV);
  const event = (token) => ({ type: "TOKEN", authorizationToken: "Bearer " + token, methodArn: ${JSON.stringify(METHOD_ARN)} });
  const handler = jwtgate.createLambdaHandler({ env, log: false });
  const allowed = await handler(event(process.env.TOKEN));
  const refused = await handler(event(process.env.TOKEN.slice(0, -6) + "AAAAAA")).catch((e) => e);
  const misconfigured = await jwtgate.createAuthorizer({ env: {} }).catch((e) => e);
  console.log(JSON.stringify({
    resolved,
    principalId: allowed.principalId,
    effect: allowed.policyDocument.Statement[0].Effect,
    refused: [refused instanceof jwtgate.AuthorizerError, refused.message, refused.reason],
    misconfigured: [misconfigured instanceof jwtgate.ConfigurationError, misconfigured.message.split(":")[1]],
  }));
`;

/** Run `bun file` in the consumer project; resolves with the JSON line it printed. */
async function runBun(file: string, source: string): Promise<any> {
  await writeFile(join(consumer.dir, file), source);
  const env = { ...process.env, GOOD_ENV: JSON.stringify({ ISSUER: op.issuer, AUDIENCE, JWKS_URI: op.jwksUri, JWKS_ALLOW_HTTP_LOOPBACK: "true" }), TOKEN: await op.token("RS256") };
  const { error, stdout, stderr } = await new Promise<{ error: Error | null; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, [file], { cwd: consumer.dir, env, timeout: 60_000 }, (error, stdout, stderr) => resolve({ error, stdout, stderr })),
  );
  expect(stderr).not.toMatch(/error/i);
  expect(error).toBeNull();
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

const expected = (resolved: string) => ({
  resolved,
  principalId: "svc-client",
  effect: "Allow",
  refused: [true, "Unauthorized", "bad_signature"],
  misconfigured: [true, " ISSUER"],
});

test("require from a .cjs file: the CommonJS build", async () => {
  const out = await runBun(
    "consumer.cjs",
    `const jwtgate = require("jwtgate");\nconst resolved = require.resolve("jwtgate");\n(async () => {${BODY}})();\n`,
  );
  expect(out).toEqual(expected(join(consumer.dir, "node_modules/jwtgate/cjs/index.js")));
}, 60_000);

test("import from a .mjs file: the ES modules", async () => {
  const out = await runBun(
    "consumer.mjs",
    `import * as jwtgate from "jwtgate";\nimport { fileURLToPath } from "node:url";\nconst resolved = fileURLToPath(import.meta.resolve("jwtgate"));\n${BODY}\n`,
  );
  expect(out).toEqual(expected(join(consumer.dir, "node_modules/jwtgate/dist/index.js")));
}, 60_000);

test("both in one process: each decides, errors pass instanceof across them", async () => {
  const out = await runBun(
    "both.mjs",
    `import * as esm from "jwtgate";
import { createRequire } from "node:module";
const cjs = createRequire(import.meta.url)("jwtgate");
const env = JSON.parse(process.env.GOOD_ENV);
const event = { type: "TOKEN", authorizationToken: "Bearer " + process.env.TOKEN, methodArn: ${JSON.stringify(METHOD_ARN)} };
const out = {};
for (const [name, m] of [["esm", esm], ["cjs", cjs]]) {
  const a = await m.createAuthorizer({ env, log: false });
  out[name] = [
    (await a.authorize(event)).policyDocument.Statement[0].Effect,
    await a.verify("x.y.z").catch((e) => [e instanceof esm.AuthorizerError, e instanceof cjs.AuthorizerError, e instanceof esm.ConfigurationError]),
    await m.createAuthorizer({ env: {} }).catch((e) => [e instanceof esm.ConfigurationError, e instanceof cjs.ConfigurationError, e instanceof cjs.AuthorizerError]),
  ];
}
console.log(JSON.stringify(out));
`,
  );
  expect(out).toEqual({
    esm: ["Allow", [true, true, false], [true, true, false]],
    cjs: ["Allow", [true, true, false], [true, true, false]],
  });
}, 60_000);
