// Regenerates test-keys.json: private JWKs for tests only (never trust them anywhere else).
// Usage: node tests/keys/generate.mjs > tests/keys/test-keys.json
import { generateKeyPair } from "../support/keypair.mjs";

const make = (kid, type, opts) => ({ kid, ...generateKeyPair(type, opts).privateKey.export({ format: "jwk" }) });
const keys = [
  make("rsa-2048", "rsa", { modulusLength: 2048 }),
  make("rsa-3072", "rsa", { modulusLength: 3072 }),
  make("rsa-1024-weak", "rsa", { modulusLength: 1024 }),
  make("ec-p256", "ec", { namedCurve: "P-256" }),
  make("ec-p384", "ec", { namedCurve: "P-384" }),
  make("ec-p521", "ec", { namedCurve: "P-521" }),
  make("ed25519", "ed25519", {}),
];
console.log(JSON.stringify({ comment: "TEST KEYS ONLY: published on purpose, never use outside tests", keys }, null, 1));
