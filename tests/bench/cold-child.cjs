// Cold start, one process: load a bundled Lambda handler (CommonJS, as on Lambda), decide one
// TOKEN event, report times since the process started, exit.
//   node cold-child.cjs <bundle.cjs> <event.json>     (the handler's settings in the env)
// With bundle "floor": the node:crypto floor instead (fetch the JWKS, import the key, verify).
const { readFileSync } = require("node:fs");

const [bundle, eventPath] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventPath, "utf8"));
const send = (msg) => process.stdout.write(`@@bench ${JSON.stringify(msg)}\n`);

async function floor() {
  const { createPublicKey, verify } = require("node:crypto");
  const jwks = await (await fetch(process.env.JWKS_URI)).json();
  const token = event.authorizationToken.slice("Bearer ".length);
  const kid = JSON.parse(Buffer.from(token.split(".")[0], "base64url")).kid;
  const key = createPublicKey({ key: jwks.keys.find((k) => k.kid === kid), format: "jwk" });
  const dot = token.lastIndexOf(".");
  return verify("sha256", Buffer.from(token.slice(0, dot)), key, Buffer.from(token.slice(dot + 1), "base64url"));
}

const loaded = performance.now();
const handler = bundle === "floor" ? null : require(bundle).handler;
const afterLoad = performance.now();
(handler ? handler(event).then((r) => r.policyDocument.Statement[0].Effect === "Allow") : floor()).then(
  (ok) => {
    const done = performance.now();
    send({ ok, start_ms: loaded, load_ms: afterLoad - loaded, decision_ms: done - afterLoad, first_decision_ms: done });
    process.exit(0);
  },
  (e) => {
    send({ ok: false, error: String(e?.message ?? e) });
    process.exit(1);
  },
);
