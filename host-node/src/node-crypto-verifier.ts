// The host signature provider for Node and bun: `node:crypto` checks the signature, the module
// does everything else (parsing, key selection, claims, policy). Key objects are built once per
// public key and cached by the key's canonical JWK (the module passes it with every check).
import { constants, createPublicKey, createVerify, verify, type KeyObject, type VerifyKeyObjectInput } from "node:crypto";

const MAX_CACHED_KEYS = 1024;
const keys = new Map<string, KeyObject>();

function keyObject(publicJwk: string): KeyObject {
  let key = keys.get(publicJwk);
  if (key === undefined) {
    key = createPublicKey({ key: JSON.parse(publicJwk) as import("node:crypto").JsonWebKey, format: "jwk" });
    if (keys.size >= MAX_CACHED_KEYS) keys.clear(); // a JWKS is capped far below this
    keys.set(publicJwk, key);
  }
  return key;
}

/** How one algorithm is checked, given the key object. */
type Check = (key: KeyObject, message: Uint8Array, signature: Uint8Array) => boolean;

/**
 * The hashed algorithms go through `createVerify`: in Node 20 it checks the same signature about
 * 0.45 µs sooner than the one-shot `verify`, whose job wrapper costs more (bun: equal). A
 * signature `verify` would call malformed (an ECDSA one of the wrong length) makes it throw
 * where the one-shot form returns false: refused either way.
 */
function hashed(hash: string, options: (key: KeyObject) => KeyObject | VerifyKeyObjectInput): Check {
  return (key, message, signature) => {
    try {
      return createVerify(hash).update(message).verify(options(key), signature);
    } catch {
      return false;
    }
  };
}

const plain = (key: KeyObject) => key;
// JWA: MGF1 with the same hash, salt as long as the hash; an explicit length is enforced.
const pss = (saltLength: number) => (key: KeyObject) => ({ key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
// JWS signatures are raw r||s of the curve's size; node:crypto checks the length.
const p1363 = (key: KeyObject) => ({ key, dsaEncoding: "ieee-p1363" as const });

/** Every algorithm the module may ask for, by its JWA name (a Map: no inherited names). */
const CHECKS = new Map<string, Check>([
  ["RS256", hashed("sha256", plain)],
  ["RS384", hashed("sha384", plain)],
  ["RS512", hashed("sha512", plain)],
  ["PS256", hashed("sha256", pss(32))],
  ["PS384", hashed("sha384", pss(48))],
  ["PS512", hashed("sha512", pss(64))],
  ["ES256", hashed("sha256", p1363)],
  ["ES384", hashed("sha384", p1363)],
  ["ES512", hashed("sha512", p1363)],
  // Ed25519 has no streaming form.
  ["EdDSA", (key, message, signature) => verify(null, message, key, signature)],
]);

/** `alg` is one the module allows and always fits the key's type (the module checked both). */
export function nodeCryptoVerify(alg: string, publicJwk: string, message: Uint8Array, signature: Uint8Array): boolean {
  const check = CHECKS.get(alg);
  if (check === undefined) return false;
  return check(keyObject(publicJwk), message, signature);
}
