//! Loading a JWKS (RFC 7517) into a [`KeySet`] that is parsed once and reused for many tokens.
//!
//! Each key is checked when loaded; a key that can never be used safely is refused with a
//! [`KeyProblem`] and reported, and the other keys still load. Only the members needed to
//! verify are read: nothing here follows a URL (`x5u`) or trusts a certificate chain (`x5c`).

use crate::alg::{Algorithm, KeyKind};
use crate::b64;
use crate::crypto::ecdsa::{P256Key, P384Key, P521Key};
use crate::crypto::rsa::{RsaKey, has_roca_fingerprint};
use crate::crypto::{ProviderKey, PublicKey};
use crate::json::{self, Json, JsonError, Object};
use crate::json_text;
use crate::limits::Limits;
use crate::reason::{JwksError, KeyProblem};
use crate::token::Thumbprint;

/// The smallest RSA modulus loaded, in bits (RFC 7518 section 3.3: 2048 or larger).
pub const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus loaded, in bits: it bounds the cost of one check.
pub const MAX_RSA_BITS: usize = 8192;

/// One usable verification key.
#[derive(Clone, Debug)]
pub struct Jwk {
    /// `kid`, when the JWK has one.
    pub kid: Option<String>,
    /// The one algorithm this key may be used with, when the JWK says (`alg`).
    pub alg: Option<Algorithm>,
    /// The checked public key.
    pub key: PublicKey,
    /// The public key alone as canonical JWK JSON (`kty` and key members, sorted): what a host's
    /// own crypto provider builds its key object from, and a stable cache key for it.
    pub public_jwk: String,
    /// A number the host may give this key for its own caches (see [`KeySet::tag_keys`]);
    /// 0 until it does. The core never reads it.
    pub host_tag: u64,
    /// Its certificate's thumbprints, when the JWK gives them (`x5t`, `x5t#S256`): what names
    /// it for a token without `kid`. The certificate itself (`x5c`) is never read.
    pub x5t: Option<String>,
    /// `x5t#S256`, the SHA-256 thumbprint.
    pub x5t_s256: Option<String>,
}

impl Jwk {
    /// Whether this key may check a signature made with `alg`. `use` and `key_ops` were
    /// checked at load time (a key for encryption never loads).
    pub fn fits(&self, alg: Algorithm) -> bool {
        self.key.kind() == alg.key_kind() && self.alg.is_none_or(|a| a == alg)
    }

    /// The key as a signature provider sees it.
    pub fn provider_key(&self) -> ProviderKey<'_> {
        ProviderKey { public: &self.key, public_jwk: &self.public_jwk, host_tag: self.host_tag }
    }

    /// Load one JWK given alone as JSON text (as [`Jwk::public_jwk`] gives it to a host), with
    /// every check a key in a set gets.
    pub fn from_text(text: &[u8], limits: &Limits) -> Result<Jwk, KeyProblem> {
        if text.len() > limits.max_jwks_bytes {
            return Err(KeyProblem::InvalidKeyMaterial);
        }
        json::read_object(text).map_err(|_| KeyProblem::NotAnObject).and_then(|object| load_key(&object))
    }

    /// Whether a header's thumbprint names this key.
    pub fn has_thumbprint(&self, thumbprint: &Thumbprint) -> bool {
        match thumbprint {
            Thumbprint::Sha1(t) => self.x5t.as_deref() == Some(t),
            Thumbprint::Sha256(t) => self.x5t_s256.as_deref() == Some(t),
        }
    }
}

/// A key that was not loaded, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefusedKey {
    /// Position in the JWKS `keys` array.
    pub index: usize,
    /// Its `kid`, when it has a string one.
    pub kid: Option<String>,
    /// Why it was refused.
    pub problem: KeyProblem,
}

/// A loaded JWKS: the keys that passed their checks, and those refused with why.
#[derive(Clone, Debug, Default)]
pub struct KeySet {
    keys: Vec<Jwk>,
    refused: Vec<RefusedKey>,
}

impl KeySet {
    /// Parse a JWKS document. The document as a whole fails only when it is not a JWKS at all
    /// or exceeds the limits; individual bad keys are refused and reported.
    pub fn parse(bytes: &[u8], limits: &Limits) -> Result<KeySet, JwksError> {
        let doc = document(bytes, limits)?;
        let Some(Json::Array(entries)) = doc.get("keys") else { return Err(JwksError::NoKeysArray) };
        let mut set = KeySet::default();
        for (index, entry) in entries.iter().enumerate() {
            let object = entry.as_object();
            let kid = object.and_then(|e| e.get("kid")).and_then(Json::as_str).map(str::to_owned);
            match object.ok_or(KeyProblem::NotAnObject).and_then(load_key) {
                Ok(jwk) => set.keys.push(jwk),
                Err(problem) => set.refused.push(RefusedKey { index, kid, problem }),
            }
        }
        Ok(set)
    }

    /// The usable keys, in the document's order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The keys that were not loaded, for the load's log line.
    pub fn refused(&self) -> &[RefusedKey] {
        &self.refused
    }

    /// Whether no key is usable.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Give every key a host tag from `next`, before the set is used: a tag travels with its
    /// key, so a host that keeps prepared keys by tag can never pair a tag with another key.
    pub fn tag_keys(&mut self, mut next: impl FnMut() -> u64) {
        for key in &mut self.keys {
            key.host_tag = next();
        }
    }

    /// Whether a usable key has `kid`.
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.keys.iter().any(|k| k.kid.as_deref() == Some(kid))
    }
}

/// The document, when it is a JWKS within the limits: an object whose `keys` is an array of at
/// most `max_keys` entries.
fn document<'a>(bytes: &'a [u8], limits: &Limits) -> Result<Object<'a>, JwksError> {
    if bytes.len() > limits.max_jwks_bytes {
        return Err(JwksError::TooLarge);
    }
    let doc = json::read_object(bytes).map_err(|e| match e {
        JsonError::Duplicate => JwksError::DuplicateMember,
        JsonError::Invalid | JsonError::NotAnObject => JwksError::InvalidJson,
    })?;
    match doc.get("keys") {
        Some(Json::Array(entries)) if entries.len() > limits.max_keys => Err(JwksError::TooManyKeys),
        Some(Json::Array(_)) => Ok(doc),
        _ => Err(JwksError::NoKeysArray),
    }
}

fn load_key(jwk: &Object<'_>) -> Result<Jwk, KeyProblem> {
    let kid = match jwk.get("kid") {
        None => None,
        Some(Json::Str(s)) => Some(s.as_ref().to_owned()),
        Some(_) => return Err(KeyProblem::InvalidKeyMaterial),
    };
    match jwk.get("use") {
        None => {}
        Some(Json::Str(s)) if s == "sig" => {}
        Some(_) => return Err(KeyProblem::BadUse),
    }
    match jwk.get("key_ops") {
        None => {}
        Some(Json::Array(ops)) if ops.iter().any(|op| op.as_str() == Some("verify")) => {}
        Some(_) => return Err(KeyProblem::BadKeyOps),
    }
    let alg = match jwk.get("alg") {
        None => None,
        Some(Json::Str(name)) => Some(Algorithm::from_name(name).ok_or(KeyProblem::BadAlgorithm)?),
        Some(_) => return Err(KeyProblem::BadAlgorithm),
    };
    let key = match jwk.get("kty").and_then(Json::as_str) {
        Some("RSA") => load_rsa(jwk)?,
        Some("EC") => load_ec(jwk)?,
        Some("OKP") => load_okp(jwk)?,
        _ => return Err(KeyProblem::UnsupportedKeyType),
    };
    if alg.is_some_and(|a| a.key_kind() != key.kind()) {
        return Err(KeyProblem::BadAlgorithm);
    }
    let public_jwk = public_jwk(&key);
    let thumbprint = |name: &str| match jwk.get(name) {
        None => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s.as_ref().to_owned())),
        Some(_) => Err(KeyProblem::InvalidKeyMaterial),
    };
    Ok(Jwk { kid, alg, key, public_jwk, host_tag: 0, x5t: thumbprint("x5t")?, x5t_s256: thumbprint("x5t#S256")? })
}

/// The key's public members as JWK JSON, sorted by name (`crv`, `e`, `kty`, `n`, `x`, `y`).
fn public_jwk(key: &PublicKey) -> String {
    json_text::object_string(|jwk| match key {
        PublicKey::Rsa { n, e, .. } => {
            jwk.string("e", &b64::encode(e));
            jwk.string("kty", "RSA");
            jwk.string("n", &b64::encode(n));
        }
        PublicKey::P256 { x, y, .. } | PublicKey::P384 { x, y, .. } | PublicKey::P521 { x, y, .. } => {
            let crv = match key {
                PublicKey::P256 { .. } => "P-256",
                PublicKey::P384 { .. } => "P-384",
                _ => "P-521",
            };
            jwk.string("crv", crv);
            jwk.string("kty", "EC");
            jwk.string("x", &b64::encode(x));
            jwk.string("y", &b64::encode(y));
        }
        PublicKey::Ed25519 { x, .. } => {
            jwk.string("crv", "Ed25519");
            jwk.string("kty", "OKP");
            jwk.string("x", &b64::encode(x));
        }
    })
}

/// A required base64url member, decoded.
fn member(jwk: &Object<'_>, name: &str) -> Result<Vec<u8>, KeyProblem> {
    jwk.get(name).and_then(Json::as_str).and_then(|s| b64::decode(s.as_bytes())).ok_or(KeyProblem::InvalidKeyMaterial)
}

fn refuse_private(jwk: &Object<'_>, names: &[&str]) -> Result<(), KeyProblem> {
    // A published private key means anyone can sign: refuse rather than trust it.
    if names.iter().any(|n| jwk.contains_key(n)) {
        return Err(KeyProblem::PrivateKeyMaterial);
    }
    Ok(())
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

fn load_rsa(jwk: &Object<'_>) -> Result<PublicKey, KeyProblem> {
    refuse_private(jwk, &["d", "p", "q", "dp", "dq", "qi", "oth"])?;
    let n_raw = member(jwk, "n")?;
    let e_raw = member(jwk, "e").map_err(|_| KeyProblem::RsaBadExponent)?;
    let n = strip_leading_zeros(&n_raw).to_vec();
    let e = strip_leading_zeros(&e_raw).to_vec();
    let bits = (n.len() * 8).saturating_sub(n.first().map_or(8, |b| b.leading_zeros() as usize));
    if bits < MIN_RSA_BITS {
        return Err(KeyProblem::RsaModulusTooSmall);
    }
    if bits > MAX_RSA_BITS {
        return Err(KeyProblem::RsaModulusTooLarge);
    }
    // e must be odd and at least 3 (e = 1 makes every message its own signature); we also
    // bound it to 64 bits, which every deployed key satisfies, to bound verification cost.
    if e.is_empty() || e.len() > 8 {
        return Err(KeyProblem::RsaBadExponent);
    }
    let e_value = e.iter().fold(0u64, |v, &b| (v << 8) | b as u64);
    if e_value < 3 || e_value & 1 == 0 {
        return Err(KeyProblem::RsaBadExponent);
    }
    let prepared = RsaKey::new(&n, e_value).ok_or(KeyProblem::InvalidKeyMaterial)?;
    if has_roca_fingerprint(&n) {
        return Err(KeyProblem::RsaWeakKey);
    }
    Ok(PublicKey::Rsa { n, e, prepared })
}

fn load_ec(jwk: &Object<'_>) -> Result<PublicKey, KeyProblem> {
    refuse_private(jwk, &["d"])?;
    let kind = match jwk.get("crv").and_then(Json::as_str) {
        Some("P-256") => KeyKind::P256,
        Some("P-384") => KeyKind::P384,
        Some("P-521") => KeyKind::P521,
        _ => return Err(KeyProblem::UnsupportedCurve),
    };
    let x = member(jwk, "x")?;
    let y = member(jwk, "y")?;
    // RFC 7518 section 6.2.1.2: coordinates are exactly the field size, no more and no less
    // (66 bytes for P-521, whose top byte holds one bit; the constructors check it, and that
    // the point is on the curve).
    match kind {
        KeyKind::P256 => {
            let prepared = P256Key::p256(&x, &y).ok_or(KeyProblem::InvalidKeyMaterial)?;
            Ok(PublicKey::P256 { x, y, prepared })
        }
        KeyKind::P384 => {
            let prepared = P384Key::p384(&x, &y).ok_or(KeyProblem::InvalidKeyMaterial)?;
            Ok(PublicKey::P384 { x, y, prepared })
        }
        _ => {
            let prepared = P521Key::p521(&x, &y).ok_or(KeyProblem::InvalidKeyMaterial)?;
            Ok(PublicKey::P521 { x, y, prepared })
        }
    }
}

fn load_okp(jwk: &Object<'_>) -> Result<PublicKey, KeyProblem> {
    refuse_private(jwk, &["d"])?;
    if jwk.get("crv").and_then(Json::as_str) != Some("Ed25519") {
        return Err(KeyProblem::UnsupportedCurve);
    }
    let x = member(jwk, "x")?;
    let bytes: [u8; 32] = x.as_slice().try_into().map_err(|_| KeyProblem::InvalidKeyMaterial)?;
    let prepared = ed25519_dalek::VerifyingKey::from_bytes(&bytes).map_err(|_| KeyProblem::InvalidKeyMaterial)?;
    if prepared.is_weak() {
        return Err(KeyProblem::InvalidKeyMaterial);
    }
    Ok(PublicKey::Ed25519 { x, prepared })
}
