// Key pairs for tests, safe to export as JWK.
//
// Node 20 can deadlock when a key object returned by generateKeyPairSync is exported as JWK:
// the export holds the key's lock while it allocates strings, an allocation may run garbage
// collection, and collecting the finished key-generation job takes the same lock (seen as a
// test hanging for minutes in `publicKey.export({ format: "jwk" })`). Keys rebuilt from their
// DER encoding are objects of their own that no job holds, so exporting them cannot deadlock.
import { createPrivateKey, createPublicKey, generateKeyPairSync } from "node:crypto";

/** `generateKeyPairSync(type, options)`'s key objects, rebuilt from DER. */
export function generateKeyPair(type, options = {}) {
  const { privateKey: der } = generateKeyPairSync(type, {
    ...options,
    privateKeyEncoding: { type: "pkcs8", format: "der" },
    publicKeyEncoding: { type: "spki", format: "der" },
  });
  const privateKey = createPrivateKey({ key: der, format: "der", type: "pkcs8" });
  return { privateKey, publicKey: createPublicKey(privateKey) };
}
