//! ECDSA signature verification (FIPS 186-5 section 6.4.2, SEC 1 section 4.1.4) for JWS:
//! the signature is the fixed-width concatenation r || s (RFC 7518 section 3.4), and the
//! message digest is never longer than the group order (SHA-256 for P-256, SHA-384 for P-384,
//! SHA-512 for the 521-bit order of P-521), so it is used whole, untruncated.

use super::curve::{Affine, Curve, P256, P384, Q_TABLE_LEN, Tables, p521};
use super::field::{self, Limbs};
use core::fmt;
use std::sync::OnceLock;

/// A public key that passed the curve checks, with the tables its scalar multiplication uses.
/// The tables are built at the key's first signature check, not when the JWKS is loaded: a key
/// set holds keys that may never be used (`verifyWithKeys` parses one per call), and building
/// them costs far more than loading the key (about 0.2 ms for P-256 in wasm).
#[derive(Clone)]
pub struct VerifyingKey<const L: usize> {
    curve: &'static Curve<L>,
    point: Affine<L>,
    tables: OnceLock<Option<Tables<L, Q_TABLE_LEN>>>,
}

/// An ES256 key.
pub type P256Key = VerifyingKey<9>;
/// An ES384 key.
pub type P384Key = VerifyingKey<14>;
/// An ES512 key.
pub type P521Key = VerifyingKey<19>;

impl P256Key {
    /// From the JWK's `x` and `y` (32 bytes each); `None` unless a point on P-256.
    pub fn p256(x: &[u8], y: &[u8]) -> Option<Box<P256Key>> {
        VerifyingKey::new(&P256, x, y)
    }
}

impl P384Key {
    /// From the JWK's `x` and `y` (48 bytes each); `None` unless a point on P-384.
    pub fn p384(x: &[u8], y: &[u8]) -> Option<Box<P384Key>> {
        VerifyingKey::new(&P384, x, y)
    }
}

impl P521Key {
    /// From the JWK's `x` and `y` (66 bytes each); `None` unless a point on P-521.
    pub fn p521(x: &[u8], y: &[u8]) -> Option<Box<P521Key>> {
        VerifyingKey::new(p521(), x, y)
    }
}

impl<const L: usize> VerifyingKey<L> {
    fn new(curve: &'static Curve<L>, x: &[u8], y: &[u8]) -> Option<Box<VerifyingKey<L>>> {
        if x.len() != curve.byte_len || y.len() != curve.byte_len {
            return None;
        }
        let point = curve.affine_from_be(x, y)?;
        Some(Box::new(VerifyingKey { curve, point, tables: OnceLock::new() }))
    }

    /// Whether `signature` (r || s) signs `digest`, which must be the curve's digest length.
    pub fn verify_digest(&self, digest: &[u8], signature: &[u8]) -> bool {
        let curve = self.curve;
        let n = &curve.order;
        if digest.len() != curve.digest_len || signature.len() != 2 * curve.byte_len {
            return false;
        }
        let (r_be, s_be) = signature.split_at(curve.byte_len);
        let (Some(r), Some(s)) = (scalar_in_range(curve, r_be), scalar_in_range(curve, s_be)) else {
            return false;
        };
        // e < 2^bits(n) < 2n (the digest is no longer than the order): a valid input to the
        // Montgomery multiplication below.
        let Some(e) = field::limbs_from_be::<L>(digest) else {
            return false;
        };
        // w = s^-1 in Montgomery form, so e * w and r * w come out as plain integers mod n.
        let w = n.invert(&n.to_montgomery(&s));
        let u1 = n.mul_integer(&e, &w);
        let u2 = n.mul_integer(&r, &w);
        // A point on a prime-order curve always has its tables; `None` would only refuse.
        let Some(tables) = self.tables.get_or_init(|| curve.tables::<Q_TABLE_LEN>(&self.point)) else {
            return false;
        };
        curve.mul_add_generator(&u1, &u2, tables).is_some_and(|point| curve.x_mod_order_is(&point, &r))
    }
}

/// A scalar of r || s: in [1, n - 1], else `None`.
fn scalar_in_range<const L: usize>(curve: &Curve<L>, be: &[u8]) -> Option<Limbs<L>> {
    let value = field::limbs_from_be::<L>(be)?;
    let in_range = !field::is_zero_limbs(&value) && field::less_than(&value, curve.order.modulus());
    in_range.then_some(value)
}

impl<const L: usize> fmt::Debug for VerifyingKey<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({})", self.curve.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::field::tests::TestRng;
    use sha2::{Digest, Sha256, Sha384};

    /// Sign with RustCrypto (independent of this code) and check ours agrees, for random keys
    /// and messages; then every single-bit change of the signature must fail.
    macro_rules! agrees_with_rustcrypto {
        ($name:ident, $crate_:ident, $hash:ident, $make:expr, $len:expr) => {
            #[test]
            fn $name() {
                use $crate_::ecdsa::signature::hazmat::PrehashSigner;
                let mut rng = TestRng(0x5eed ^ $len);
                for round in 0..24 {
                    let secret = loop {
                        if let Ok(k) = $crate_::ecdsa::SigningKey::from_slice(&rng.bytes($len)) {
                            break k;
                        }
                    };
                    // (p521 0.13's `verifying_key()` is behind a feature it never defines.)
                    let point = $crate_::ecdsa::VerifyingKey::from(&secret).to_encoded_point(false);
                    let (x, y) = (point.x().unwrap().to_vec(), point.y().unwrap().to_vec());
                    let key = $make(&x, &y).unwrap();
                    let digest = $hash::digest(rng.bytes(round));
                    let sig: $crate_::ecdsa::Signature = secret.sign_prehash(&digest).unwrap();
                    let sig = sig.to_bytes().to_vec();
                    assert!(key.verify_digest(&digest, &sig), "round {round}");
                    // (r, n - s) is the same signature with the nonce negated: ECDSA accepts it.
                    let (r, s) = sig.split_at($len);
                    let s = field::limbs_from_be::<{ L }>(s).unwrap();
                    let (minus_s, _) = field::sub_limbs(key.curve.order.modulus(), &s);
                    let mut high = r.to_vec();
                    high.extend_from_slice(&field::limbs_to_be::<{ L }, $len>(&minus_s));
                    assert!(key.verify_digest(&digest, &high));
                    if round < 4 {
                        for bit in 0..sig.len() * 8 {
                            let mut bad = sig.clone();
                            bad[bit / 8] ^= 1 << (bit % 8);
                            assert!(!key.verify_digest(&digest, &bad), "bit {bit}");
                        }
                        let mut other = digest.to_vec();
                        other[0] ^= 1;
                        assert!(!key.verify_digest(&other, &sig));
                    }
                }
            }
        };
    }

    const L: usize = 9;
    agrees_with_rustcrypto!(p256_agrees_with_rustcrypto, p256, Sha256, P256Key::p256, 32);

    mod p384_case {
        use super::super::*;
        use crate::crypto::field::tests::TestRng;
        use sha2::{Digest, Sha384};
        const L: usize = 14;
        agrees_with_rustcrypto!(p384_agrees_with_rustcrypto, p384, Sha384, P384Key::p384, 48);
    }

    mod p521_case {
        use super::super::*;
        use crate::crypto::field::tests::TestRng;
        use sha2::{Digest, Sha512};
        const L: usize = 19;
        agrees_with_rustcrypto!(p521_agrees_with_rustcrypto, p521, Sha512, P521Key::p521, 66);
    }

    fn p256_test_key() -> (Box<P256Key>, Vec<u8>, Vec<u8>) {
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let secret = p256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        let point = secret.verifying_key().to_encoded_point(false);
        let key = P256Key::p256(point.x().unwrap(), point.y().unwrap()).unwrap();
        let digest = Sha256::digest(b"message").to_vec();
        let sig: p256::ecdsa::Signature = secret.sign_prehash(&digest).unwrap();
        (key, digest, sig.to_bytes().to_vec())
    }

    #[test]
    fn scalars_out_of_range_and_wrong_lengths_are_refused() {
        let (key, digest, sig) = p256_test_key();
        assert!(key.verify_digest(&digest, &sig));
        let n = field::limbs_to_be::<9, 32>(P256.order.modulus()).to_vec();
        let (r, s) = sig.split_at(32);
        let zero = [0u8; 32];
        let ones = [0xffu8; 32];
        for (r, s) in [(&zero[..], s), (r, &zero[..]), (&n[..], s), (r, &n[..]), (&ones[..], s), (r, &ones[..])] {
            assert!(!key.verify_digest(&digest, &[r, s].concat()));
        }
        // r + n in place of r (still 32 bytes when it fits): not the same signature.
        let r_plus_n = field::add_limbs(&field::limbs_from_be::<9>(r).unwrap(), P256.order.modulus());
        let r_plus_n = field::limbs_to_be::<9, 33>(&r_plus_n);
        if r_plus_n[0] == 0 {
            assert!(!key.verify_digest(&digest, &[&r_plus_n[1..], s].concat()));
        }
        for len in [0, 1, 63, 65, 96, 128] {
            let mut other = sig.clone();
            other.resize(len, 0);
            assert!(!key.verify_digest(&digest, &other));
        }
        assert!(!key.verify_digest(&digest[..31], &sig));
        assert!(!key.verify_digest(&Sha384::digest(b"message"), &sig));
    }

    #[test]
    fn only_scalars_from_one_to_order_minus_one_are_in_range() {
        fn check<const L: usize, const N: usize>(curve: &Curve<L>) {
            let n = *curve.order.modulus();
            let n_minus_one = field::sub_limbs(&n, &field::small(1)).0;
            let be = |v: &Limbs<L>| field::limbs_to_be::<L, N>(v);
            assert!(scalar_in_range(curve, &[0; N]).is_none());
            assert!(scalar_in_range(curve, &be(&n)).is_none());
            assert!(scalar_in_range(curve, &[0xff; N]).is_none());
            assert!(scalar_in_range(curve, &be(&field::add_limbs(&n, &field::small(1)))).is_none());
            assert!(scalar_in_range(curve, &be(&field::small(1))).is_some());
            assert!(scalar_in_range(curve, &be(&n_minus_one)).is_some());
        }
        check::<9, 32>(&P256);
        check::<14, 48>(&P384);
        check::<19, 66>(p521());
    }

    #[test]
    fn digest_zero_and_digest_of_order_are_handled() {
        // e = 0 and e = n both give u1 = 0: the sum is u2*Q alone. Sign such digests with the
        // RustCrypto signer (it reduces e mod n the same way) and check both verify.
        use p256::ecdsa::signature::hazmat::PrehashSigner;
        let secret = p256::ecdsa::SigningKey::from_slice(&[9; 32]).unwrap();
        let point = secret.verifying_key().to_encoded_point(false);
        let key = P256Key::p256(point.x().unwrap(), point.y().unwrap()).unwrap();
        let n = field::limbs_to_be::<9, 32>(P256.order.modulus());
        for digest in [[0u8; 32], n, [0xff; 32]] {
            let sig: p256::ecdsa::Signature = secret.sign_prehash(&digest).unwrap();
            assert!(key.verify_digest(&digest, &sig.to_bytes()), "{digest:02x?}");
        }
    }

    #[test]
    fn keys_off_the_curve_or_out_of_range_are_refused() {
        let unhex = |s: &str| (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect();
        let gx: Vec<u8> = unhex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
        let gy: Vec<u8> = unhex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
        assert!(P256Key::p256(&gx, &gy).is_some());
        let mut off = gy.clone();
        off[31] ^= 1;
        assert!(P256Key::p256(&gx, &off).is_none());
        // Coordinates at or above p: see curve::tests::coordinates_must_be_below_the_field_prime.
        let f = &P256.field;
        let p = field::limbs_to_be::<9, 32>(f.modulus());
        assert!(P256Key::p256(&p, &gy).is_none());
        assert!(P256Key::p256(&[0; 32], &[0; 32]).is_none());
        assert!(P256Key::p256(&gx[1..], &gy).is_none());
        assert!(P256Key::p256(&[&[0][..], &gx].concat(), &gy).is_none());
        assert!(P384Key::p384(&gx, &gy).is_none());
        assert!(P521Key::p521(&gx, &gy).is_none());
    }

    /// P-521 signs SHA-512 digests (64 bytes) with 66-byte scalars: the digest is used whole,
    /// and neither a 66-byte digest nor a signature of two 64-byte halves is taken.
    #[test]
    fn p521_takes_sha512_digests_and_132_byte_signatures() {
        use p521::ecdsa::signature::hazmat::PrehashSigner;
        let secret = p521::ecdsa::SigningKey::from_slice(&[&[1][..], &[5; 65][..]].concat()).unwrap();
        let point = p521::ecdsa::VerifyingKey::from(&secret).to_encoded_point(false);
        let key = P521Key::p521(point.x().unwrap(), point.y().unwrap()).unwrap();
        let digest = sha2::Sha512::digest(b"message").to_vec();
        let sig: p521::ecdsa::Signature = secret.sign_prehash(&digest).unwrap();
        let sig = sig.to_bytes().to_vec();
        assert_eq!(sig.len(), 132);
        assert!(key.verify_digest(&digest, &sig));
        // The same number as a 66-byte digest (leading zeros) is not the JWS digest length.
        let padded = [&[0, 0][..], &digest].concat();
        assert!(!key.verify_digest(&padded, &sig));
        assert!(!key.verify_digest(&digest[..48], &sig));
        // r and s without their (zero or one) top byte: 130 bytes, refused.
        let short = [&sig[1..66], &sig[67..]].concat();
        assert!(!key.verify_digest(&digest, &short));
        // 131 or 133 bytes, refused.
        assert!(!key.verify_digest(&digest, &sig[1..]));
        assert!(!key.verify_digest(&digest, &[&[0][..], &sig].concat()));
        // A scalar with bits above 2^521 is out of range.
        let mut high = sig.clone();
        high[0] |= 0x02;
        assert!(!key.verify_digest(&digest, &high));
    }
}
