//! Why a request or a key was refused.
//!
//! Every rejection is one variant with a stable, machine-readable `code()` that hosts log and
//! tests match on. Callers of the API never see more than `Unauthorized`; these are for operators.

use core::fmt;

/// Why a token or event was not allowed. `code()` is stable across releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    // Input and transport of the token.
    /// `invalid_clock`: the host's time is not whole seconds from 2000-01-01 up to 2^53
    /// (`clock::whole`), checked before anything else.
    InvalidClock,
    /// `invalid_event`: not an authorizer event API Gateway sends: over `max_event_bytes`, not
    /// a JSON object, no known `type`/`version`, a member of the wrong type (a header, cookie or
    /// query map, a string), no `methodArn`/`routeArn` or one that is no execute-api ARN (or
    /// holds an IAM wildcard where route rules need an exact policy, see
    /// `PolicySettings::names_exactly`), cookie or query text beyond its bounds,
    /// or a client certificate that is not PEM.
    InvalidEvent,
    /// `missing_token`: no configured source is in the event, or the one found is empty; for
    /// a TOKEN event, no `authorizationToken` or no header source in `token_sources`.
    MissingToken,
    /// `bad_authorization_scheme`: the source is there but holds no single token in its form: a
    /// wrong or missing scheme, white space or a control character inside, nothing after the
    /// scheme, or (a cookie) a byte that is no cookie-octet or an unclosed quote.
    BadAuthorizationScheme,
    /// `ambiguous_token`: the source holds more than one value: a header, cookie or query
    /// parameter given twice, or a comma in the value (how API Gateway joins repeats).
    AmbiguousToken,
    /// `token_too_large`: the token is longer than `limits.max_token_bytes`.
    TokenTooLarge,
    // JWS compact serialisation.
    /// `malformed_token`: not three dot-separated parts, an empty header or signature part,
    /// or a header `x5t#S256`/`x5t` that is not a string.
    MalformedToken,
    /// `invalid_header_kid`: the header has a `kid` that is not a string (RFC 7515 section 4.1.4).
    InvalidHeaderKid,
    /// `invalid_header_typ`: the header has a `typ` that is not a string (RFC 7515 section 4.1.9).
    InvalidHeaderTyp,
    /// `invalid_header_cty`: the header has a `cty` that is not a string (RFC 7515 section
    /// 4.1.10).
    InvalidHeaderCty,
    /// `invalid_base64`: the header, payload or signature is not canonical unpadded base64url
    /// (RFC 7515 section 2).
    InvalidBase64,
    /// `invalid_json`: the header or the payload is not a JSON object, read strictly (see
    /// [`json`](crate::json): RFC 8259's grammar, UTF-8, bounded depth).
    InvalidJson,
    /// `duplicate_member`: the header or the payload repeats a member name, which RFC 7515
    /// section 4 and RFC 7519 section 4 allow a recipient to refuse.
    DuplicateMember,
    /// `unsupported_critical`: the header has `crit` (RFC 7515 section 4.1.11); no extension is
    /// understood.
    UnsupportedCritical,
    /// `unencoded_payload`: the header has `b64` other than `true` (RFC 7797).
    UnencodedPayload,
    // Algorithm and key selection.
    /// `algorithm_not_allowed`: the header's `alg` is missing, unknown, in no profile's
    /// allow-list, or not in the allow-list of the profile the token's `iss` chose.
    AlgorithmNotAllowed,
    /// `jwks_unavailable`: the issuer's key source has no usable keys now (none loaded yet, or
    /// expired and due for a fetch). A [`Gate`](crate::Gate) makes it `FetchKeys` while the cache's
    /// rules allow a fetch.
    JwksUnavailable,
    /// `no_keys`: the issuer's key set holds no usable key and the token names none (no `kid`,
    /// no thumbprint).
    NoKeys,
    /// `unknown_kid`: no key has the token's `kid` (or, without `kid`, its `x5t#S256`/`x5t`),
    /// an empty set included. A [`Gate`](crate::Gate) refetches for it once per cooldown.
    UnknownKid,
    /// `no_matching_key`: no candidate key fits a token without `kid`, or more than
    /// [`MAX_KEYS_TRIED`](crate::MAX_KEYS_TRIED) keys fit a token, named by `kid` or not (see
    /// `key_selection`).
    NoMatchingKey,
    /// `key_mismatch`: keys have the token's `kid`, but none fits its `alg` (key type, curve,
    /// or the JWK's own `alg`).
    KeyMismatch,
    /// `bad_signature`: at least one fitting key was tried and none verified the signature
    /// (a signature of the wrong length for the key included).
    BadSignature,
    // Claims.
    /// `invalid_claim`: a claim has the wrong type: `exp`, `nbf`, `iat` not numbers; `iss`,
    /// `sub`, `jti` not strings; `aud`, `scope`, `scp` not a string or strings; `token_use` or
    /// `client_id`/`azp` not a string where checked; `cnf` not an object with a 32-byte
    /// `x5t#S256`; or a claim of the wrong type for a claim rule (a profile's or a route rule's).
    InvalidClaim,
    /// `missing_exp`: the token has no `exp` (required, RFC 9068 section 2.2).
    MissingExpiry,
    /// `missing_sub`: the token has no `sub`, or an empty one (required, RFC 9068 section 2.2):
    /// it is the policy's `principalId`, and tokens without one would share a principal.
    MissingSubject,
    /// `token_expired`: `now - leeway >= exp` (RFC 7519 section 4.1.4).
    TokenExpired,
    /// `token_not_yet_valid`: `now + leeway < nbf` (RFC 7519 section 4.1.5).
    TokenNotYetValid,
    /// `issued_in_future`: `iat > now + leeway`.
    IssuedInFuture,
    /// `missing_iat`: the profile sets `max_token_age_seconds` and the token has no `iat`.
    MissingIssuedAt,
    /// `token_too_old`: `now - iat > max_token_age_seconds + leeway`.
    TokenTooOld,
    /// `issuer_mismatch`: the token has no `iss`, or it names no configured issuer exactly.
    IssuerMismatch,
    /// `audience_mismatch`: no `aud` of the token is one of the profile's audiences (a token
    /// with `aud` where the profile lists none, or without `aud` where it lists some, included).
    AudienceMismatch,
    /// `token_type_mismatch`: the profile sets `token_type` and the header's `typ` is missing or
    /// another type (`application/` prefix optional, case-insensitive; RFC 9068 section 2.1).
    TokenTypeMismatch,
    /// `token_use_mismatch`: the profile sets `token_use` (Cognito) and the token's is missing
    /// or the other one.
    TokenUseMismatch,
    /// `client_not_allowed`: the profile lists allowed client ids and the token's `client_id`
    /// (else `azp`) is missing or not listed.
    ClientNotAllowed,
    // Certificate-bound tokens (RFC 8705).
    /// `certificate_required`: the token is bound to a certificate (`cnf.x5t#S256`, RFC 8705
    /// section 3) and the event has no client certificate.
    CertificateRequired,
    /// `certificate_mismatch`: the SHA-256 thumbprint of the event's client certificate is not
    /// the token's `cnf.x5t#S256`.
    CertificateMismatch,
    /// `token_not_bound`: the profile sets `require_certificate_binding` and the token has no
    /// `cnf.x5t#S256`.
    TokenNotBound,
    /// `missing_scope`: an authentic, valid token without the scopes the profile or the route
    /// rule requires: Deny (403), not Unauthorized.
    MissingScope,
    /// `claim_rule_failed`: an authentic, valid token fails a claim rule of its profile or of
    /// the route's rule: Deny (403).
    ClaimRuleFailed,
    // Route rules and the answer.
    /// `route_not_listed`: `unlisted_routes` is `deny` and no route rule names the request's
    /// route: Deny (403).
    RouteNotListed,
    /// `response_too_large`: the answer would exceed API Gateway's limit for an authorizer
    /// response ([`MAX_RESPONSE_BYTES`](crate::policy::MAX_RESPONSE_BYTES)): Unauthorized.
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
        Reason::MissingSubject,
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

    /// The stable snake_case code that hosts log and metrics count.
    ///
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
            Reason::MissingSubject => "missing_sub",
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

    /// One sentence for operators saying what was wrong (also the `Display` text).
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
            Reason::NoMatchingKey => "no key fits a token without kid, or more than four fit the token",
            Reason::KeyMismatch => "the key named by kid does not fit the token's alg",
            Reason::BadSignature => "the signature does not verify",
            Reason::InvalidClaim => "a registered claim has the wrong type (e.g. a sub or jti that is not a string)",
            Reason::MissingExpiry => "the token has no exp claim",
            Reason::MissingSubject => "the token has no sub claim",
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
    /// `not_an_object`: the `keys` entry (or a lone JWK's text) is not a JSON object.
    NotAnObject,
    /// `unsupported_kty`: `kty` is missing or not `RSA`, `EC` or `OKP`.
    UnsupportedKeyType,
    /// `unsupported_curve`: `crv` is not `P-256`, `P-384`, `P-521` (EC) or `Ed25519` (OKP).
    UnsupportedCurve,
    /// `invalid_key_material`: a key member is missing, not canonical base64url or of the
    /// wrong type or length, the point is not on the curve (or a weak Ed25519 point), the RSA
    /// modulus is even, or `kid`, `x5t` or `x5t#S256` is not a string.
    InvalidKeyMaterial,
    /// `private_key_material`: the JWK holds private members (`d`, or RSA's `p`, `q`, `dp`,
    /// `dq`, `qi`, `oth`): a published private key lets anyone sign.
    PrivateKeyMaterial,
    /// `rsa_modulus_too_small`: the modulus has fewer than
    /// [`MIN_RSA_BITS`](crate::keys::MIN_RSA_BITS) bits.
    RsaModulusTooSmall,
    /// `rsa_modulus_too_large`: the modulus has more than
    /// [`MAX_RSA_BITS`](crate::keys::MAX_RSA_BITS) bits.
    RsaModulusTooLarge,
    /// `rsa_bad_exponent`: `e` is missing, not base64url, even, below 3, or over 64 bits.
    RsaBadExponent,
    /// `rsa_weak_key`: the modulus has the ROCA fingerprint (CVE-2017-15361).
    RsaWeakKey,
    /// `bad_use`: `use` is present and not `sig`.
    BadUse,
    /// `bad_key_ops`: `key_ops` is present and does not list `verify`.
    BadKeyOps,
    /// `bad_alg`: the JWK's `alg` is not a known algorithm, or not one for its key type.
    BadAlgorithm,
}

impl KeyProblem {
    /// The stable code in the key-load log line's `refused` entries.
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
    /// `jwks_too_large`: the document is larger than `limits.max_jwks_bytes`.
    TooLarge,
    /// `jwks_invalid_json`: the document is not a strict JSON object.
    InvalidJson,
    /// `jwks_duplicate_member`: the document repeats a member name in an object.
    DuplicateMember,
    /// `jwks_no_keys_array`: the document has no `keys` array (RFC 7517 section 5).
    NoKeysArray,
    /// `jwks_too_many_keys`: `keys` has more than `limits.max_keys` entries.
    TooManyKeys,
}

impl JwksError {
    /// The stable code: a fetch's `error` in the log, a static key set's start-up error.
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
