//! Amazon Cognito user pools: a pool id names its issuer and its key set.
//!
//! A pool id is `REGION_ID` (`eu-west-1_AbCd123`). Its tokens' `iss` is
//! `https://cognito-idp.REGION.amazonaws.com/POOL_ID` (`.amazonaws.com.cn` in the China regions)
//! and its keys are at `ISSUER/.well-known/jwks.json`.

/// The issuer of user pool `pool_id`, or `None` when it is not `REGION_ID`.
pub fn issuer(pool_id: &str) -> Option<String> {
    let (region, id) = pool_id.split_once('_')?;
    if !is_region(region) || id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let domain = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
    Some(["https://cognito-idp.", region, ".", domain, "/", pool_id].concat())
}

/// The key set of the pool whose issuer is `issuer`.
pub fn jwks_uri(issuer: &str) -> String {
    [issuer, "/.well-known/jwks.json"].concat()
}

/// An AWS region name: lower-case words joined by `-`, the last a number (`us-gov-west-1`).
fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let Some((number, words)) = parts.split_last() else { return false };
    words.len() >= 2
        && words.iter().all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_ids_name_their_issuer() {
        assert_eq!(
            issuer("eu-west-1_AbCd123").as_deref(),
            Some("https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCd123")
        );
        assert_eq!(
            issuer("us-gov-west-1_X1").as_deref(),
            Some("https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_X1")
        );
        assert_eq!(
            issuer("cn-north-1_X1").as_deref(),
            Some("https://cognito-idp.cn-north-1.amazonaws.com.cn/cn-north-1_X1")
        );
        assert_eq!(jwks_uri("https://i"), "https://i/.well-known/jwks.json");
        for bad in [
            "",
            "_",
            "eu-west-1",
            "eu-west-1_",
            "euwest1_A",
            "EU-west-1_A",
            "eu-west-x_A",
            "eu-west-1_A/b",
            "eu-west-1_A.b",
            "-west-1_A",
            "eu-west-1_A_b",
            "eu--1_A",
        ] {
            assert_eq!(issuer(bad), None, "{bad}");
        }
    }
}
