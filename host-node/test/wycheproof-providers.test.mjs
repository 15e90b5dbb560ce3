// Every Project Wycheproof signature vector the core runs (core/tests/wycheproof.rs, which
// asserts the pure-Rust answers and records them in target/wycheproof/) gives the same answer
// through the node:crypto provider. Keys the module refuses at load never reach a provider.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { nodeCryptoVerify } from "../package/dist/node-crypto-verifier.js";

const dir = fileURLToPath(new URL("../../target/wycheproof/", import.meta.url));
const FILES = ["rsa_pkcs1v15", "rsa_pss_with_jwa_parameters", "ecdsa_p1363", "ed25519"];

for (const file of FILES) {
  test(`wycheproof ${file}: node:crypto agrees with the pure-Rust provider`, (t) => {
    const path = `${dir}${file}.json`;
    // make test runs the Rust suites first; under CI a missing record is a failure.
    if (!existsSync(path)) {
      assert.notEqual(process.env.CI, "true", `${path} missing: run cargo test -p jwtgate-core --test wycheproof`);
      t.skip(`NOT RUN: ${path} missing`);
      return;
    }
    const cases = JSON.parse(readFileSync(path, "utf8"));
    let compared = 0;
    const disagreements = [];
    for (const c of cases) {
      if (c.public_jwk === null) continue;
      const got = nodeCryptoVerify(c.alg, c.public_jwk, Buffer.from(c.msg, "base64url"), Buffer.from(c.sig, "base64url"));
      if (got !== c.accepted) disagreements.push(`${c.name} tcId ${c.tcId}: node:crypto ${got}, pure Rust ${c.accepted}`);
      compared++;
    }
    assert.deepEqual(disagreements, []);
    assert.ok(compared > 100, `compared ${compared}`);
  });
}
