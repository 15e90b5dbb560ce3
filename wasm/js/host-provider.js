// The host side of the module's signature-check seam. The module calls `hostVerify` only in
// sessions created with the host provider; the host registers its checker once with
// `setHostVerifier`. Without one every signature is refused (reject by default).
let verifier = null;
// Bumped whenever the verifier changes: the module asks a verifier for its known answers once,
// and again after a change (`hostVerifierGeneration`).
let generation = 0;

// Each key's public JWK text by the id the module gives that key (one id is one key for the
// module instance's life, carried by the key itself): decoded once, and handed to the verifier
// as the same string object every time, so a verifier caching key objects by that text hashes
// it once.
const MAX_KEYS = 1024;
const jwkById = new Map();
const decoder = new TextDecoder();

/** `fn(alg: string, publicJwk: string, message: Uint8Array, signature: Uint8Array) => boolean` */
export function setHostVerifier(fn) {
  if (fn !== verifier) {
    verifier = fn;
    generation = (generation + 1) >>> 0;
  }
}

export function hostVerifierGeneration() {
  return generation;
}

// The JWA names by the module's algorithm codes: the order of `Algorithm::ALL` in
// core/src/alg.rs (a number crosses the boundary for free; a name is decoded every call).
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];

export function hostVerify(algCode, keyId, publicJwk, message, signature) {
  const alg = ALGORITHMS[algCode];
  if (verifier === null || alg === undefined) return false;
  try {
    // Id 0: a key the module did not tag; go by its text alone.
    let jwk = keyId === 0 ? undefined : jwkById.get(keyId);
    if (jwk === undefined) {
      jwk = decoder.decode(publicJwk);
      if (keyId !== 0) {
        if (jwkById.size >= MAX_KEYS) jwkById.clear();
        jwkById.set(keyId, jwk);
      }
    }
    return verifier(alg, jwk, message, signature) === true;
  } catch {
    return false;
  }
}
