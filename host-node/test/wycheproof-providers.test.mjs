// Every Project Wycheproof signature vector the core runs (core/tests/wycheproof.rs, which
// asserts the native pure-Rust answers and records them in target/wycheproof/) gives the same
// answer through the wasm module's own provider (the SIMD build) and through node:crypto.
// Keys the module refuses at load never reach a provider.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { nodeCryptoVerify } from "../package/dist/node-crypto-verifier.js";

const pkg = fileURLToPath(new URL("../package/pkg/", import.meta.url));
const glue = await import(`${pkg}jwtgate_wasm.js`);
glue.initSync({ module: readFileSync(`${pkg}jwtgate_wasm_bg.wasm`) });
const PROVIDERS = {
  "node:crypto": nodeCryptoVerify,
  "wasm pure Rust": glue.checkSignature,
};

const dir = fileURLToPath(new URL("../../target/wycheproof/", import.meta.url));
const FILES = ["rsa_pkcs1v15", "rsa_pss_with_jwa_parameters", "ecdsa_p1363", "ed25519"];

for (const file of FILES) {
  test(`wycheproof ${file}: the wasm module and node:crypto agree with the native core`, (t) => {
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
      const msg = Buffer.from(c.msg, "base64url");
      const sig = Buffer.from(c.sig, "base64url");
      for (const [provider, verify] of Object.entries(PROVIDERS)) {
        const got = verify(c.alg, c.public_jwk, msg, sig);
        if (got !== c.accepted) disagreements.push(`${c.name} tcId ${c.tcId}: ${provider} ${got}, native ${c.accepted}`);
        compared++;
      }
    }
    assert.deepEqual(disagreements, []);
    assert.ok(compared > 100, `compared ${compared}`);
  });
}
