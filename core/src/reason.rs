//! Why a request or a key was refused.
//!
//! Every rejection is one variant with a stable, machine-readable `code()` that hosts log and
//! tests match on. Callers of the API never see more than `Unauthorized`; these are for operators.

use core::fmt;

/// Why a token or event was not allowed. `code()` is stable across releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    // Input and transport of the token.
    InvalidClock,
    InvalidEvent,
    MissingToken,
    BadAuthorizationScheme,
    AmbiguousToken,
    TokenTooLarge,
    // JWS compact serialisation.
    MalformedToken,
    InvalidHeaderKid,
    InvalidHeaderTyp,
    InvalidHeaderCty,
    InvalidBase64,
    InvalidJson,
    DuplicateMember,
    UnsupportedCritical,
    UnencodedPayload,
    // Algorithm and key selection.
    AlgorithmNotAllowed,
    JwksUnavailable,
    NoKeys,
    UnknownKid,
    NoMatchingKey,
    KeyMismatch,
    BadSignature,
    // Claims.
    InvalidClaim,
    MissingExpiry,
    TokenExpired,
    TokenNotYetValid,
    IssuedInFuture,
    MissingIssuedAt,
    TokenTooOld,
    IssuerMismatch,
    AudienceMismatch,
    TokenTypeMismatch,
    TokenUseMismatch,
    ClientNotAllowed,
    // Certificate-bound tokens (RFC 8705).
    CertificateRequired,
    CertificateMismatch,
    TokenNotBound,
    MissingScope,
    ClaimRuleFailed,
    // Route rules and the answer.
    RouteNotListed,
    ResponseTooLarge,
}

impl Reason {
    /// Every variant, in declaration order (tests check each has a vector).
    pub const ALL: &'static [Reason] = &[
        Reason::InvalidClock,
        Reason::InvalidEvent,
        Reason::MissingToken,
        Reason::BadAuthorizationScheme,
        Reason::AmbiguousToken,
        Reason::TokenTooLarge,
        Reason::MalformedToken,
        Reason::InvalidHeaderKid,
        Reason::InvalidHeaderTyp,
        Reason::InvalidHeaderCty,
        Reason::InvalidBase64,
        Reason::InvalidJson,
        Reason::DuplicateMember,
        Reason::UnsupportedCritical,
        Reason::UnencodedPayload,
        Reason::AlgorithmNotAllowed,
        Reason::JwksUnavailable,
        Reason::NoKeys,
        Reason::UnknownKid,
        Reason::NoMatchingKey,
        Reason::KeyMismatch,
        Reason::BadSignature,
        Reason::InvalidClaim,
        Reason::MissingExpiry,
        Reason::TokenExpired,
        Reason::TokenNotYetValid,
        Reason::IssuedInFuture,
        Reason::MissingIssuedAt,
        Reason::TokenTooOld,
        Reason::IssuerMismatch,
        Reason::AudienceMismatch,
        Reason::TokenTypeMismatch,
        Reason::TokenUseMismatch,
        Reason::ClientNotAllowed,
        Reason::CertificateRequired,
        Reason::CertificateMismatch,
        Reason::TokenNotBound,
        Reason::MissingScope,
        Reason::ClaimRuleFailed,
        Reason::RouteNotListed,
        Reason::ResponseTooLarge,
    ];

    /// Not inlined (nor are `message` and the other `code`s): called, each is one table
    /// lookup; inlined, the caller's code around it was copied for every variant.
    #[inline(never)]
    pub fn code(self) -> &'static str {
        match self {
            Reason::InvalidClock => "invalid_clock",
            Reason::InvalidEvent => "invalid_event",
            Reason::MissingToken => "missing_token",
            Reason::BadAuthorizationScheme => "bad_authorization_scheme",
            Reason::AmbiguousToken => "ambiguous_token",
            Reason::TokenTooLarge => "token_too_large",
            Reason::MalformedToken => "malformed_token",
            Reason::InvalidHeaderKid => "invalid_header_kid",
            Reason::InvalidHeaderTyp => "invalid_header_typ",
            Reason::InvalidHeaderCty => "invalid_header_cty",
            Reason::InvalidBase64 => "invalid_base64",
            Reason::InvalidJson => "invalid_json",
            Reason::DuplicateMember => "duplicate_member",
            Reason::UnsupportedCritical => "unsupported_critical",
            Reason::UnencodedPayload => "unencoded_payload",
            Reason::AlgorithmNotAllowed => "algorithm_not_allowed",
            Reason::JwksUnavailable => "jwks_unavailable",
            Reason::NoKeys => "no_keys",
            Reason::UnknownKid => "unknown_kid",
            Reason::NoMatchingKey => "no_matching_key",
            Reason::KeyMismatch => "key_mismatch",
            Reason::BadSignature => "bad_signature",
            Reason::InvalidClaim => "invalid_claim",
            Reason::MissingExpiry => "missing_exp",
            Reason::TokenExpired => "token_expired",
            Reason::TokenNotYetValid => "token_not_yet_valid",
            Reason::IssuedInFuture => "issued_in_future",
            Reason::MissingIssuedAt => "missing_iat",
            Reason::TokenTooOld => "token_too_old",
            Reason::IssuerMismatch => "issuer_mismatch",
            Reason::AudienceMismatch => "audience_mismatch",
            Reason::TokenTypeMismatch => "token_type_mismatch",
            Reason::TokenUseMismatch => "token_use_mismatch",
            Reason::ClientNotAllowed => "client_not_allowed",
            Reason::CertificateRequired => "certificate_required",
            Reason::CertificateMismatch => "certificate_mismatch",
            Reason::TokenNotBound => "token_not_bound",
            Reason::MissingScope => "missing_scope",
            Reason::ClaimRuleFailed => "claim_rule_failed",
            Reason::RouteNotListed => "route_not_listed",
            Reason::ResponseTooLarge => "response_too_large",
        }
    }

    #[inline(never)]
    pub fn message(self) -> &'static str {
        match self {
            Reason::InvalidClock => "the host's clock is not a time in seconds after 2000 (and below 2^53)",
            Reason::InvalidEvent => "the event is not an API Gateway authorizer event",
            Reason::MissingToken => "no token in any configured source (or the one found is empty)",
            Reason::BadAuthorizationScheme => {
                "the token's source does not hold one token in its form (`Bearer <token>` for Authorization)"
            }
            Reason::AmbiguousToken => {
                "the token's source holds more than one value (a header, cookie or query parameter twice, or a comma)"
            }
            Reason::TokenTooLarge => "the token is larger than the configured limit",
            Reason::MalformedToken => "the token is not a compact JWS of three non-empty parts",
            Reason::InvalidHeaderKid => "the header's kid is not a string",
            Reason::InvalidHeaderTyp => "the header's typ is not a string",
            Reason::InvalidHeaderCty => "the header's cty is not a string",
            Reason::InvalidBase64 => "a token part is not canonical unpadded base64url",
            Reason::InvalidJson => "the header or payload is not a JSON object",
            Reason::DuplicateMember => "the header or payload repeats a member name",
            Reason::UnsupportedCritical => "the header lists a critical extension we do not support",
            Reason::UnencodedPayload => "unencoded payloads (b64: false) are not accepted",
            Reason::AlgorithmNotAllowed => "the token's alg is not in the allow-list",
            Reason::JwksUnavailable => "the issuer's keys could not be fetched and none are kept",
            Reason::NoKeys => "no verification keys are loaded",
            Reason::UnknownKid => "no key has the token's kid (even after a refresh)",
            Reason::NoMatchingKey => "no single key fits a token without kid",
            Reason::KeyMismatch => "the key named by kid does not fit the token's alg",
            Reason::BadSignature => "the signature does not verify",
            Reason::InvalidClaim => "a registered claim has the wrong type (e.g. a sub or jti that is not a string)",
            Reason::MissingExpiry => "the token has no exp claim",
            Reason::TokenExpired => "the token has expired",
            Reason::TokenNotYetValid => "the token is not valid yet (nbf)",
            Reason::IssuedInFuture => "the token was issued in the future (iat)",
            Reason::MissingIssuedAt => "a maximum token age is set but the token has no iat",
            Reason::TokenTooOld => "the token is older than the maximum age",
            Reason::IssuerMismatch => "the issuer is not a configured issuer",
            Reason::AudienceMismatch => "no audience of the token is a configured audience",
            Reason::TokenTypeMismatch => "the token's typ is not the required type",
            Reason::TokenUseMismatch => {
                "the token's token_use is not the configured one (an id token where access tokens are expected, or the reverse)"
            }
            Reason::ClientNotAllowed => "the token's client is not allowed",
            Reason::CertificateRequired => {
                "the token is bound to a client certificate and the request has none (mutual TLS)"
            }
            Reason::CertificateMismatch => "the token is bound to another client certificate than the request's",
            Reason::TokenNotBound => "certificate binding is required and the token has no cnf x5t#S256",
            Reason::MissingScope => "the token lacks a required scope",
            Reason::ClaimRuleFailed => "a claim of the token does not meet a claim rule",
            Reason::RouteNotListed => "no route rule names this route, and unlisted routes are closed",
            Reason::ResponseTooLarge => "the answer would be larger than API Gateway's 8 KB limit",
        }
    }

    /// Parse a code back (hosts and conformance tests carry codes as strings).
    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.iter().copied().find(|r| r.code() == code)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Reason {}

/// Why a key of a JWKS was not loaded. The other keys still load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyProblem {
    NotAnObject,
    UnsupportedKeyType,
    UnsupportedCurve,
    InvalidKeyMaterial,
    PrivateKeyMaterial,
    RsaModulusTooSmall,
    RsaModulusTooLarge,
    RsaBadExponent,
    RsaWeakKey,
    BadUse,
    BadKeyOps,
    BadAlgorithm,
}

impl KeyProblem {
    #[inline(never)]
    pub fn code(self) -> &'static str {
        match self {
            KeyProblem::NotAnObject => "not_an_object",
            KeyProblem::UnsupportedKeyType => "unsupported_kty",
            KeyProblem::UnsupportedCurve => "unsupported_curve",
            KeyProblem::InvalidKeyMaterial => "invalid_key_material",
            KeyProblem::PrivateKeyMaterial => "private_key_material",
            KeyProblem::RsaModulusTooSmall => "rsa_modulus_too_small",
            KeyProblem::RsaModulusTooLarge => "rsa_modulus_too_large",
            KeyProblem::RsaBadExponent => "rsa_bad_exponent",
            KeyProblem::RsaWeakKey => "rsa_weak_key",
            KeyProblem::BadUse => "bad_use",
            KeyProblem::BadKeyOps => "bad_key_ops",
            KeyProblem::BadAlgorithm => "bad_alg",
        }
    }
}

/// Why a whole JWKS document was refused (no key from it is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum JwksError {
    TooLarge,
    InvalidJson,
    DuplicateMember,
    NoKeysArray,
    TooManyKeys,
}

impl JwksError {
    #[inline(never)]
    pub fn code(self) -> &'static str {
        match self {
            JwksError::TooLarge => "jwks_too_large",
            JwksError::InvalidJson => "jwks_invalid_json",
            JwksError::DuplicateMember => "jwks_duplicate_member",
            JwksError::NoKeysArray => "jwks_no_keys_array",
            JwksError::TooManyKeys => "jwks_too_many_keys",
        }
    }
}

impl fmt::Display for JwksError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl std::error::Error for JwksError {}
