// Metrics in the log lines (README "Metrics and logs"): the settings, the default writer (whole
// lines on stdout, as CloudWatch reads them in Lambda), the Lambda handler's ids, custom
// loggers, `verify`. The cross-host table with an EMF reader is tests/metrics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createAuthorizer, ConfigurationError } from "../package/dist/index.js";
import { makeKey, signToken, jwks } from "./support/tokens.mjs";
import { tokenEvent } from "./support/events.mjs";

const ISSUER = "https://issuer.metrics.test/";
const NOW = 1_800_000_000;
const key = makeKey("RS256");
const token = (claims = {}) => signToken(key, { iss: ISSUER, aud: "api", sub: "user-7", exp: NOW + 300, iat: NOW - 10, ...claims });
const base = { issuer: ISSUER, audience: "api", jwks: jwks(key), now: () => NOW * 1000 };

async function logged(options, decide) {
  const lines = [];
  const a = await createAuthorizer({ ...base, ...options, log: (line) => lines.push(line) });
  await decide(a);
  return lines;
}

test("decision lines carry EMF metadata in the default namespace, with reason dimensions only when there is a reason", async () => {
  const lines = await logged({}, async (a) => {
    await a.decide(tokenEvent(token()));
    await a.decide(tokenEvent(token({ exp: NOW - 1 })));
  });
  assert.equal(lines.length, 2);
  const [allow, expired] = lines;
  assert.equal(allow.decisions, 1);
  assert.equal(allow._aws.Timestamp, NOW * 1000);
  assert.deepEqual(
    allow._aws.CloudWatchMetrics.map((d) => [d.Namespace, d.Dimensions]),
    [["jwtgate", [[], ["outcome"]]]],
  );
  assert.deepEqual(allow._aws.CloudWatchMetrics[0].Metrics, [
    { Name: "decisions", Unit: "Count" },
    { Name: "latency_ms", Unit: "Milliseconds" },
  ]);
  assert.equal(expired.reason, "token_expired");
  assert.deepEqual(
    expired._aws.CloudWatchMetrics.map((d) => d.Dimensions),
    [[[], ["outcome"]], [["outcome", "reason"]]],
  );
  // Never a claim as a dimension, never the token.
  const text = JSON.stringify(lines);
  for (const d of lines.flatMap((l) => l._aws.CloudWatchMetrics)) for (const set of d.Dimensions) for (const name of set) assert.ok(["outcome", "reason"].includes(name));
  assert.ok(!text.includes(token().split(".")[2]));
});

test("METRICS=false writes the same lines without metrics; METRICS_NAMESPACE names the namespace", async () => {
  for (const options of [{ metrics: false }, { env: { METRICS: "false" } }]) {
    const [line] = await logged(options, (a) => a.decide(tokenEvent(token())));
    assert.equal(line.outcome, "allow");
    assert.ok(!("_aws" in line) && !("decisions" in line), JSON.stringify(line));
  }
  for (const options of [{ metricsNamespace: "Shop/auth" }, { env: { METRICS_NAMESPACE: "Shop/auth" } }]) {
    const [line] = await logged(options, (a) => a.decide(tokenEvent(token())));
    assert.equal(line._aws.CloudWatchMetrics[0].Namespace, "Shop/auth");
  }
  const a = await createAuthorizer({ ...base, log: false, metricsNamespace: "x" });
  assert.equal(a.settings.metricsNamespace, "x");
});

test("a bad metrics setting is a start-up error naming it", async () => {
  for (const [options, setting] of [
    [{ metricsNamespace: "AWS/Lambda" }, "METRICS_NAMESPACE"],
    [{ metricsNamespace: "jwt\"gate" }, "METRICS_NAMESPACE"],
    [{ metricsNamespace: "n".repeat(256) }, "METRICS_NAMESPACE"],
    [{ metrics: false, metricsNamespace: "AWS/x" }, "METRICS_NAMESPACE"],
    [{ env: { METRICS: "sometimes" } }, "METRICS"],
  ]) {
    await assert.rejects(createAuthorizer({ ...base, ...options }), (e) => e instanceof ConfigurationError && e.message.includes(`${setting}:`), JSON.stringify(options));
  }
});

test("verify() lines count as decisions too", async () => {
  const lines = await logged({}, async (a) => {
    await a.verify(token());
    await a.verify("not a token").catch(() => {});
  });
  assert.deepEqual(lines.map((l) => [l.call, l.outcome, l.reason, l.decisions]), [
    ["verify", "allow", null, 1],
    ["verify", "unauthorized", "malformed_token", 1],
  ]);
  assert.deepEqual(lines[1]._aws.CloudWatchMetrics[1].Dimensions, [["outcome", "reason"]]);
});

test("the default logger writes whole JSON lines to stdout, with the Lambda handler's request and trace ids", () => {
  // A child process: its stdout is what Lambda would send to CloudWatch Logs.
  const script = `
    import { createLambdaHandler } from ${JSON.stringify(new URL("../package/dist/index.js", import.meta.url).href)};
    const [jwksText, good, bad] = JSON.parse(process.argv[1]);
    const handler = createLambdaHandler({ now: () => ${NOW * 1000}, env: { ISSUER: ${JSON.stringify(ISSUER)}, AUDIENCE: "api", JWKS: jwksText } });
    process.env._X_AMZN_TRACE_ID = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    await handler({ type: "TOKEN", authorizationToken: "Bearer " + good, methodArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets" }, { awsRequestId: "req-1" });
    delete process.env._X_AMZN_TRACE_ID;
    await handler({ type: "TOKEN", authorizationToken: "Bearer " + bad, methodArn: "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets" }, {}).catch(() => {});
  `;
  const forged = `${token().split(".").slice(0, 2).join(".")}.${"A".repeat(342)}`;
  const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, JSON.stringify([jwks(key), token(), forged])], {
    cwd: fileURLToPath(new URL(".", import.meta.url)),
    encoding: "utf8",
  });
  assert.equal(child.status, 0, child.stderr);
  const rows = child.stdout.split("\n").filter((l) => l !== "");
  assert.equal(rows.length, 2, child.stdout);
  for (const row of rows) assert.ok(row.startsWith("{") && row.endsWith("}"), `not a bare JSON line: ${row}`);
  const [first, second] = rows.map((r) => JSON.parse(r));
  assert.deepEqual([first.outcome, first.request_id, first.trace_id], ["allow", "req-1", "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"]);
  assert.deepEqual([second.outcome, second.reason, "request_id" in second, "trace_id" in second], ["unauthorized", "bad_signature", false, false]);
  assert.equal(second._aws.CloudWatchMetrics[1].Namespace, "jwtgate");
});

test("the default logger's text of a line is its JSON, the shared directives written from their kept text", async () => {
  const { lineText } = await import("../package/dist/log.js");
  const lines = await logged({}, async (a) => {
    await a.decide(tokenEvent(token()));
    await a.decide(tokenEvent(token({ exp: NOW - 1 })));
  });
  for (const line of lines) {
    const before = JSON.stringify(line);
    assert.deepEqual(JSON.parse(lineText(line)), line);
    assert.equal(JSON.stringify(line), before, "the line is left as it was");
  }
  const plain = { level: "info", msg: "x", _aws: { Timestamp: 1, CloudWatchMetrics: [] } };
  assert.equal(lineText(plain), JSON.stringify(plain), "a list not built by the package is serialised as it is");
});
