// RSA through the wasm module's own provider (the SIMD build of core/src/crypto/bigint.rs) at
// modulus sizes the Wycheproof vectors miss: their 2048, 3072, 4096 and 8192-bit keys all have
// an even limb count, and the SIMD code groups columns by four, so odd counts and both limb
// widths (28 bits up to 3,554-bit moduli, 26 above) are exercised here with node:crypto keys.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { sign, constants } from "node:crypto";
import { generateKeyPair } from "../../tests/support/keypair.mjs";

const pkg = fileURLToPath(new URL("../package/pkg/", import.meta.url));
const glue = await import(`${pkg}jwtgate_wasm.js`);
glue.initSync({ module: readFileSync(`${pkg}jwtgate_wasm_bg.wasm`) });

// Limb counts: 2048 -> 74, 2076 -> 75, 2105 -> 76, 2133 -> 77 (28-bit limbs); 3554 -> 127,
// the last 28-bit size; 3555 -> 137, 4125 -> 159 and 4150 -> 160 (26-bit limbs).
const SIZES = [2048, 2076, 2105, 2133, 3554, 3555, 4125, 4150];

for (const bits of SIZES) {
  test(`wasm RSA at ${bits} bits: valid RS256 and PS256 signatures verify, altered ones do not`, () => {
    const { privateKey, publicKey } = generateKeyPair("rsa", { modulusLength: bits });
    const jwk = JSON.stringify(publicKey.export({ format: "jwk" }));
    for (let i = 0; i < 4; i++) {
      const msg = Buffer.from(`message ${bits} ${i}`);
      const rs = sign("sha256", msg, privateKey);
      const ps = sign("sha256", msg, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      assert.equal(glue.checkSignature("RS256", jwk, msg, rs), true, `RS256 ${i}`);
      assert.equal(glue.checkSignature("PS256", jwk, msg, ps), true, `PS256 ${i}`);
      const altered = Buffer.from(rs);
      altered[altered.length - 1 - i] ^= 1;
      assert.equal(glue.checkSignature("RS256", jwk, msg, altered), false, `altered RS256 ${i}`);
      assert.equal(glue.checkSignature("RS256", jwk, Buffer.from(`other ${i}`), rs), false, `other message ${i}`);
    }
  });
}
