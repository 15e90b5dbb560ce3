//! Certificate-bound access tokens (RFC 8705 section 3): a token whose `cnf` claim holds
//! `x5t#S256` may be used only over a mutual-TLS connection with the client certificate whose
//! SHA-256 thumbprint (of its DER encoding, base64url) that is. API Gateway passes the
//! certificate it verified in the event (REST: `requestContext.identity.clientCert`; HTTP API:
//! `requestContext.authentication.clientCert`), as PEM.

use crate::b64;
use crate::json::{Json, Object};
use crate::reason::Reason;
use sha2::{Digest, Sha256};

/// The certificate `pem` (when the event has one) is the one `claims` are bound to; a bound
/// token needs a certificate, and with `required` every token must be bound.
pub fn check(claims: &Object<'_>, pem: Option<&str>, required: bool) -> Result<(), Reason> {
    let thumbprint = match claims.get("cnf") {
        None => None,
        Some(Json::Object(cnf)) => match cnf.get("x5t#S256") {
            None => None,
            Some(Json::Str(t)) => {
                Some(b64::decode(t.as_bytes()).filter(|t| t.len() == 32).ok_or(Reason::InvalidClaim)?)
            }
            Some(_) => return Err(Reason::InvalidClaim),
        },
        Some(_) => return Err(Reason::InvalidClaim),
    };
    let Some(thumbprint) = thumbprint else {
        return if required { Err(Reason::TokenNotBound) } else { Ok(()) };
    };
    let der = pem_certificate(pem.ok_or(Reason::CertificateRequired)?).ok_or(Reason::InvalidEvent)?;
    if Sha256::digest(&der)[..] == thumbprint[..] { Ok(()) } else { Err(Reason::CertificateMismatch) }
}

/// The DER bytes of the first certificate in `pem` (RFC 7468 section 5): the base64 (standard
/// alphabet, padded, lines broken anywhere) between the `CERTIFICATE` boundaries.
fn pem_certificate(pem: &str) -> Option<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let body = &pem[pem.find(BEGIN)? + BEGIN.len()..];
    let body = &body[..body.find(END)?];
    let mut text: Vec<u8> = Vec::with_capacity(body.len());
    for b in body.bytes() {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => {}
            // The standard alphabet's two symbols, mapped onto base64url's for the decoder.
            b'+' => text.push(b'-'),
            b'/' => text.push(b'_'),
            b'-' | b'_' => return None,
            _ => text.push(b),
        }
    }
    let padding = text.iter().rev().take_while(|&&b| b == b'=').count();
    if padding > 2 || !text.len().is_multiple_of(4) {
        return None;
    }
    text.truncate(text.len() - padding);
    b64::decode(&text).filter(|der| !der.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    // A short DER-like body: the thumbprint is over whatever bytes the PEM holds.
    const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB+zCCAaGgAwIBAgIU/w==\n-----END CERTIFICATE-----\n";

    fn claims(cnf: &str) -> String {
        format!(r#"{{"sub":"u","cnf":{cnf}}}"#)
    }

    fn thumbprint(der: &[u8]) -> String {
        b64::encode(&Sha256::digest(der))
    }

    #[test]
    fn bound_tokens_need_their_certificate() {
        let der = pem_certificate(PEM).unwrap();
        assert_eq!(der[..4], [0x30, 0x82, 0x01, 0xfb]);
        let bound = claims(&format!(r#"{{"x5t#S256":"{}"}}"#, thumbprint(&der)));
        let other = claims(&format!(r#"{{"x5t#S256":"{}"}}"#, thumbprint(b"another")));
        fn read(t: &str) -> Object<'_> {
            crate::json::read_object(t.as_bytes()).unwrap()
        }
        let (bound, other) = (read(&bound), read(&other));
        assert_eq!(check(&bound, Some(PEM), false), Ok(()));
        assert_eq!(check(&bound, Some(PEM), true), Ok(()));
        assert_eq!(check(&bound, None, false), Err(Reason::CertificateRequired));
        assert_eq!(check(&other, Some(PEM), false), Err(Reason::CertificateMismatch));
        let unbound = read(r#"{"sub":"u"}"#);
        let jkt = claims(r#"{"jkt":"abc"}"#);
        assert_eq!(check(&unbound, Some(PEM), false), Ok(()));
        assert_eq!(check(&unbound, None, true), Err(Reason::TokenNotBound));
        // `cnf` with another confirmation method (DPoP's `jkt`) is not a certificate binding.
        assert_eq!(check(&read(&jkt), None, true), Err(Reason::TokenNotBound));
        for bad in [r#""x""#, r#"{"x5t#S256":1}"#, r#"{"x5t#S256":"AAAA"}"#, r#"{"x5t#S256":"not base64!"}"#] {
            let text = claims(bad);
            assert_eq!(check(&read(&text), Some(PEM), false), Err(Reason::InvalidClaim), "{bad}");
        }
        assert_eq!(check(&bound, Some("not a certificate"), false), Err(Reason::InvalidEvent));
    }

    #[test]
    fn pem_forms() {
        assert!(
            pem_certificate("-----BEGIN CERTIFICATE-----\r\nMIIB+zCC\r\nAaGgAwIBAgIU/w==\r\n-----END CERTIFICATE-----")
                .is_some()
        );
        for bad in [
            "",
            "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nMIIB-zCC\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nMIIB+zCCA===\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nMIIB+zCCAaGgAwIBAgIU/w==\n",
        ] {
            assert_eq!(pem_certificate(bad), None, "{bad:?}");
        }
    }
}
