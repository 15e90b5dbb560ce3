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

const HASH: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/**
 * `alg` is one the module allows and always fits the key's type (the module checked both).
 * The hashed algorithms go through `createVerify`: in Node 20 it checks the same signature
 * about 0.45 µs sooner than the one-shot `verify`, whose job wrapper costs more (bun: equal).
 * Ed25519 has no streaming form.
 */
export function nodeCryptoVerify(alg: string, publicJwk: string, message: Uint8Array, signature: Uint8Array): boolean {
  const key = keyObject(publicJwk);
  const bits = alg.slice(2);
  switch (alg.slice(0, 2)) {
    case "RS":
      return hashed(bits, message, key, signature);
    case "PS":
      // JWA: MGF1 with the same hash, salt as long as the hash; an explicit length is enforced.
      return hashed(bits, message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(bits) / 8 }, signature);
    case "ES":
      // JWS signatures are raw r||s of the curve's size; node:crypto checks the length.
      return hashed(bits, message, { key, dsaEncoding: "ieee-p1363" }, signature);
    case "Ed":
      return alg === "EdDSA" && verify(null, message, key, signature);
    default:
      return false;
  }
}

/** A signature `verify` would call malformed (an ECDSA one of the wrong length) makes
 * `createVerify` throw where the one-shot form returns false: refused either way. */
function hashed(bits: string, message: Uint8Array, key: KeyObject | VerifyKeyObjectInput, signature: Uint8Array): boolean {
  try {
    return createVerify(HASH[bits]).update(message).verify(key, signature);
  } catch {
    return false;
  }
}
