//! ECDSA against RustCrypto (`p256`, `p384`, `p521`), at two levels:
//! - points: u1*G + u2*Q by our interleaved wNAF over precomputed tables must be the point
//!   RustCrypto's projective arithmetic computes, for edge scalars (0, 1, n - 1, all-ones limbs,
//!   powers of two) and any public key;
//! - signatures: RustCrypto signs a digest (RFC 6979, with fixed added entropy), the signature is kept or mutated (a bit
//!   flipped, s replaced by n - s, r or s zero, n or above, random, another digest, another
//!   key), and our `verify_digest` must accept exactly what RustCrypto's `verify_prehash`
//!   accepts.
#![no_main]

use jwtgate_core::crypto::curve::{Curve, P256, P384, Q_TABLE_LEN, p521};
use jwtgate_core::crypto::ecdsa::{P256Key, P384Key, P521Key};
use jwtgate_core::crypto::field::{LIMB_BITS, Limbs, limbs_from_be};
use jwtgate_core_fuzz::input::{Input, be_padded};
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use std::any::Any;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    match input.byte() % 3 {
        0 => p256_case(&mut input),
        1 => p384_case(&mut input),
        _ => p521_case(&mut input),
    }
});

/// One curve's RustCrypto side, as plain functions of bytes so the case logic is shared.
struct Reference {
    /// The public key (x, y) of a secret scalar, `None` if the scalar is not in [1, n).
    public: fn(&[u8]) -> Option<(Vec<u8>, Vec<u8>)>,
    /// r || s signing a digest (RFC 6979).
    sign: fn(&[u8], &[u8]) -> Vec<u8>,
    /// Whether r || s signs the digest for the public key (x, y).
    verify: fn(&[u8], &[u8], &[u8], &[u8]) -> bool,
    /// u1*G + u2*Q as affine (x, y), `None` for the point at infinity.
    mul_add: fn(&[u8], &[u8], &[u8], &[u8]) -> Option<(Vec<u8>, Vec<u8>)>,
}

fn integer(bytes: &[u8]) -> BigUint {
    BigUint::from_bytes_be(bytes)
}

/// What `make` gives for `id`, kept: a public key (a scalar multiplication) and our key object
/// for it (its tables) cost more than a verification, and most mutations keep the secret.
/// The point operations are still checked on fresh tables in every u1*G + u2*Q case.
fn kept<T: 'static>(id: Vec<u8>, make: impl FnOnce() -> T) -> Rc<T> {
    thread_local! {
        static KEPT: RefCell<HashMap<Vec<u8>, Rc<dyn Any>>> = RefCell::new(HashMap::new());
    }
    KEPT.with(|kept| {
        let mut kept = kept.borrow_mut();
        if kept.len() >= 4096 {
            kept.clear();
        }
        let value = kept.entry(id).or_insert_with(|| Rc::new(make())).clone();
        value.downcast::<T>().expect("one type per id")
    })
}

/// RustCrypto's public key of a secret scalar, kept.
fn public_key(reference: &Reference, secret: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    kept([b"public".as_slice(), secret].concat(), || (reference.public)(secret)).as_ref().clone()
}

fn case<const L: usize, const N: usize, K: 'static>(
    curve: &'static Curve<L>,
    key: fn(&[u8], &[u8]) -> Option<Box<K>>,
    verify_ours: fn(&K, &[u8], &[u8]) -> bool,
    reference: &Reference,
    input: &mut Input<'_>,
) {
    let len = curve.byte_len;
    let n = order_integer(curve);
    let width = LIMB_BITS as usize;
    let secret = be_padded(&input.below(&n, width), len);
    let Some((x, y)) = public_key(reference, &secret) else { return };

    if input.byte() % 4 == 0 {
        // Points: u1*G + u2*Q.
        let u1 = be_padded(&input.below(&n, width), len);
        let u2 = be_padded(&input.below(&n, width), len);
        let q = curve.affine_from_be(&x, &y).expect("on the curve");
        let tables = curve.tables::<Q_TABLE_LEN>(&q).expect("tables of a point of order n");
        let sum = curve.mul_add_generator(&scalar::<L>(&u1), &scalar::<L>(&u2), &tables).expect("bounded digits");
        let ours = curve.affine_to_be::<N>(&sum).map(|(x, y)| (x.to_vec(), y.to_vec()));
        assert_eq!(ours, (reference.mul_add)(&u1, &u2, &x, &y), "u1*G + u2*Q");
        return;
    }

    let digest = input.bytes(curve.digest_len);
    let mut signature = (reference.sign)(&secret, &digest);
    let (mut x_check, mut y_check, mut digest_check) = (x.clone(), y.clone(), digest.clone());
    match input.byte() % 10 {
        0 | 1 => {}
        2 => {
            let bit = input.u16() as usize % (8 * signature.len());
            signature[bit / 8] ^= 1 << (bit % 8);
        }
        // High s: n - s, which ECDSA (and JWS) accepts as well.
        3 => {
            let s = integer(&signature[len..]);
            let high = be_padded(&(&n - s), len);
            signature[len..].copy_from_slice(&high);
        }
        // r or s at the edges: 0, n, n + 1, n - 1, all ones.
        4 => {
            let value = match input.byte() % 5 {
                0 => BigUint::ZERO,
                1 => n.clone(),
                2 => &n + 1u8,
                3 => &n - 1u8,
                _ => (BigUint::from(1u8) << (8 * len)) - 1u8,
            };
            let at = if input.byte() % 2 == 0 { 0 } else { len };
            signature[at..at + len].copy_from_slice(&be_padded(&value, len));
        }
        5 => {
            let r = be_padded(&input.below(&n, width), len);
            let s = be_padded(&input.below(&n, width), len);
            signature = [r, s].concat();
        }
        6 => {
            let bit = input.u16() as usize % (8 * digest_check.len());
            digest_check[bit / 8] ^= 1 << (bit % 8);
        }
        7 => {
            let other = be_padded(&input.below(&n, width), len);
            if let Some((x2, y2)) = public_key(reference, &other) {
                (x_check, y_check) = (x2, y2);
            }
        }
        // A signature of the wrong length.
        8 => {
            if input.byte() % 2 == 0 {
                signature.pop();
            } else {
                signature.push(0);
            }
        }
        _ => signature = input.bytes(2 * len),
    }
    let checked = kept([b"key".as_slice(), &x_check, &y_check].concat(), || key(&x_check, &y_check));
    let checked = checked.as_deref().expect("on the curve");
    let accepted = verify_ours(&checked, &digest_check, &signature);
    let theirs = signature.len() == 2 * len && (reference.verify)(&x_check, &y_check, &digest_check, &signature);
    assert_eq!(accepted, theirs, "ours {accepted}, RustCrypto {theirs}");
}

fn order_integer<const L: usize>(curve: &Curve<L>) -> BigUint {
    curve.order.modulus().iter().rev().fold(BigUint::ZERO, |acc, &limb| (acc << LIMB_BITS) + limb)
}

fn scalar<const L: usize>(be: &[u8]) -> Limbs<L> {
    limbs_from_be::<L>(be).expect("a scalar fits the limbs")
}

macro_rules! reference {
    ($krate:ident) => {{
        use $krate::ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
        use $krate::ecdsa::{Signature, SigningKey, VerifyingKey};
        use $krate::elliptic_curve::PrimeField;
        use $krate::elliptic_curve::sec1::{FromEncodedPoint, ToEncodedPoint};
        use $krate::{AffinePoint, EncodedPoint, FieldBytes, ProjectivePoint, Scalar};

        fn bytes(b: &[u8]) -> FieldBytes {
            b.iter().copied().collect()
        }
        fn public(secret: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
            let key = SigningKey::from_slice(secret).ok()?;
            let point = VerifyingKey::from(&key).to_encoded_point(false);
            Some((point.x()?.to_vec(), point.y()?.to_vec()))
        }
        fn sign(secret: &[u8], digest: &[u8]) -> Vec<u8> {
            let key = SigningKey::from_slice(secret).expect("a valid secret");
            // A fixed seed for the added entropy: the same input gives the same signature.
            let signature: Signature =
                key.sign_prehash_with_rng(&mut ChaCha20Rng::seed_from_u64(6979), digest).expect("signs");
            signature.to_bytes().to_vec()
        }
        fn point(x: &[u8], y: &[u8]) -> AffinePoint {
            let encoded = EncodedPoint::from_affine_coordinates(&bytes(x), &bytes(y), false);
            Option::from(AffinePoint::from_encoded_point(&encoded)).expect("on the curve")
        }
        fn verify(x: &[u8], y: &[u8], digest: &[u8], signature: &[u8]) -> bool {
            let encoded = EncodedPoint::from_affine_coordinates(&bytes(x), &bytes(y), false);
            let Ok(key) = VerifyingKey::from_encoded_point(&encoded) else { return false };
            let Ok(signature) = Signature::from_slice(signature) else { return false };
            key.verify_prehash(digest, &signature).is_ok()
        }
        fn mul_add(u1: &[u8], u2: &[u8], x: &[u8], y: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
            let scalar = |b: &[u8]| Option::<Scalar>::from(Scalar::from_repr(bytes(b))).expect("below n");
            let sum = ProjectivePoint::GENERATOR * scalar(u1) + ProjectivePoint::from(point(x, y)) * scalar(u2);
            let encoded = sum.to_affine().to_encoded_point(false);
            Some((encoded.x()?.to_vec(), encoded.y()?.to_vec()))
        }
        Reference { public, sign, verify, mul_add }
    }};
}

fn p256_case(input: &mut Input<'_>) {
    case::<9, 32, P256Key>(&P256, P256Key::p256, P256Key::verify_digest, &reference!(p256), input);
}

fn p384_case(input: &mut Input<'_>) {
    case::<14, 48, P384Key>(&P384, P384Key::p384, P384Key::verify_digest, &reference!(p384), input);
}

fn p521_case(input: &mut Input<'_>) {
    case::<19, 66, P521Key>(p521(), P521Key::p521, P521Key::verify_digest, &reference!(p521), input);
}
