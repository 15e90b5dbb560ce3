//! Registered and access-token claims (RFC 7519 section 4.1, RFC 9068), checked against the
//! configuration and the host's clock.

use crate::config::Config;
use crate::reason::Reason;
use crate::token::Header;
use crate::json::{Json, Object};

/// Check every configured rule except scopes (those decide Deny, not Unauthorized).
pub fn check(claims: &Object<'_>, header: &Header, config: &Config, now: i64) -> Result<(), Reason> {
    let leeway = config.leeway_seconds as f64;
    let now = now as f64;

    let exp = numeric(claims, "exp")?.ok_or(Reason::MissingExpiry)?;
    if now >= exp + leeway {
        return Err(Reason::TokenExpired);
    }
    if let Some(nbf) = numeric(claims, "nbf")?
        && now + leeway < nbf
    {
        return Err(Reason::TokenNotYetValid);
    }
    let iat = numeric(claims, "iat")?;
    if let Some(iat) = iat
        && iat > now + leeway
    {
        return Err(Reason::IssuedInFuture);
    }
    if let Some(max_age) = config.max_token_age_seconds {
        let iat = iat.ok_or(Reason::MissingIssuedAt)?;
        if now - iat > max_age as f64 + leeway {
            return Err(Reason::TokenTooOld);
        }
    }

    match claims.get("iss") {
        Some(Json::Str(iss)) if config.issuers.iter().any(|i| i == iss) => {}
        None | Some(Json::Str(_)) => return Err(Reason::IssuerMismatch),
        Some(_) => return Err(Reason::InvalidClaim),
    }

    let audiences = string_or_strings(claims.get("aud"))?;
    if !audiences.iter().any(|a| config.audiences.iter().any(|c| c == a)) {
        return Err(Reason::AudienceMismatch);
    }

    if let Some(required) = &config.token_type
        && !header.typ.as_deref().is_some_and(|typ| media_type_eq(typ, required))
    {
        return Err(Reason::TokenTypeMismatch);
    }

    if let Some(allowed) = &config.allowed_client_ids {
        let client = match claims.get("client_id").or_else(|| claims.get("azp")) {
            Some(Json::Str(c)) => c,
            None => return Err(Reason::ClientNotAllowed),
            Some(_) => return Err(Reason::InvalidClaim),
        };
        if !allowed.iter().any(|a| a == client) {
            return Err(Reason::ClientNotAllowed);
        }
    }
    Ok(())
}

/// The token's scopes: `scope` (space-separated, RFC 8693/9068) or `scp` (array or string).
pub fn scopes<'c>(claims: &'c Object<'_>) -> Result<Vec<&'c str>, Reason> {
    let mut out = Vec::new();
    match claims.get("scope") {
        None => {}
        Some(Json::Str(s)) => out.extend(s.split(' ').filter(|s| !s.is_empty())),
        Some(_) => return Err(Reason::InvalidClaim),
    }
    match claims.get("scp") {
        None => {}
        Some(Json::Str(s)) => out.extend(s.split(' ').filter(|s| !s.is_empty())),
        Some(Json::Array(items)) => {
            for item in items {
                out.push(item.as_str().ok_or(Reason::InvalidClaim)?);
            }
        }
        Some(_) => return Err(Reason::InvalidClaim),
    }
    Ok(out)
}

/// Whether `held` (the token's [`scopes`]) has every scope in `required`.
pub fn holds_all(held: &[&str], required: &[String]) -> bool {
    required.iter().all(|r| held.contains(&r.as_str()))
}

/// A NumericDate: a JSON number (integer or fraction). Anything else is `InvalidClaim`.
fn numeric(claims: &Object<'_>, name: &str) -> Result<Option<f64>, Reason> {
    match claims.get(name) {
        None => Ok(None),
        Some(Json::Number(n)) => n.as_f64().filter(|v| v.is_finite()).map(Some).ok_or(Reason::InvalidClaim),
        Some(_) => Err(Reason::InvalidClaim),
    }
}

fn string_or_strings<'c>(value: Option<&'c Json<'_>>) -> Result<Vec<&'c str>, Reason> {
    match value {
        None => Ok(Vec::new()),
        Some(Json::Str(s)) => Ok(vec![s.as_ref()]),
        Some(Json::Array(items)) => {
            items.iter().map(|v| v.as_str().ok_or(Reason::InvalidClaim)).collect()
        }
        Some(_) => Err(Reason::InvalidClaim),
    }
}

/// RFC 7515 section 4.1.9: `typ` may omit the `application/` prefix; compare case-insensitively.
fn media_type_eq(a: &str, b: &str) -> bool {
    fn strip(s: &str) -> &str {
        match s.get(..12) {
            Some(prefix) if prefix.eq_ignore_ascii_case("application/") => &s[12..],
            _ => s,
        }
    }
    strip(a).eq_ignore_ascii_case(strip(b))
}
