//! The JWS compact serialisation (RFC 7515 section 7.1), read strictly. The header is parsed
//! first; the payload is decoded before the signature is checked only to read `iss`, which
//! chooses the issuer whose keys may verify it, and none of its claims is trusted before.

use crate::alg::Algorithm;
use crate::b64;
use crate::json::{self, Json, JsonError, Object};
use crate::reason::Reason;
use crate::scan;

/// A token split into its parts, with its protected header read and checked.
#[derive(Debug)]
pub struct Jws<'a> {
    /// The protected header, checked.
    pub header: Header,
    /// `BASE64URL(header) || '.' || BASE64URL(payload)`: what the signature covers.
    pub signing_input: &'a [u8],
    /// The payload part, still base64url: decode it with [`payload`].
    pub payload_b64: &'a [u8],
    /// The signature, decoded.
    pub signature: Vec<u8>,
}

/// The protected header members the verifier uses (RFC 7515 section 4.1).
#[derive(Debug, Clone)]
pub struct Header {
    /// `alg`: one of the configured algorithms.
    pub alg: Algorithm,
    /// `kid`, when present.
    pub kid: Option<String>,
    /// `typ`, when present.
    pub typ: Option<String>,
    /// The signing certificate's thumbprint (`x5t#S256`, else `x5t`), which names the key when
    /// there is no `kid` (RFC 7515 sections 4.1.7 and 4.1.8).
    pub thumbprint: Option<Thumbprint>,
}

/// A certificate thumbprint as a header or a JWK writes it (base64url text, compared as is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Thumbprint {
    /// `x5t`: the SHA-1 thumbprint.
    Sha1(String),
    /// `x5t#S256`: the SHA-256 thumbprint.
    Sha256(String),
}

/// The reason for a header or payload the JSON reader refused.
pub fn json_reason(e: JsonError) -> Reason {
    match e {
        JsonError::Duplicate => Reason::DuplicateMember,
        JsonError::Invalid | JsonError::NotAnObject => Reason::InvalidJson,
    }
}

/// Split and check a compact JWS. `allowed` is the configured allow-list.
pub fn parse<'a>(token: &'a str, max_bytes: usize, allowed: &[Algorithm]) -> Result<Jws<'a>, Reason> {
    let bytes = token.as_bytes();
    if bytes.len() > max_bytes {
        return Err(Reason::TokenTooLarge);
    }
    // Exactly two dots: header, payload, signature.
    let first = scan::find(bytes, b'.').ok_or(Reason::MalformedToken)?;
    let second = first + 1 + scan::find(&bytes[first + 1..], b'.').ok_or(Reason::MalformedToken)?;
    if scan::find(&bytes[second + 1..], b'.').is_some() {
        return Err(Reason::MalformedToken);
    }
    let (h, p, s) = (&bytes[..first], &bytes[first + 1..second], &bytes[second + 1..]);
    // An empty payload is a valid JWS (it then fails as claims); an empty header or
    // signature never is. The header is read first so `alg: none` is logged as such.
    if h.is_empty() {
        return Err(Reason::MalformedToken);
    }
    let header_bytes = b64::decode(h).ok_or(Reason::InvalidBase64)?;
    let header = json::read_object(&header_bytes).map_err(json_reason)?;
    let header = read_header(&header, allowed)?;
    if s.is_empty() {
        return Err(Reason::MalformedToken);
    }
    let signature = b64::decode(s).ok_or(Reason::InvalidBase64)?;
    Ok(Jws { header, signing_input: &bytes[..h.len() + 1 + p.len()], payload_b64: p, signature })
}

fn read_header(header: &Object<'_>, allowed: &[Algorithm]) -> Result<Header, Reason> {
    // RFC 7797: with b64 false the payload is not base64url; we support only the default.
    match header.get("b64") {
        None | Some(Json::Bool(true)) => {}
        Some(_) => return Err(Reason::UnencodedPayload),
    }
    // RFC 7515 section 4.1.11: a recipient must reject extensions it does not understand;
    // we understand none.
    if header.contains_key("crit") {
        return Err(Reason::UnsupportedCritical);
    }
    let alg = header
        .get("alg")
        .and_then(Json::as_str)
        .and_then(Algorithm::from_name)
        .filter(|alg| allowed.contains(alg))
        .ok_or(Reason::AlgorithmNotAllowed)?;
    // RFC 7515 sections 4.1.4, 4.1.9 and 4.1.10: strings when present.
    let kid = optional_string(header, "kid", Reason::InvalidHeaderKid)?;
    let typ = optional_string(header, "typ", Reason::InvalidHeaderTyp)?;
    optional_string(header, "cty", Reason::InvalidHeaderCty)?;
    let thumbprint = match optional_string(header, "x5t#S256", Reason::MalformedToken)? {
        Some(t) => Some(Thumbprint::Sha256(t)),
        None => optional_string(header, "x5t", Reason::MalformedToken)?.map(Thumbprint::Sha1),
    };
    // jku, x5u, jwk and x5c are never read: keys come only from the configured JWKS.
    Ok(Header { alg, kid, typ, thumbprint })
}

fn optional_string(header: &Object<'_>, name: &str, wrong_type: Reason) -> Result<Option<String>, Reason> {
    match header.get(name) {
        None => Ok(None),
        Some(Json::Str(s)) => Ok(Some(s.as_ref().to_owned())),
        Some(_) => Err(wrong_type),
    }
}

/// The payload's bytes: read them with [`read_claims`].
pub fn payload(jws: &Jws<'_>) -> Result<Vec<u8>, Reason> {
    b64::decode(jws.payload_b64).ok_or(Reason::InvalidBase64)
}

/// The claims: the payload as a strict JSON object, borrowing from `payload`.
pub fn read_claims(payload: &[u8]) -> Result<Object<'_>, Reason> {
    json::read_object(payload).map_err(json_reason)
}
