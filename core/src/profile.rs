//! An issuer profile: one trusted issuer, the rules its tokens must meet, and where its keys
//! come from. A token is matched to a profile by its `iss` before any key is touched, and only
//! that profile's key source can verify it: a key published by issuer B never verifies a token
//! that names issuer A, even under the same `kid`.

use crate::alg::Algorithm;
use crate::claim_path::ClaimPath;
use crate::claim_rule::ClaimRule;
use crate::context::Mapping;
use crate::keys::KeySet;
use crate::setting::Named;
use std::sync::Arc;

/// What a token is for, from its `token_use` claim (Amazon Cognito's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenUse {
    /// `access`: an access token.
    Access,
    /// `id`: an ID token.
    Id,
}

impl Named for TokenUse {
    const NAMES: &'static [(&'static str, Self)] = &[("access", Self::Access), ("id", Self::Id)];
}

/// How a list of scopes (`required_scopes`, a route rule's) is held (`scope_match`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ScopeMatch {
    /// Every scope of the list (the default).
    #[default]
    All,
    /// At least one (API Gateway's JWT authorizers' rule for a route's scopes).
    Any,
}

impl Named for ScopeMatch {
    const NAMES: &'static [(&'static str, Self)] = &[("all", Self::All), ("any", Self::Any)];
}

/// One trusted issuer and its rules (validated; see `config`).
#[derive(Clone, Debug)]
pub struct Profile {
    /// Its position in the configuration's `issuers`, for logs and errors.
    pub index: usize,
    /// Compared exactly with `iss`.
    pub issuer: String,
    /// Accepted `aud` values. Empty: only tokens without `aud` (then `allowed_client_ids` is set).
    pub audiences: Vec<String>,
    /// Accepted `client_id` (else `azp`) values; `None`: any.
    pub allowed_client_ids: Option<Vec<String>>,
    /// The `token_use` every token must have; `None`: not checked.
    pub token_use: Option<TokenUse>,
    /// The algorithms its tokens may use (default `RS256`).
    pub algorithms: Vec<Algorithm>,
    /// Scopes every token must hold (else Deny, `missing_scope`).
    pub required_scopes: Vec<String>,
    /// How `required_scopes` and route rules' scopes are held.
    pub scope_match: ScopeMatch,
    /// Every token of this profile must meet each (else Deny, `claim_rule_failed`).
    pub claim_rules: Vec<ClaimRule>,
    /// The header `typ` every token must have (e.g. `at+jwt`); `None`: not checked.
    pub token_type: Option<String>,
    /// Clock skew allowed for `exp`, `nbf` and `iat`.
    pub leeway_seconds: u32,
    /// How many seconds old (by `iat`) a token may be; `None`: no age rule.
    pub max_token_age_seconds: Option<u64>,
    /// What the authorizer `context` carries.
    pub context: Mapping,
    /// The claim whose value is the `usageIdentifierKey`.
    pub usage_identifier_claim: Option<ClaimPath>,
    /// Every token must be bound to the mutual-TLS client certificate (RFC 8705); bound tokens
    /// are checked whether or not this is set.
    pub require_certificate_binding: bool,
    /// Its key source: an index into the configuration's `sources`.
    pub source: usize,
}

/// Where a key set comes from: a URL, discovery, a file in the deployment, inline keys, or a
/// static set with a URL to refresh from.
#[derive(Clone, Debug)]
pub struct KeySource {
    /// The key set's URL (given, or a Cognito pool's).
    pub jwks_uri: Option<String>,
    /// When neither a URL nor static keys are given: the issuer's OpenID configuration.
    pub discovery: Option<Discovery>,
    /// A JWKS file shipped with the deployment, read by the host when the core asks.
    pub file: Option<String>,
    /// Inline keys: parsed and checked once, by `Config::new`; the key cache serves them as
    /// they are.
    pub inline: Option<InlineKeys>,
}

/// A key set written in the configuration: its text (what names the source) and the set
/// `Config::new` parsed from it, which the key cache uses without parsing the text again.
#[derive(Clone, Debug)]
pub struct InlineKeys {
    /// The key set's JSON text, as the configuration writes it.
    pub text: String,
    /// The keys parsed from `text`. Shared, not copied, by the configuration's clones and the
    /// profiles that share the source.
    pub keys: Arc<KeySet>,
}

impl KeySource {
    /// Whether two sources are the same place (profiles then share one key set).
    pub fn same_origin(&self, other: &KeySource) -> bool {
        self.jwks_uri == other.jwks_uri
            && self.discovery == other.discovery
            && self.file == other.file
            && self.inline.as_ref().map(|i| &i.text) == other.inline.as_ref().map(|i| &i.text)
    }
}

/// An issuer's OpenID configuration document: where it is, and the `issuer` it must name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    /// `ISSUER/.well-known/openid-configuration` (OpenID Connect Discovery 1.0 section 4).
    pub url: String,
    /// The issuer the document must name exactly (section 4.3).
    pub issuer: String,
}

/// What a verified token holds of its profile's rules that decide Deny rather than Unauthorized.
#[derive(Clone, Copy)]
pub struct Held<'s> {
    /// Its scopes.
    pub scopes: &'s [&'s str],
    /// Whether it meets every claim rule of its profile.
    pub claim_rules: bool,
}
