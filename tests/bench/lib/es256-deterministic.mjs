// ES256 signatures that are the same every time (the instructions measure's fixture): ECDSA over
// P-256 with SHA-256 and a nonce derived from the key and the message (HMAC-SHA256(d, hash), not
// RFC 6979's construction, which this fixture does not need), since node:crypto's ECDSA nonce is
// random and a verifier's work depends a little on the signature. Test keys only; BigInt
// arithmetic, not constant time. Every signature is checked with node:crypto before use.
import { createHmac, createHash, createPublicKey, verify } from "node:crypto";

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const G = [0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n, 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n, 1n];

const mod = (a, m) => ((a % m) + m) % m;
const toBig = (buf) => BigInt(`0x${Buffer.from(buf).toString("hex") || "0"}`);
const toBytes = (v) => Buffer.from(v.toString(16).padStart(64, "0"), "hex");

function inv(a, m) {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

// Jacobian coordinates (X, Y, Z), x = X/Z², y = Y/Z³; Z = 0 is the point at infinity; a = -3.
function double([X, Y, Z]) {
  if (Z === 0n || Y === 0n) return [0n, 1n, 0n];
  const delta = mod(Z * Z, P);
  const gamma = mod(Y * Y, P);
  const beta = mod(X * gamma, P);
  const alpha = mod(3n * (X - delta) * (X + delta), P);
  const X3 = mod(alpha * alpha - 8n * beta, P);
  const Z3 = mod((Y + Z) * (Y + Z) - gamma - delta, P);
  const Y3 = mod(alpha * (4n * beta - X3) - 8n * gamma * gamma, P);
  return [X3, Y3, Z3];
}

function add(p1, p2) {
  if (p1[2] === 0n) return p2;
  if (p2[2] === 0n) return p1;
  const [X1, Y1, Z1] = p1;
  const [X2, Y2, Z2] = p2;
  const Z1Z1 = mod(Z1 * Z1, P);
  const Z2Z2 = mod(Z2 * Z2, P);
  const U1 = mod(X1 * Z2Z2, P);
  const U2 = mod(X2 * Z1Z1, P);
  const S1 = mod(Y1 * Z2 * Z2Z2, P);
  const S2 = mod(Y2 * Z1 * Z1Z1, P);
  if (U1 === U2) return S1 === S2 ? double(p1) : [0n, 1n, 0n];
  const H = mod(U2 - U1, P);
  const R = mod(S2 - S1, P);
  const HH = mod(H * H, P);
  const HHH = mod(H * HH, P);
  const X3 = mod(R * R - HHH - 2n * U1 * HH, P);
  const Y3 = mod(R * (U1 * HH - X3) - S1 * HHH, P);
  return [X3, Y3, mod(H * Z1 * Z2, P)];
}

function mulG(k) {
  let acc = [0n, 1n, 0n];
  for (let i = 255; i >= 0; i--) {
    acc = double(acc);
    if ((k >> BigInt(i)) & 1n) acc = add(acc, G);
  }
  return acc;
}

/** The JWS ES256 signature (r ‖ s, 64 bytes) of `input` by the P-256 private JWK `jwk`. */
export function signEs256(jwk, input) {
  const d = toBig(Buffer.from(jwk.d, "base64url"));
  const hash = createHash("sha256").update(input).digest();
  const e = toBig(hash);
  for (let counter = 0; ; counter++) {
    const k = mod(toBig(createHmac("sha256", Buffer.from(jwk.d, "base64url")).update(hash).update(String(counter)).digest()), N - 1n) + 1n;
    const [X, , Z] = mulG(k);
    const zi = inv(Z, P);
    const r = mod(X * zi * zi, P) % N;
    const s = mod(inv(k, N) * (e + r * d), N);
    if (r === 0n || s === 0n) continue;
    const sig = Buffer.concat([toBytes(r), toBytes(s)]);
    const pub = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, format: "jwk" });
    if (!verify("sha256", Buffer.from(input), { key: pub, dsaEncoding: "ieee-p1363" }, sig)) throw new Error("signEs256: node:crypto refused the signature");
    return sig;
  }
}
