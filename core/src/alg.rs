//! The JWS algorithms this verifier knows. `none` and every HMAC algorithm are not in this enum,
//! so no configuration can ever allow them.

use core::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
    ES512,
    EdDSA,
}

/// Which kind of key an algorithm needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    Rsa,
    P256,
    P384,
    P521,
    Ed25519,
}

/// The hash inside an RSA signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Algorithm {
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

    pub fn from_code(code: u32) -> Option<Algorithm> {
        Algorithm::ALL.get(code as usize).copied()
    }

    /// The exact, case-sensitive JWA name (RFC 7518; RFC 8037 for EdDSA).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.iter().copied().find(|a| a.name() == name)
    }

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
