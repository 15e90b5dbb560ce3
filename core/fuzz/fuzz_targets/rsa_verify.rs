//! RSA signature verification against the `rsa` crate: for the committed test keys (1,024,
//! 2,048 and 3,072 bits; other sizes' arithmetic is the `modexp` target's), PKCS#1 v1.5 and
//! PSS signatures made by
//! `rsa` over one of 64 messages with SHA-256, -384 and -512 (PSS with one of 16 salts) are
//! kept or mutated (a bit flipped,
//! the signature replaced by n, n + 1, n - 1, 0, 1 or random bytes, shortened or lengthened,
//! checked with another hash or another key), and our verification must accept exactly what
//! `rsa` accepts. One rule of ours is stricter on purpose: a signature must be exactly k bytes
//! (RFC 8017 sections 8.2.2 and 8.1.2 step 1), where `rsa` reads a shorter one as a number.
//! Signing is RSA's private operation, a hundred times a verification, so the signatures are
//! kept: what varies the digests is the hash and the pool of messages, and what the fuzzer
//! explores is the mutations.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwtgate_core::alg::Hash;
use jwtgate_core::crypto::rsa::RsaKey;
use jwtgate_core_fuzz::input::{Input, be_padded};
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

const TEST_KEYS: &str = include_str!("../../../tests/keys/test-keys.json");

/// The committed test keys' RSA private keys (generating keys here would take seconds).
fn keys() -> &'static [RsaPrivateKey] {
    static KEYS: OnceLock<Vec<RsaPrivateKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let doc: serde_json::Value = serde_json::from_str(TEST_KEYS).expect("test keys are JSON");
        let part = |key: &serde_json::Value, name: &str| {
            let text = key[name].as_str().expect("an RSA key member");
            rsa::BigUint::from_bytes_be(&URL_SAFE_NO_PAD.decode(text).expect("base64url"))
        };
        doc["keys"]
            .as_array()
            .expect("keys")
            .iter()
            .filter(|key| key["kty"] == "RSA")
            .map(|key| {
                let primes = vec![part(key, "p"), part(key, "q")];
                RsaPrivateKey::from_components(part(key, "n"), part(key, "e"), part(key, "d"), primes)
                    .expect("a valid key")
            })
            .collect()
    })
}

fn hashed(hash: Hash, message: &[u8]) -> Vec<u8> {
    match hash {
        Hash::Sha256 => Sha256::digest(message).to_vec(),
        Hash::Sha384 => Sha384::digest(message).to_vec(),
        Hash::Sha512 => Sha512::digest(message).to_vec(),
    }
}

fn pkcs1(hash: Hash) -> Pkcs1v15Sign {
    match hash {
        Hash::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
        Hash::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
        Hash::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
    }
}

fn pss(hash: Hash) -> Pss {
    match hash {
        Hash::Sha256 => Pss::new::<Sha256>(),
        Hash::Sha384 => Pss::new::<Sha384>(),
        Hash::Sha512 => Pss::new::<Sha512>(),
    }
}

fn hash_len(hash: Hash) -> usize {
    match hash {
        Hash::Sha256 => 32,
        Hash::Sha384 => 48,
        Hash::Sha512 => 64,
    }
}

fn hash_of(byte: u8) -> Hash {
    [Hash::Sha256, Hash::Sha384, Hash::Sha512][byte as usize % 3]
}

/// Message `i` of the pool: `i * 4` bytes (0 to 252), each byte a function of its position.
fn message_of(i: u8) -> Vec<u8> {
    (0..i as usize * 4).map(|at| (at as u8).wrapping_mul(31) ^ i).collect()
}

/// A key's modulus, PSS or not, the hash, the message's and the salt's index.
type SignatureId = (Vec<u8>, bool, u8, u8, u8);

/// The signature `id` names, made by `sign` the first time it is asked for.
fn signed(id: SignatureId, sign: impl FnOnce() -> Vec<u8>) -> Vec<u8> {
    thread_local! {
        static SIGNED: RefCell<HashMap<SignatureId, Vec<u8>>> = RefCell::new(HashMap::new());
    }
    SIGNED.with(|cache| cache.borrow_mut().entry(id).or_insert_with(sign).clone())
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let keys = keys();
    let private = &keys[input.byte() as usize % keys.len()];
    let public = RsaPublicKey::from(private);
    let is_pss = input.byte() % 2 == 1;
    let mut hash = hash_of(input.byte());
    if is_pss && private.size() < 2 * hash_len(hash) + 2 {
        // PSS with a salt as long as the hash cannot encode into a smaller key (RFC 8017
        // section 9.1.1 step 3: 1,024-bit keys and SHA-512); sign with SHA-256 instead.
        hash = Hash::Sha256;
    }
    let message_index = input.byte() % 64;
    let message = message_of(message_index);
    let salt_seed = if is_pss { input.byte() % 16 } else { 0 };
    let n = BigUint::from_bytes_be(&public.n().to_bytes_be());
    let k = public.size();
    let id = (private.n().to_bytes_be(), is_pss, hash as u8, message_index, salt_seed);
    let mut signature = signed(id, || {
        if is_pss {
            let mut rng = ChaCha20Rng::seed_from_u64(salt_seed as u64);
            private.sign_with_rng(&mut rng, pss(hash), &hashed(hash, &message)).expect("signs")
        } else {
            private.sign(pkcs1(hash), &hashed(hash, &message)).expect("signs")
        }
    });
    let (mut checked_public, mut checked_hash, mut checked_message) = (public.clone(), hash, message.clone());
    match input.byte() % 10 {
        0 | 1 => {}
        2 => {
            let bit = input.u16() as usize % (8 * k);
            signature[bit / 8] ^= 1 << (bit % 8);
        }
        3 => {
            let value = match input.byte() % 5 {
                0 => n.clone(),
                1 => &n + 1u8,
                2 => &n - 1u8,
                3 => BigUint::ZERO,
                _ => BigUint::from(1u8),
            };
            signature = if value.bits() as usize <= 8 * k { be_padded(&value, k) } else { value.to_bytes_be() };
        }
        4 => signature = input.bytes(k),
        5 => {
            if input.byte() % 2 == 0 {
                signature.remove(0);
            } else {
                signature.insert(0, 0);
            }
        }
        6 => checked_hash = hash_of(input.byte()),
        7 => checked_public = RsaPublicKey::from(&keys[input.byte() as usize % keys.len()]),
        8 => {
            let at = input.byte() as usize % (checked_message.len() + 1);
            checked_message.insert(at, input.byte());
        }
        _ => {
            // The low bytes of a valid signature, with the high ones from the input.
            let high = input.bytes(k / 2);
            signature[..k / 2].copy_from_slice(&high);
        }
    }

    let n_be = checked_public.n().to_bytes_be();
    let e = u64::try_from(BigUint::from_bytes_be(&checked_public.e().to_bytes_be())).expect("e fits");
    let ours_key = RsaKey::new(&n_be, e).expect("an odd modulus");
    let ours = if is_pss {
        ours_key.verify_pss(checked_hash, &checked_message, &signature)
    } else {
        ours_key.verify_pkcs1v15(checked_hash, &checked_message, &signature)
    };
    let digest = hashed(checked_hash, &checked_message);
    let theirs = if is_pss {
        checked_public.verify(pss(checked_hash), &digest, &signature).is_ok()
    } else {
        checked_public.verify(pkcs1(checked_hash), &digest, &signature).is_ok()
    };
    let exact_length = signature.len() == checked_public.size();
    if exact_length {
        assert_eq!(ours, theirs, "ours {ours}, rsa {theirs} ({} bits, pss {is_pss})", checked_public.n().bits());
    } else {
        assert!(
            !ours,
            "a signature of {} bytes for a {}-byte modulus accepted",
            signature.len(),
            checked_public.size()
        );
    }
});
