//! The JWS algorithms this verifier knows. `none` and every HMAC algorithm are not in this enum,
//! so no configuration can ever allow them.

use core::fmt;

/// A JWS signature algorithm (RFC 7518 section 3; EdDSA, RFC 8037 section 3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256 and MGF1 with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384 and MGF1 with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512 and MGF1 with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on P-521 with SHA-512.
    ES512,
    /// EdDSA; only Ed25519 keys are accepted.
    EdDSA,
}

/// Which kind of key an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// An RSA key (`kty` `RSA`).
    Rsa,
    /// An EC key on P-256.
    P256,
    /// An EC key on P-384.
    P384,
    /// An EC key on P-521.
    P521,
    /// An OKP key on Ed25519.
    Ed25519,
}

/// The hash inside an RSA signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

impl Algorithm {
    /// Every algorithm, in the order of their codes ([`Algorithm::code`]).
    pub const ALL: &'static [Algorithm] = &[
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::EdDSA,
    ];

    /// The algorithm's position in [`Algorithm::ALL`]: a number for interfaces where passing
    /// the name costs more than the name is worth (the module's `hostVerify` import).
    pub fn code(self) -> u32 {
        self as u32
    }

    /// The algorithm with [`Algorithm::code`] `code`.
    pub fn from_code(code: u32) -> Option<Algorithm> {
        Algorithm::ALL.get(code as usize).copied()
    }

    /// The exact, case-sensitive JWA name (RFC 7518; RFC 8037 for EdDSA).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.iter().copied().find(|a| a.name() == name)
    }

    /// The JWA name, as the header's `alg` writes it.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::RS256 => "RS256",
            Algorithm::RS384 => "RS384",
            Algorithm::RS512 => "RS512",
            Algorithm::PS256 => "PS256",
            Algorithm::PS384 => "PS384",
            Algorithm::PS512 => "PS512",
            Algorithm::ES256 => "ES256",
            Algorithm::ES384 => "ES384",
            Algorithm::ES512 => "ES512",
            Algorithm::EdDSA => "EdDSA",
        }
    }

    /// The kind of key that can check its signatures.
    pub fn key_kind(self) -> KeyKind {
        match self {
            Algorithm::RS256
            | Algorithm::RS384
            | Algorithm::RS512
            | Algorithm::PS256
            | Algorithm::PS384
            | Algorithm::PS512 => KeyKind::Rsa,
            Algorithm::ES256 => KeyKind::P256,
            Algorithm::ES384 => KeyKind::P384,
            Algorithm::ES512 => KeyKind::P521,
            Algorithm::EdDSA => KeyKind::Ed25519,
        }
    }

    /// The hash of an RSA algorithm; `None` for the curves, which fix their own.
    pub fn rsa_hash(self) -> Option<Hash> {
        match self {
            Algorithm::RS256 | Algorithm::PS256 => Some(Hash::Sha256),
            Algorithm::RS384 | Algorithm::PS384 => Some(Hash::Sha384),
            Algorithm::RS512 | Algorithm::PS512 => Some(Hash::Sha512),
            _ => None,
        }
    }

    /// Whether it is one of the RSASSA-PSS algorithms.
    pub fn is_pss(self) -> bool {
        matches!(self, Algorithm::PS256 | Algorithm::PS384 | Algorithm::PS512)
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_positions_in_all() {
        for (i, &alg) in Algorithm::ALL.iter().enumerate() {
            assert_eq!(alg.code(), i as u32);
            assert_eq!(Algorithm::from_code(i as u32), Some(alg));
            assert_eq!(Algorithm::from_name(alg.name()), Some(alg));
        }
        assert_eq!(Algorithm::from_code(Algorithm::ALL.len() as u32), None);
    }
}
