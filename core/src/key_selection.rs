//! Which keys check a token's signature, and the rules at the provider seam.
//!
//! RFC 7515 section 4.1.4 and DESIGN point 5: by `kid` when the token has one (an unknown one
//! asks for a refresh; a known one that fits no key is `KeyMismatch`); without it, by the
//! certificate thumbprint `x5t#S256` or `x5t` when the header has one (old Entra ID v1
//! tokens), else every key that fits the algorithm. Several keys may match (a rotation
//! published twice, a set without kids): each that fits is tried, at most [`MAX_KEYS_TRIED`],
//! and a token that more keys fit is refused (`NoMatchingKey`), so the answer never depends
//! on which comes first.

use crate::crypto::CryptoProvider;
use crate::keys::{Jwk, KeySet};
use crate::reason::Reason;
use crate::token::Header;

/// How many keys one signature is checked against at most (keys sharing a `kid`).
pub const MAX_KEYS_TRIED: usize = 4;

/// Check `signature` over `message`, made as `header` says, with the keys of `keys` that
/// header names, asking `provider` for each candidate.
pub fn check_signature(
    provider: &impl CryptoProvider,
    keys: &KeySet,
    header: &Header,
    message: &[u8],
    signature: &[u8],
) -> Result<(), Reason> {
    let (alg, kid) = (header.alg, header.kid.as_deref());
    let named_by = |key: &Jwk| match (kid, &header.thumbprint) {
        (Some(kid), _) => key.kid.as_deref() == Some(kid),
        (None, Some(thumbprint)) => key.has_thumbprint(thumbprint),
        (None, None) => true,
    };
    let names = kid.is_some() || header.thumbprint.is_some();
    if keys.is_empty() {
        return Err(if names { Reason::UnknownKid } else { Reason::NoKeys });
    }
    let mut candidates = keys.keys().iter().filter(|k| named_by(k));
    let named = candidates.clone().next().is_some();
    if candidates.clone().filter(|k| k.fits(alg)).nth(MAX_KEYS_TRIED).is_some() {
        return Err(Reason::NoMatchingKey);
    }
    let mut tried = 0;
    for key in candidates.by_ref().filter(|k| k.fits(alg)).take(MAX_KEYS_TRIED) {
        tried += 1;
        // The length rule here, for every provider alike: OpenSSL's RSA-PSS check (behind
        // `node:crypto`) accepts a signature one byte short whose leading zero was dropped,
        // which RFC 8017 section 8.1.2 and our own provider refuse.
        if signature.len() == key.key.signature_len() && provider.verify(alg, key.provider_key(), message, signature) {
            return Ok(());
        }
    }
    Err(match (names, named, tried) {
        (true, false, _) => Reason::UnknownKid,
        (true, true, 0) if kid.is_some() => Reason::KeyMismatch,
        (_, _, 0) => Reason::NoMatchingKey,
        _ => Reason::BadSignature,
    })
}
