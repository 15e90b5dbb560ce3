// The host side of the module's signature-check seam. The module calls `hostVerify` only in
// sessions created with the host provider; the host registers its checker once with
// `setHostVerifier`. Without one every signature is refused (reject by default).
let verifier = null;

/** `fn(alg: string, publicJwk: string, message: Uint8Array, signature: Uint8Array) => boolean` */
export function setHostVerifier(fn) {
  verifier = fn;
}

export function hostVerify(alg, publicJwk, message, signature) {
  if (verifier === null) return false;
  try {
    return verifier(alg, publicJwk, message, signature) === true;
  } catch {
    return false;
  }
}
