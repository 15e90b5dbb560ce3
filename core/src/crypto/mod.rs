//! The signature-check seam. The core parses, selects keys and checks claims; a
//! [`CryptoProvider`] answers one question: does this signature over these bytes verify with
//! this key for this algorithm? [`PureRust`] is the default everywhere; a host may supply a
//! native one (for example `node:crypto`), and every provider must agree on every vector.

pub mod bigint;
pub mod curve;
pub mod ecdsa;
pub mod field;
pub mod rsa;

use crate::alg::{Algorithm, Hash, KeyKind};

/// A public key that passed the loader's checks, with its JWK components for providers that
/// build their own key objects, and a form prepared for the pure-Rust provider.
#[derive(Clone, Debug)]
pub enum PublicKey {
    /// `kty` `RSA` (RS256 to PS512).
    Rsa {
        /// Big-endian modulus without leading zeros.
        n: Vec<u8>,
        /// Big-endian public exponent without leading zeros.
        e: Vec<u8>,
        /// The key for the pure-Rust provider.
        prepared: rsa::RsaKey,
    },
    /// `kty` `EC`, `crv` `P-256` (ES256).
    P256 {
        /// The x coordinate, 32 bytes big-endian.
        x: Vec<u8>,
        /// The y coordinate, 32 bytes big-endian.
        y: Vec<u8>,
        /// The key for the pure-Rust provider.
        prepared: Box<ecdsa::P256Key>,
    },
    /// `kty` `EC`, `crv` `P-384` (ES384).
    P384 {
        /// The x coordinate, 48 bytes big-endian.
        x: Vec<u8>,
        /// The y coordinate, 48 bytes big-endian.
        y: Vec<u8>,
        /// The key for the pure-Rust provider.
        prepared: Box<ecdsa::P384Key>,
    },
    /// `kty` `EC`, `crv` `P-521` (ES512).
    P521 {
        /// The x coordinate, 66 bytes big-endian.
        x: Vec<u8>,
        /// The y coordinate, 66 bytes big-endian.
        y: Vec<u8>,
        /// The key for the pure-Rust provider.
        prepared: Box<ecdsa::P521Key>,
    },
    /// `kty` `OKP`, `crv` `Ed25519` (EdDSA).
    Ed25519 {
        /// The public key, 32 bytes (RFC 8037 section 2).
        x: Vec<u8>,
        /// The key for the pure-Rust provider.
        prepared: ed25519_dalek::VerifyingKey,
    },
}

impl PublicKey {
    /// The exact length of a JWS signature made with this key (RFC 7518 sections 3.3-3.5,
    /// RFC 8037 section 3.1): the modulus length for RSA, both coordinates for ECDSA, 64 bytes
    /// for Ed25519.
    pub fn signature_len(&self) -> usize {
        match self {
            // Stored without leading zeros: its length is the modulus length k.
            PublicKey::Rsa { n, .. } => n.len(),
            PublicKey::P256 { .. } => 64,
            PublicKey::P384 { .. } => 96,
            PublicKey::P521 { .. } => 132,
            PublicKey::Ed25519 { .. } => 64,
        }
    }

    /// Its key kind.
    pub fn kind(&self) -> KeyKind {
        match self {
            PublicKey::Rsa { .. } => KeyKind::Rsa,
            PublicKey::P256 { .. } => KeyKind::P256,
            PublicKey::P384 { .. } => KeyKind::P384,
            PublicKey::P521 { .. } => KeyKind::P521,
            PublicKey::Ed25519 { .. } => KeyKind::Ed25519,
        }
    }
}

/// A loaded key as a provider sees it: the public key and what a host needs to keep its own
/// key object for it, nothing of the JWK's naming members (`kid`, `alg`, thumbprints), which
/// are the core's to match.
#[derive(Clone, Copy, Debug)]
pub struct ProviderKey<'k> {
    /// The checked public key, with the form prepared for the pure-Rust provider.
    pub public: &'k PublicKey,
    /// The public key alone as canonical JWK JSON: what a host's own provider builds its key
    /// object from.
    pub public_jwk: &'k str,
    /// The host's number for this key (see `KeySet::tag_keys`), 0 when it gave none: a host
    /// keeps its prepared key by it instead of reading `public_jwk` on every check.
    pub host_tag: u64,
}

/// Checks one signature. Implementations must be pure functions of their arguments.
pub trait CryptoProvider {
    /// `alg` always fits the key's kind and the signature has the key's exact length
    /// ([`PublicKey::signature_len`]): the core checks both before asking.
    fn verify(&self, alg: Algorithm, key: ProviderKey<'_>, message: &[u8], signature: &[u8]) -> bool;
}

/// The default provider: our RSA and ECDSA (P-256/P-384/P-521), and ed25519-dalek. The setting
/// `SIGNATURES` calls it `wasm` ([`crate::env::Signatures::Wasm`]) when the module runs it; the
/// wasmtime host's `host` provider is this same code built natively.
#[derive(Clone, Copy, Debug, Default)]
pub struct PureRust;

impl CryptoProvider for PureRust {
    fn verify(&self, alg: Algorithm, key: ProviderKey<'_>, message: &[u8], signature: &[u8]) -> bool {
        verify_prepared(alg, key.public, message, signature)
    }
}

/// The pure-Rust check on a prepared key.
pub fn verify_prepared(alg: Algorithm, key: &PublicKey, message: &[u8], signature: &[u8]) -> bool {
    match (key, alg.rsa_hash()) {
        (PublicKey::Rsa { prepared, .. }, Some(hash)) if alg.is_pss() => prepared.verify_pss(hash, message, signature),
        (PublicKey::Rsa { prepared, .. }, Some(hash)) => prepared.verify_pkcs1v15(hash, message, signature),
        (PublicKey::P256 { prepared, .. }, None) if alg == Algorithm::ES256 => {
            // One hashing routine per hash in the module (RSA's), not one per call site.
            prepared.verify_digest(&rsa::digest(Hash::Sha256, message), signature)
        }
        (PublicKey::P384 { prepared, .. }, None) if alg == Algorithm::ES384 => {
            prepared.verify_digest(&rsa::digest(Hash::Sha384, message), signature)
        }
        (PublicKey::P521 { prepared, .. }, None) if alg == Algorithm::ES512 => {
            prepared.verify_digest(&rsa::digest(Hash::Sha512, message), signature)
        }
        (PublicKey::Ed25519 { prepared, .. }, None) if alg == Algorithm::EdDSA => {
            ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|sig| prepared.verify_strict(message, &sig).is_ok())
        }
        _ => false,
    }
}
