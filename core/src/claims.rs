//! Registered and access-token claims (RFC 7519 section 4.1, RFC 9068), checked against the
//! configuration and the host's clock.

use crate::json::{Json, Object};
use crate::profile::{Profile, ScopeMatch, TokenUse};
use crate::reason::Reason;
use crate::setting::Named;
use crate::token::Header;

/// Check every rule of the token's profile except the issuer (it chose the profile) and scopes
/// (those decide Deny, not Unauthorized).
pub fn check(claims: &Object<'_>, header: &Header, profile: &Profile, now: i64) -> Result<(), Reason> {
    // Exact whole-second arithmetic (dates may be fractions: see `json::Number::floor_ceil`),
    // wide enough that no sum overflows.
    let leeway = i128::from(profile.leeway_seconds);
    let now = i128::from(now);

    let (_, exp_ceil) = numeric(claims, "exp")?.ok_or(Reason::MissingExpiry)?;
    // now >= exp + leeway
    if now - leeway >= exp_ceil {
        return Err(Reason::TokenExpired);
    }
    // now + leeway < nbf
    if let Some((_, nbf_ceil)) = numeric(claims, "nbf")?
        && now + leeway < nbf_ceil
    {
        return Err(Reason::TokenNotYetValid);
    }
    let iat = numeric(claims, "iat")?;
    // iat > now + leeway
    if let Some((_, iat_ceil)) = iat
        && now + leeway < iat_ceil
    {
        return Err(Reason::IssuedInFuture);
    }
    if let Some(max_age) = profile.max_token_age_seconds {
        let (iat_floor, _) = iat.ok_or(Reason::MissingIssuedAt)?;
        // now - iat > max_age + leeway
        if now - i128::from(max_age) - leeway > iat_floor {
            return Err(Reason::TokenTooOld);
        }
    }

    // RFC 7519 sections 4.1.2 and 4.1.7: `sub` and `jti` are strings. RFC 9068 section 2.2
    // requires `sub`: it is the policy's `principalId` (DESIGN point 7), and a token without one
    // would share a principal with every other such token.
    for name in ["sub", "jti"] {
        if claims.get(name).is_some_and(|v| v.as_str().is_none()) {
            return Err(Reason::InvalidClaim);
        }
    }
    if claims.get("sub").and_then(Json::as_str).is_none_or(str::is_empty) {
        return Err(Reason::MissingSubject);
    }
    // Cognito's `token_use`: an id token is not an access token, nor the reverse.
    if let Some(wanted) = profile.token_use {
        match claims.get("token_use") {
            Some(Json::Str(used)) if TokenUse::from_setting("", used) == Ok(wanted) => {}
            None | Some(Json::Str(_)) => return Err(Reason::TokenUseMismatch),
            Some(_) => return Err(Reason::InvalidClaim),
        }
    }

    // RFC 7519 section 4.1.3: a token with `aud` is for one of our audiences. A token without
    // it (Cognito's access tokens) passes only a profile that lists no audiences, which then
    // requires an allowed client id below (as API Gateway's JWT authorizer checks `client_id`).
    match claims.get("aud") {
        None if profile.audiences.is_empty() => {}
        aud => {
            let audiences = string_or_strings(aud)?;
            if !audiences.iter().any(|a| profile.audiences.iter().any(|c| c == a)) {
                return Err(Reason::AudienceMismatch);
            }
        }
    }

    if let Some(required) = &profile.token_type
        && !header.typ.as_deref().is_some_and(|typ| media_type_eq(typ, required))
    {
        return Err(Reason::TokenTypeMismatch);
    }

    if let Some(allowed) = &profile.allowed_client_ids {
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
    let mut out = Vec::with_capacity(8);
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

/// Whether `held` (the token's [`scopes`]) has the scopes of `required` as `mode` says; an
/// empty list asks for nothing in either mode.
pub fn holds(held: &[&str], required: &[String], mode: ScopeMatch) -> bool {
    let has = |r: &String| held.contains(&r.as_str());
    match mode {
        ScopeMatch::All => required.iter().all(has),
        ScopeMatch::Any => required.is_empty() || required.iter().any(has),
    }
}

/// A NumericDate: a JSON number (integer or fraction), as its whole-second `(floor, ceil)`.
/// Anything else is `InvalidClaim`.
fn numeric(claims: &Object<'_>, name: &str) -> Result<Option<(i128, i128)>, Reason> {
    match claims.get(name) {
        None => Ok(None),
        Some(Json::Number(n)) => {
            let (floor, ceil) = n.floor_ceil();
            Ok(Some((i128::from(floor), i128::from(ceil))))
        }
        Some(_) => Err(Reason::InvalidClaim),
    }
}

fn string_or_strings<'c>(value: Option<&'c Json<'_>>) -> Result<Vec<&'c str>, Reason> {
    match value {
        None => Ok(Vec::new()),
        Some(Json::Str(s)) => Ok(vec![s.as_ref()]),
        Some(Json::Array(items)) => items.iter().map(|v| v.as_str().ok_or(Reason::InvalidClaim)).collect(),
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
