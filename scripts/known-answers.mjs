// Prints the known-answer vectors of core/src/known_answers.rs: fresh keys made and signed by
// node:crypto (OpenSSL), never by our code, so the core's test of them checks our arithmetic
// against an independent signer. Run `node scripts/known-answers.mjs` and paste the table.
import { generateKeyPairSync, sign, constants } from "node:crypto";

const MESSAGE = "jwtgate known-answer check";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048, publicExponent: 65537 });
const ec = (namedCurve) => generateKeyPairSync("ec", { namedCurve });
const keys = { rsa, p256: ec("P-256"), p384: ec("P-384"), p521: ec("P-521"), ed: generateKeyPairSync("ed25519") };

const rs = (hash) => (k) => sign(hash, Buffer.from(MESSAGE), k);
const ps = (hash, saltLength) => (k) =>
  sign(hash, Buffer.from(MESSAGE), { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
const es = (hash) => (k) => sign(hash, Buffer.from(MESSAGE), { key: k, dsaEncoding: "ieee-p1363" });

const rows = [
  ["RS256", "rsa", rs("sha256")],
  ["RS384", "rsa", rs("sha384")],
  ["RS512", "rsa", rs("sha512")],
  ["PS256", "rsa", ps("sha256", 32)],
  ["PS384", "rsa", ps("sha384", 48)],
  ["PS512", "rsa", ps("sha512", 64)],
  ["ES256", "p256", es("sha256")],
  ["ES384", "p384", es("sha384")],
  ["ES512", "p521", es("sha512")],
  ["EdDSA", "ed", (k) => sign(null, Buffer.from(MESSAGE), k)],
];

const jwk = (name) => {
  const { kty, crv, n, e, x, y } = keys[name].publicKey.export({ format: "jwk" });
  return JSON.stringify(kty === "RSA" ? { e, kty, n } : y === undefined ? { crv, kty, x } : { crv, kty, x, y });
};
for (const name of Object.keys(keys)) console.log(`const ${name.toUpperCase()}: &str = r#"${jwk(name)}"#;`);
console.log("");
for (const [alg, key, signer] of rows) {
  const signature = signer(keys[key].privateKey).toString("base64url");
  console.log(`    KnownAnswer { alg: Algorithm::${alg}, jwk: ${key.toUpperCase()}, signature: "${signature}" },`);
}
