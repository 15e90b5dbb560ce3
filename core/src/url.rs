//! The one rule for every URL keys are fetched from (configured, discovered, or a redirect's
//! target): `https://` with a host, or plain `http://` to a loopback address when the
//! configuration allows it (tests, demos).

use crate::setting::{ConfigError, err};

/// `https://...`, or `http://` to a loopback host when explicitly allowed.
pub fn check_url(setting: &str, url: &str, allow_http_loopback: bool) -> Result<(), ConfigError> {
    if let Some(rest) = url.strip_prefix("https://") {
        if rest.is_empty() || rest.starts_with('/') {
            return Err(err(setting, ["`", url, "` has no host"].concat()));
        }
        return Ok(());
    }
    if let Some(rest) = url.strip_prefix("http://") {
        if allow_http_loopback && is_loopback_authority(rest) {
            return Ok(());
        }
        return Err(err(
            setting,
            ["`", url, "` is not https (plain http is allowed only to loopback with JWKS_ALLOW_HTTP_LOOPBACK=true)"]
                .concat(),
        ));
    }
    Err(err(setting, ["`", url, "` is not an https URL"].concat()))
}

/// Whether the authority at the start of `rest` (after `http://`) is a loopback address.
pub fn is_loopback_authority(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return false;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, _)) => h,
            None => return false,
        }
    } else {
        authority.split(':').next().unwrap_or("")
    };
    if host == "localhost" || host == "::1" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets[0] == "127"
        && octets.iter().all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
}

/// Where a redirect's `Location` points, from `base`: an absolute `http(s)` URL, a
/// scheme-relative `//host/...`, or an absolute path. Other relative forms are refused (no
/// identity provider sends them, and resolving them fully is more code than it is worth).
pub fn resolve(base: &str, location: &str) -> Option<String> {
    let location = location.trim();
    if location.starts_with("https://") || location.starts_with("http://") {
        return Some(location.to_owned());
    }
    let (scheme, rest) = base.split_once("://")?;
    if let Some(authority_and_path) = location.strip_prefix("//") {
        return Some([scheme, "://", authority_and_path].concat());
    }
    if location.starts_with('/') {
        let authority = rest.split(['/', '?', '#']).next()?;
        return Some([scheme, "://", authority, location].concat());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_http_needs_the_flag() {
        assert!(check_url("X", "http://127.0.0.1:8080/jwks", true).is_ok());
        assert!(check_url("X", "http://localhost/jwks", true).is_ok());
        assert!(check_url("X", "http://[::1]:9/jwks", true).is_ok());
        assert!(check_url("X", "http://127.0.0.1:8080/jwks", false).is_err());
        assert!(check_url("X", "http://127.0.0.1.evil.com/jwks", true).is_err());
        assert!(check_url("X", "http://127.0.0.1@evil.com/jwks", true).is_err());
        assert!(check_url("X", "ftp://x", true).is_err());
        assert!(check_url("X", "https:///x", true).is_err());
    }

    #[test]
    fn redirects_resolve_against_the_base() {
        let base = "https://id.example:8443/a/b?x=1";
        assert_eq!(resolve(base, "https://other.example/k").as_deref(), Some("https://other.example/k"));
        assert_eq!(resolve(base, "http://evil.example/k").as_deref(), Some("http://evil.example/k"));
        assert_eq!(resolve(base, "//cdn.example/k").as_deref(), Some("https://cdn.example/k"));
        assert_eq!(resolve(base, "/keys").as_deref(), Some("https://id.example:8443/keys"));
        assert_eq!(resolve(base, "keys"), None);
        assert_eq!(resolve(base, "javascript:x"), None);
    }
}
