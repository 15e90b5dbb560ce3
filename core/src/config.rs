//! What the verifier accepts. Built from JSON (the wasm boundary) or from environment
//! variables (see `env`), validated once, then immutable.

use crate::alg::Algorithm;
use crate::claim_path::ClaimPath;
use crate::claim_rule::{self, ClaimRule};
use crate::cognito;
use crate::context::{self, ContextClaim, Mapping};
use crate::json::{self, Json, JsonError, Object};
use crate::json_text::{self, ArrayText, ObjectText, decimal};
use crate::keys::KeySet;
use crate::limits::{self, CEILING, Limits};
use crate::policy;
pub use crate::policy::{HttpApiResponse, PolicyResource};
use crate::profile::{Discovery, InlineKeys, KeySource, Profile, ScopeMatch, TokenUse};
use crate::routes::{self, RouteRule, RuleInput, RulesInput, UnlistedRoutes};
use crate::setting::err;
pub use crate::setting::{ConfigError, Named};
use crate::token_source::{self, TokenSource};
use crate::url::check_url;
use std::sync::Arc;

/// The largest `leeway_seconds`: ten minutes of clock skew.
pub const MAX_LEEWAY_SECONDS: u32 = 600;
/// The longest `max_token_age_seconds`: a year.
pub const MAX_TOKEN_AGE_SECONDS: u64 = 365 * 24 * 3600;
/// The most issuer profiles one configuration holds.
pub const MAX_PROFILES: usize = 20;

/// A profile's members as written: a profile object's own, or the top level's, which every
/// profile takes for the members it leaves out. `None` is "not written".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProfileInput {
    /// `issuer`: compared exactly with `iss` (a profile object's only).
    pub issuer: Option<String>,
    /// `cognito_user_pool_id`: a Cognito user pool as the issuer, with its key set (see
    /// `cognito`); not with `issuer`.
    pub cognito_user_pool_id: Option<String>,
    /// `jwks_uri`: the key set's URL; without any key member, OpenID discovery finds it.
    pub jwks_uri: Option<String>,
    /// An inline key set, as JSON text.
    pub jwks: Option<String>,
    /// `jwks_file`: a key set file of the deployment, read once when first needed.
    pub jwks_file: Option<String>,
    /// `audiences`: a token's `aud` must name one; empty needs `allowed_client_ids`.
    pub audiences: Option<Vec<String>>,
    /// `allowed_client_ids`: the accepted `client_id` (else `azp`) values.
    pub allowed_client_ids: Option<Vec<String>>,
    /// `token_use`: Cognito's `access` or `id`.
    pub token_use: Option<TokenUse>,
    /// `algorithms`: the allow-list by JWA name (default `RS256`).
    pub algorithms: Option<Vec<String>>,
    /// `required_scopes`: scopes every token must hold (else Deny).
    pub required_scopes: Option<Vec<String>>,
    /// `scope_match`: whether all or any of the required scopes are needed.
    pub scope_match: Option<ScopeMatch>,
    /// `claim_rules`: rules every token's claims must meet (else Deny).
    pub claim_rules: Option<Vec<ClaimRule>>,
    /// `token_type`: the header `typ` required (e.g. `at+jwt`, RFC 9068).
    pub token_type: Option<String>,
    /// `leeway_seconds`: clock skew allowed for `exp`, `nbf`, `iat` (default 0).
    pub leeway_seconds: Option<u64>,
    /// `max_token_age_seconds`: how old (by `iat`) a token may be; `None`: no age rule.
    pub max_token_age_seconds: Option<u64>,
    /// `context_claims`: claims copied into the answer's context (`PATH` or `KEY=PATH`).
    pub context_claims: Option<Vec<String>>,
    /// `context_payload_key`: the context key that carries the whole payload.
    pub context_payload_key: Option<String>,
    /// `usage_identifier_claim`: the claim that is the answer's `usageIdentifierKey`.
    pub usage_identifier_claim: Option<String>,
    /// `require_certificate_binding`: every token must be bound to the client certificate
    /// (RFC 8705).
    pub require_certificate_binding: Option<bool>,
}

/// Where [`ProfileInput`] keeps a member, by the member's type: what the configuration's
/// reader and writer, the environment's reader and the top level's inheritance go by.
#[derive(Clone, Copy)]
pub(crate) enum Slot {
    /// A string.
    Text(fn(&mut ProfileInput) -> &mut Option<String>),
    /// A key set: a JSON object, kept as its text.
    KeySet(fn(&mut ProfileInput) -> &mut Option<String>),
    /// A list of strings.
    List(fn(&mut ProfileInput) -> &mut Option<Vec<String>>),
    /// A list of scopes: in a variable, separated by spaces too (RFC 6749 section 3.3).
    Scopes(fn(&mut ProfileInput) -> &mut Option<Vec<String>>),
    /// A whole number.
    Number(fn(&mut ProfileInput) -> &mut Option<u64>),
    /// `true` or `false`.
    Flag(fn(&mut ProfileInput) -> &mut Option<bool>),
    /// A list of claim rules (see `claim_rule`).
    ClaimRules(fn(&mut ProfileInput) -> &mut Option<Vec<ClaimRule>>),
    /// One of [`TokenUse`]'s names.
    TokenUse(fn(&mut ProfileInput) -> &mut Option<TokenUse>),
    /// One of [`ScopeMatch`]'s names.
    ScopeMatch(fn(&mut ProfileInput) -> &mut Option<ScopeMatch>),
}

/// One member of an issuer profile, as the configuration names it.
pub(crate) struct ProfileMember {
    /// Its name in the configuration JSON (its variable is the name in capitals, but for
    /// those `env` renames).
    pub(crate) name: &'static str,
    /// Whether it says who the profile is: a profile object's own, never the top level's.
    pub(crate) identity: bool,
    pub(crate) slot: Slot,
}

const fn member(name: &'static str, slot: Slot) -> ProfileMember {
    ProfileMember { name, identity: false, slot }
}

/// Every member of a profile, in the order they are written: the one schema of
/// [`ProfileInput`]. Those that are not `identity` a profile may leave to the top level.
pub(crate) const PROFILE_MEMBERS: [ProfileMember; 19] = [
    ProfileMember { name: "issuer", identity: true, slot: Slot::Text(|p| &mut p.issuer) },
    ProfileMember { name: "cognito_user_pool_id", identity: true, slot: Slot::Text(|p| &mut p.cognito_user_pool_id) },
    member("jwks_uri", Slot::Text(|p| &mut p.jwks_uri)),
    member("jwks", Slot::KeySet(|p| &mut p.jwks)),
    member("jwks_file", Slot::Text(|p| &mut p.jwks_file)),
    member("audiences", Slot::List(|p| &mut p.audiences)),
    member("allowed_client_ids", Slot::List(|p| &mut p.allowed_client_ids)),
    member("token_use", Slot::TokenUse(|p| &mut p.token_use)),
    member("algorithms", Slot::List(|p| &mut p.algorithms)),
    member("required_scopes", Slot::Scopes(|p| &mut p.required_scopes)),
    member("scope_match", Slot::ScopeMatch(|p| &mut p.scope_match)),
    member("claim_rules", Slot::ClaimRules(|p| &mut p.claim_rules)),
    member("token_type", Slot::Text(|p| &mut p.token_type)),
    member("leeway_seconds", Slot::Number(|p| &mut p.leeway_seconds)),
    member("max_token_age_seconds", Slot::Number(|p| &mut p.max_token_age_seconds)),
    member("context_claims", Slot::List(|p| &mut p.context_claims)),
    member("context_payload_key", Slot::Text(|p| &mut p.context_payload_key)),
    member("usage_identifier_claim", Slot::Text(|p| &mut p.usage_identifier_claim)),
    member("require_certificate_binding", Slot::Flag(|p| &mut p.require_certificate_binding)),
];

/// The names of the members a profile may leave to the top level.
fn shared_members() -> impl Iterator<Item = &'static str> {
    PROFILE_MEMBERS.iter().filter(|m| !m.identity).map(|m| m.name)
}

impl ProfileInput {
    /// This profile with the top level's members (`top`) for those it leaves out.
    pub(crate) fn or(&self, top: &ProfileInput) -> ProfileInput {
        let (mut merged, mut top) = (self.clone(), top.clone());
        for member in PROFILE_MEMBERS.iter().filter(|m| !m.identity) {
            fn fill<T>(at: fn(&mut ProfileInput) -> &mut Option<T>, merged: &mut ProfileInput, top: &mut ProfileInput) {
                if at(merged).is_none() {
                    *at(merged) = at(top).take();
                }
            }
            match member.slot {
                Slot::Text(at) | Slot::KeySet(at) => fill(at, &mut merged, &mut top),
                Slot::List(at) | Slot::Scopes(at) => fill(at, &mut merged, &mut top),
                Slot::Number(at) => fill(at, &mut merged, &mut top),
                Slot::Flag(at) => fill(at, &mut merged, &mut top),
                Slot::ClaimRules(at) => fill(at, &mut merged, &mut top),
                Slot::TokenUse(at) => fill(at, &mut merged, &mut top),
                Slot::ScopeMatch(at) => fill(at, &mut merged, &mut top),
            }
        }
        merged
    }
}

/// How keys are fetched and kept (see `key_cache`): one rule set for every issuer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheRules {
    /// One budget for a fetch round: discovery, the key set and redirects together.
    pub jwks_timeout_ms: u64,
    /// Bounds on the lifetime `Cache-Control` gives a key set.
    pub jwks_cache_min_seconds: u64,
    /// The upper of those bounds.
    pub jwks_cache_max_seconds: u64,
    /// At most one fetch for unknown `kid`s per this many seconds (the penalty box).
    pub jwks_refresh_cooldown_seconds: u64,
    /// Plain `http` to loopback addresses (tests, demos); `https` only otherwise.
    pub jwks_allow_http_loopback: bool,
}

impl Default for CacheRules {
    fn default() -> CacheRules {
        CacheRules {
            jwks_timeout_ms: 5_000,
            jwks_cache_min_seconds: 60,
            jwks_cache_max_seconds: 3_600,
            jwks_refresh_cooldown_seconds: 30,
            jwks_allow_http_loopback: false,
        }
    }
}

/// A numeric cache rule: its member, its range, and where it lives.
struct CacheField {
    name: &'static str,
    range: (u64, u64),
    get: fn(&CacheRules) -> u64,
    set: fn(&mut CacheRules, u64),
}

/// The numeric cache rules, the one list the reader, the writer and the range check go by.
const CACHE_FIELDS: [CacheField; 4] = [
    // At most 9 s: a first request's whole fetch round then stays within API Gateway's 10 s
    // for a Lambda authorizer's answer (HTTP API quotas), with a second left for the rest.
    CacheField {
        name: "jwks_timeout_ms",
        range: (100, 9_000),
        get: |r| r.jwks_timeout_ms,
        set: |r, v| r.jwks_timeout_ms = v,
    },
    CacheField {
        name: "jwks_cache_min_seconds",
        range: (1, 7 * 24 * 3600),
        get: |r| r.jwks_cache_min_seconds,
        set: |r, v| r.jwks_cache_min_seconds = v,
    },
    CacheField {
        name: "jwks_cache_max_seconds",
        range: (1, 7 * 24 * 3600),
        get: |r| r.jwks_cache_max_seconds,
        set: |r, v| r.jwks_cache_max_seconds = v,
    },
    CacheField {
        name: "jwks_refresh_cooldown_seconds",
        range: (1, 3600),
        get: |r| r.jwks_refresh_cooldown_seconds,
        set: |r, v| r.jwks_refresh_cooldown_seconds = v,
    },
];

/// The raw form, as JSON crosses the wasm boundary (`from_json`, `write_json`). `Config::new`
/// validates it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigInput {
    /// The trusted issuers, one profile each.
    pub issuers: Vec<ProfileInput>,
    /// The top level's profile members: what every profile leaves out.
    pub defaults: ProfileInput,
    /// `policy_resource`: the whole stage (default) or the exact method ARN.
    pub policy_resource: PolicyResource,
    /// `http_api_response`: simple (default) or policy answers for HTTP API 2.0 events.
    pub http_api_response: HttpApiResponse,
    /// `limits`: the input caps.
    pub limits: Limits,
    /// Per-route scope rules (see `routes`).
    pub route_rules: Option<RulesInput>,
    /// `unlisted_routes`: what routes no rule names get (default allow).
    pub unlisted_routes: UnlistedRoutes,
    /// The key cache's rules (`jwks_timeout_ms` and the others, top-level members).
    pub cache: CacheRules,
    /// Where events carry the token (`token_sources`), as written; `None`: the Authorization
    /// header.
    pub token_sources: Option<Vec<String>>,
}

/// The members only the top level has.
const GLOBAL_FIELDS: [&str; 11] = [
    "policy_resource",
    "http_api_response",
    "limits",
    "route_rules",
    "unlisted_routes",
    "jwks_timeout_ms",
    "jwks_cache_min_seconds",
    "jwks_cache_max_seconds",
    "jwks_refresh_cooldown_seconds",
    "jwks_allow_http_loopback",
    "token_sources",
];

impl ConfigInput {
    /// Read the configuration JSON: an object of the members above, each of its type; `null`
    /// or absent takes the default, and a member this version does not know is an error (a
    /// misspelt setting must not silently fall back to a default).
    pub fn from_json(bytes: &[u8]) -> Result<ConfigInput, ConfigError> {
        let doc = json::read_object(bytes).map_err(|e| match e {
            JsonError::Duplicate => err("config", "a member is repeated"),
            JsonError::NotAnObject => err("config", "not a JSON object"),
            JsonError::Invalid => err("config", "not valid JSON"),
        })?;
        let known: Vec<&str> = ["issuers"].into_iter().chain(shared_members()).chain(GLOBAL_FIELDS).collect();
        let doc = Members::of("config", &doc, &known)?;
        let mut limits = Limits::default();
        if let Some(v) = doc.get("limits") {
            let object = v.as_object().ok_or_else(|| err("limits", "expected an object"))?;
            let given = Members::of("limits", object, &limits::FIELDS.map(|f| f.name))?;
            for field in &limits::FIELDS {
                if let Some(v) = given.get(field.name) {
                    (field.set)(&mut limits, usize::try_from(whole(field.setting, v)?).unwrap_or(usize::MAX));
                }
            }
        }
        let mut cache = CacheRules::default();
        for field in &CACHE_FIELDS {
            if let Some(v) = doc.get(field.name) {
                (field.set)(&mut cache, whole(field.name, v)?);
            }
        }
        if let Some(v) = doc.get("jwks_allow_http_loopback") {
            cache.jwks_allow_http_loopback = match v {
                Json::Bool(b) => *b,
                _ => return Err(err("jwks_allow_http_loopback", "expected true or false")),
            };
        }
        let issuers = match doc.get("issuers") {
            None => return Err(err("issuers", "required")),
            Some(Json::Array(items)) => read_profiles("issuers", items)?,
            Some(_) => return Err(err("issuers", "expected a list of issuers or issuer profiles")),
        };
        let named = |name: &'static str| doc.get(name).map(|v| text(name, v)).transpose();
        Ok(ConfigInput {
            issuers,
            defaults: read_profile("", &doc, PROFILE_MEMBERS.iter().filter(|m| !m.identity))?,
            policy_resource: Named::from_optional("policy_resource", named("policy_resource")?)?,
            http_api_response: Named::from_optional("http_api_response", named("http_api_response")?)?,
            limits,
            route_rules: doc.get("route_rules").map(rules_input).transpose()?,
            unlisted_routes: Named::from_optional("unlisted_routes", named("unlisted_routes")?)?,
            cache,
            token_sources: doc.get("token_sources").map(|v| strings("token_sources", v)).transpose()?,
        })
    }

    /// The configuration JSON `from_json` reads: every top-level member, `null` where unset;
    /// each profile with the members it sets.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut doc = ObjectText::new(out);
        let mut items = ArrayText::new(doc.member("issuers"));
        for profile in &self.issuers {
            let mut item = ObjectText::new(items.item());
            write_profile(&mut item, profile, false, PROFILE_MEMBERS.iter());
            item.end();
        }
        items.end();
        write_profile(&mut doc, &self.defaults, true, PROFILE_MEMBERS.iter().filter(|m| !m.identity));
        doc.string("policy_resource", self.policy_resource.name());
        doc.string("http_api_response", self.http_api_response.name());
        let mut limits = ObjectText::new(doc.member("limits"));
        for field in &limits::FIELDS {
            limits.number(field.name, (field.get)(&self.limits) as u64);
        }
        limits.end();
        let rules = doc.member("route_rules");
        match &self.route_rules {
            None => rules.extend_from_slice(b"null"),
            Some(RulesInput::Text(text)) => json_text::string(rules, text),
            Some(RulesInput::List(list)) => {
                let mut items = ArrayText::new(rules);
                for rule in list {
                    let mut r = ObjectText::new(items.item());
                    r.string("route", &rule.route);
                    json_text::strings(r.member("scopes"), &rule.scopes);
                    claim_rule::write_list(r.member("claims"), &rule.claims);
                    r.end();
                }
                items.end();
            }
        }
        doc.string("unlisted_routes", self.unlisted_routes.name());
        for field in &CACHE_FIELDS {
            doc.number(field.name, (field.get)(&self.cache));
        }
        doc.bool("jwks_allow_http_loopback", self.cache.jwks_allow_http_loopback);
        match &self.token_sources {
            Some(items) => json_text::strings(doc.member("token_sources"), items),
            None => doc.optional("token_sources", None),
        }
        doc.end();
    }
}

/// A list of issuers: each an issuer's name (a profile with nothing else), or a profile object.
/// `setting` names the list in errors (`issuers`, or the variable it came from).
pub(crate) fn read_profiles(setting: &str, items: &[Json<'_>]) -> Result<Vec<ProfileInput>, ConfigError> {
    if items.len() > MAX_PROFILES {
        return Err(err(setting, ["at most ", &decimal(MAX_PROFILES as u64), " issuers"].concat()));
    }
    let known: Vec<&str> = PROFILE_MEMBERS.iter().map(|m| m.name).collect();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Json::Str(issuer) => {
                Ok(ProfileInput { issuer: Some(issuer.as_ref().to_owned()), ..ProfileInput::default() })
            }
            Json::Object(object) => {
                let path = [setting, "[", &decimal(i as u64), "]"].concat();
                let members = Members::of(&path, object, &known)?;
                read_profile(&(path + "."), &members, PROFILE_MEMBERS.iter())
            }
            _ => Err(err(
                [setting, "[", &decimal(i as u64), "]"].concat(),
                "expected an issuer or an issuer profile object",
            )),
        })
        .collect()
}

/// The `members` of a profile object or of the top level; errors name `prefix` + member.
fn read_profile<'m>(
    prefix: &str,
    doc: &Members<'_, '_>,
    members: impl Iterator<Item = &'m ProfileMember>,
) -> Result<ProfileInput, ConfigError> {
    let mut profile = ProfileInput::default();
    for member in members {
        if let Some(value) = doc.get(member.name) {
            read_member(member.slot, &mut profile, value, &[prefix, member.name].concat())?;
        }
    }
    Ok(profile)
}

/// Read one member's `value` into `profile`; errors name `path`.
fn read_member(slot: Slot, profile: &mut ProfileInput, value: &Json<'_>, path: &str) -> Result<(), ConfigError> {
    match slot {
        Slot::Text(at) => *at(profile) = Some(text(path, value)?.to_owned()),
        Slot::KeySet(at) => {
            if !matches!(value, Json::Object(_)) {
                return Err(err(path, "expected a key set object {\"keys\": [...]}"));
            }
            let mut out = Vec::new();
            json_text::value(&mut out, value);
            *at(profile) = Some(json_text::into_string(out));
        }
        Slot::List(at) | Slot::Scopes(at) => *at(profile) = Some(strings(path, value)?),
        Slot::Number(at) => *at(profile) = Some(whole(path, value)?),
        Slot::Flag(at) => match value {
            Json::Bool(b) => *at(profile) = Some(*b),
            _ => return Err(err(path, "expected true or false")),
        },
        Slot::ClaimRules(at) => match value {
            Json::Array(items) => {
                *at(profile) = Some(claim_rule::list_from_json(items).map_err(|why| err(path, why))?);
            }
            _ => return Err(err(path, "expected a list of claim rules")),
        },
        Slot::TokenUse(at) => *at(profile) = Some(TokenUse::from_setting(path, text(path, value)?)?),
        Slot::ScopeMatch(at) => *at(profile) = Some(ScopeMatch::from_setting(path, text(path, value)?)?),
    }
    Ok(())
}

/// The `members` of `p` that are set (all of them, `null` where unset, with `all`).
fn write_profile<'m>(
    doc: &mut ObjectText<'_>,
    p: &ProfileInput,
    all: bool,
    members: impl Iterator<Item = &'m ProfileMember>,
) {
    // The slots lend their values mutably; a copy is written (once per configuration).
    let mut p = p.clone();
    for member in members {
        let name = member.name;
        let written = match member.slot {
            Slot::Text(at) => at(&mut p).as_deref().map(|t| doc.string(name, t)),
            // Written as the reader checked it: JSON text of an object.
            Slot::KeySet(at) => at(&mut p).as_deref().map(|t| doc.member(name).extend_from_slice(t.as_bytes())),
            Slot::List(at) | Slot::Scopes(at) => at(&mut p).as_deref().map(|l| json_text::strings(doc.member(name), l)),
            Slot::Number(at) => at(&mut p).map(|n| doc.number(name, n)),
            Slot::Flag(at) => at(&mut p).map(|b| doc.bool(name, b)),
            Slot::ClaimRules(at) => at(&mut p).as_deref().map(|r| claim_rule::write_list(doc.member(name), r)),
            Slot::TokenUse(at) => at(&mut p).map(|t| doc.string(name, t.name())),
            Slot::ScopeMatch(at) => at(&mut p).map(|m| doc.string(name, m.name())),
        };
        if written.is_none() && all {
            doc.optional(name, None);
        }
    }
}

/// An object's members, every name one of `known`; `null` reads as absent.
pub(crate) struct Members<'o, 'a> {
    object: &'o Object<'a>,
}

impl<'o, 'a> Members<'o, 'a> {
    pub(crate) fn of(setting: &str, object: &'o Object<'a>, known: &[&str]) -> Result<Self, ConfigError> {
        if let Some((name, _)) = object.members().find(|(name, _)| !known.contains(name)) {
            return Err(err(setting, ["unknown member `", name, "`"].concat()));
        }
        Ok(Members { object })
    }

    fn get(&self, name: &str) -> Option<&'o Json<'a>> {
        self.object.get(name).filter(|v| !matches!(v, Json::Null))
    }
}

fn text<'j>(setting: &str, value: &'j Json<'_>) -> Result<&'j str, ConfigError> {
    value.as_str().ok_or_else(|| err(setting, "expected a string"))
}

pub(crate) fn strings(setting: &str, value: &Json<'_>) -> Result<Vec<String>, ConfigError> {
    match value {
        Json::Array(items) => items.iter().map(|i| text(setting, i).map(str::to_owned)).collect(),
        _ => Err(err(setting, "expected a list of strings")),
    }
}

fn whole(setting: &str, value: &Json<'_>) -> Result<u64, ConfigError> {
    match value {
        Json::Number(n) => n.to_u64().ok_or_else(|| err(setting, ["`", n.text(), "` is not a whole number"].concat())),
        _ => Err(err(setting, "expected a whole number")),
    }
}

/// `route_rules`: the text form, or a list of `{route, scopes?, claims?}`.
fn rules_input(value: &Json<'_>) -> Result<RulesInput, ConfigError> {
    const SETTING: &str = "route_rules";
    match value {
        Json::Str(text) => Ok(RulesInput::Text(text.as_ref().to_owned())),
        Json::Array(items) => items
            .iter()
            .map(|item| {
                let rule = Members::of(
                    SETTING,
                    item.as_object().ok_or_else(|| err(SETTING, "a rule is not an object"))?,
                    &["route", "scopes", "claims"],
                )?;
                let route =
                    text(SETTING, rule.get("route").ok_or_else(|| err(SETTING, "a rule has no `route`"))?)?.to_owned();
                let (scopes, claims) = (rule.get("scopes"), rule.get("claims"));
                if scopes.is_none() && claims.is_none() {
                    return Err(err(SETTING, ["`", &route, "`: a rule has no `scopes` or `claims`"].concat()));
                }
                let claims = match claims {
                    None => Vec::new(),
                    Some(Json::Array(items)) => claim_rule::list_from_json(items)
                        .map_err(|why| err(SETTING, ["`", &route, "`: ", &why].concat()))?,
                    Some(_) => {
                        return Err(err(SETTING, ["`", &route, "`: `claims` is not a list of claim rules"].concat()));
                    }
                };
                Ok(RuleInput {
                    scopes: scopes.map(|s| strings(SETTING, s)).transpose()?.unwrap_or_default(),
                    claims,
                    route,
                })
            })
            .collect::<Result<_, _>>()
            .map(RulesInput::List),
        _ => Err(err(SETTING, "expected rule text or a list of rules")),
    }
}

/// `ROUTE_RULES` in its JSON list form (the environment's text starting with `[`).
pub fn rules_from_json(text: &str) -> Result<RulesInput, ConfigError> {
    let value = json::read(text.as_bytes()).map_err(|_| err("route_rules", "not a JSON rule list"))?;
    match value {
        Json::Array(_) => rules_input(&value),
        _ => Err(err("route_rules", "not a JSON rule list")),
    }
}

/// A validated configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The issuer profiles, sorted by issuer (found by binary search: the same cost for one
    /// profile or twenty).
    pub profiles: Vec<Profile>,
    /// Where keys come from; each profile names one. Profiles with the same source share it.
    pub sources: Vec<KeySource>,
    /// Every profile's algorithms: what a token's header may name before its issuer is known.
    pub algorithms: Vec<Algorithm>,
    /// What the policy's resource is: the stage or the method.
    pub policy_resource: PolicyResource,
    /// Simple or policy answers for HTTP API 2.0 events.
    pub http_api_response: HttpApiResponse,
    /// The input caps.
    pub limits: Limits,
    /// Per-route scopes and claim rules, checked (see `routes`).
    pub route_rules: Vec<RouteRule>,
    /// What routes no rule names get.
    pub unlisted_routes: UnlistedRoutes,
    /// How keys are fetched and kept.
    pub cache: CacheRules,
    /// Where events carry the token, in the order tried (see `token_source`).
    pub token_sources: Vec<TokenSource>,
}

/// The claims copied into the policy's `context` unless configured otherwise.
pub const DEFAULT_CONTEXT_CLAIMS: [&str; 4] = ["sub", "iss", "scope", "client_id"];

impl Config {
    /// Read and validate the configuration JSON ([`ConfigInput::from_json`], [`Config::new`]).
    pub fn from_json(bytes: &[u8]) -> Result<Config, ConfigError> {
        Config::new(&ConfigInput::from_json(bytes)?)
    }

    /// The settings that shape every answer.
    pub fn policy_settings(&self) -> policy::PolicySettings<'_> {
        policy::PolicySettings {
            route_rules: &self.route_rules,
            unlisted_routes: self.unlisted_routes,
            policy_resource: self.policy_resource,
            http_api_response: self.http_api_response,
        }
    }

    /// The profile of the issuer `iss` names exactly.
    pub fn profile(&self, iss: &str) -> Option<&Profile> {
        self.profiles.binary_search_by(|p| p.issuer.as_str().cmp(iss)).ok().map(|i| &self.profiles[i])
    }

    /// Validate `input`.
    pub fn new(input: &ConfigInput) -> Result<Config, ConfigError> {
        for field in &limits::FIELDS {
            let (value, ceiling) = ((field.get)(&input.limits), (field.get)(&CEILING));
            if value == 0 || value > ceiling {
                return Err(err(field.setting, ["must be between 1 and ", &decimal(ceiling as u64)].concat()));
            }
        }
        for field in &CACHE_FIELDS {
            let (low, high) = field.range;
            if !(low..=high).contains(&(field.get)(&input.cache)) {
                return Err(err(field.name, ["must be between ", &decimal(low), " and ", &decimal(high)].concat()));
            }
        }
        if input.cache.jwks_cache_min_seconds > input.cache.jwks_cache_max_seconds {
            return Err(err("jwks_cache_min_seconds", "must not exceed jwks_cache_max_seconds"));
        }
        if input.issuers.is_empty() {
            return Err(err("issuers", "at least one issuer is required"));
        }
        if input.issuers.len() > MAX_PROFILES {
            return Err(err("issuers", ["at most ", &decimal(MAX_PROFILES as u64), " issuers"].concat()));
        }
        let token_sources = match &input.token_sources {
            None => token_source::default_sources(),
            Some(items) => token_source::parse_list("token_sources", items)?,
        };
        let route_rules = match &input.route_rules {
            None => Vec::new(),
            Some(rules) => routes::parse(rules)?,
        };
        let statements = policy::largest_statements(&route_rules);
        if statements + policy::TOKEN_SHARE_BYTES > policy::MAX_RESPONSE_BYTES {
            return Err(err(
                "route_rules",
                [
                    "the policy for these rules can reach ",
                    &decimal(statements as u64),
                    " bytes (for a stage name of 128 characters), and API Gateway takes at most ",
                    &decimal(policy::MAX_RESPONSE_BYTES as u64),
                    " bytes from an authorizer, ",
                    &decimal(policy::TOKEN_SHARE_BYTES as u64),
                    " of them kept for principalId and context: use fewer rules, shorter paths, or one method where a rule says ANY (which lists all seven)",
                ]
                .concat(),
            ));
        }

        let defaults = Checked::of("", &input.defaults, input)?;
        let mut profiles: Vec<Profile> = Vec::with_capacity(input.issuers.len());
        let mut sources: Vec<KeySource> = Vec::new();
        let mut algorithms: Vec<Algorithm> = Vec::new();
        for (index, item) in input.issuers.iter().enumerate() {
            let path = ["issuers[", &decimal(index as u64), "]"].concat();
            let own = Checked::of(&[&path, "."].concat(), item, input)?;
            let (profile, source) = profile(&path, index, item, own, &defaults, input)?;
            if let Some(other) = profiles.iter().find(|p| p.issuer == profile.issuer) {
                return Err(err(
                    [&path, ".issuer"].concat(),
                    ["`", &profile.issuer, "` is also issuers[", &decimal(other.index as u64), "]"].concat(),
                ));
            }
            let source = match sources.iter().position(|s| s.same_origin(&source)) {
                Some(at) => at,
                None => {
                    sources.push(source);
                    sources.len() - 1
                }
            };
            for alg in &profile.algorithms {
                if !algorithms.contains(alg) {
                    algorithms.push(*alg);
                }
            }
            // Kept sorted by issuer (inserted in place: a handful of profiles, and no general
            // sort's code in the module).
            let at = profiles.partition_point(|p| p.issuer < profile.issuer);
            profiles.insert(at, Profile { source, ..profile });
        }
        Ok(Config {
            profiles,
            sources,
            algorithms,
            policy_resource: input.policy_resource,
            http_api_response: input.http_api_response,
            limits: input.limits.clone(),
            route_rules,
            unlisted_routes: input.unlisted_routes,
            cache: input.cache.clone(),
            token_sources,
        })
    }
}

/// A profile's own members, each checked where it is written (so an error names its path).
#[derive(Clone, Debug, Default)]
struct Checked {
    algorithms: Option<Vec<Algorithm>>,
    context_claims: Option<Vec<ContextClaim>>,
    usage_identifier_claim: Option<ClaimPath>,
    /// `jwks`, parsed: the key cache serves this set (see `InlineKeys`).
    jwks: Option<Arc<KeySet>>,
}

impl Checked {
    fn of(prefix: &str, p: &ProfileInput, input: &ConfigInput) -> Result<Checked, ConfigError> {
        let path = |name: &str| [prefix, name].concat();
        let algorithms = match &p.algorithms {
            None => None,
            Some(names) => {
                non_empty_list(&path("algorithms"), names)?;
                let mut algs = Vec::new();
                for name in names {
                    let alg = Algorithm::from_name(name).ok_or_else(|| {
                        let upper = name.to_ascii_uppercase();
                        if upper == "NONE" || upper.starts_with("HS") {
                            err(path("algorithms"), ["`", name, "` is never accepted"].concat())
                        } else {
                            err(path("algorithms"), ["unsupported algorithm `", name, "`"].concat())
                        }
                    })?;
                    if !algs.contains(&alg) {
                        algs.push(alg);
                    }
                }
                Some(algs)
            }
        };
        if p.leeway_seconds.is_some_and(|l| l > u64::from(MAX_LEEWAY_SECONDS)) {
            return Err(err(path("leeway_seconds"), ["at most ", &decimal(MAX_LEEWAY_SECONDS.into())].concat()));
        }
        if p.required_scopes.iter().flatten().any(|s| s.is_empty() || s.contains(char::is_whitespace)) {
            return Err(err(path("required_scopes"), "a scope is empty or contains white space"));
        }
        if let Some(ids) = &p.allowed_client_ids {
            non_empty_list(&path("allowed_client_ids"), ids)?;
        }
        if let Some(rules) = &p.claim_rules {
            if rules.len() > claim_rule::MAX_RULES {
                return Err(err(
                    path("claim_rules"),
                    ["more than ", &decimal(claim_rule::MAX_RULES as u64), " rules"].concat(),
                ));
            }
            for rule in rules {
                rule.check_bounds().map_err(|why| err(path("claim_rules"), why))?;
            }
        }
        if let Some(audiences) = &p.audiences
            && audiences.iter().any(|s| s.trim().is_empty())
        {
            return Err(err(path("audiences"), "empty value"));
        }
        if p.token_type.as_deref().is_some_and(str::is_empty) {
            return Err(err(path("token_type"), "empty"));
        }
        if p.max_token_age_seconds.is_some_and(|age| !(1..=MAX_TOKEN_AGE_SECONDS).contains(&age)) {
            return Err(err(
                path("max_token_age_seconds"),
                ["must be between 1 and ", &decimal(MAX_TOKEN_AGE_SECONDS), " (leave it out for no age rule)"].concat(),
            ));
        }
        let context_claims =
            p.context_claims.as_deref().map(|items| context_claims(&path("context_claims"), items)).transpose()?;
        if let Some(key) = &p.context_payload_key {
            context::check_key(key).map_err(|why| err(path("context_payload_key"), why))?;
        }
        let usage_identifier_claim = p
            .usage_identifier_claim
            .as_deref()
            .map(|text| ClaimPath::parse(text).map_err(|why| err(path("usage_identifier_claim"), why)))
            .transpose()?;
        if let Some(uri) = &p.jwks_uri {
            check_url(&path("jwks_uri"), uri, input.cache.jwks_allow_http_loopback)?;
        }
        if p.jwks.is_some() && p.jwks_file.is_some() {
            return Err(err(path("jwks_file"), "give `jwks` or `jwks_file`, not both"));
        }
        if p.jwks_file.as_deref().is_some_and(|f| f.trim().is_empty()) {
            return Err(err(path("jwks_file"), "empty"));
        }
        // A set that is not one, or that has keys but refuses every one (it could verify
        // nothing, and no log line at a decision would say why), is refused at start. The set
        // parsed here is the one the key cache serves: it is not parsed again. An empty set
        // says what it means (`no_keys`).
        let jwks = match &p.jwks {
            None => None,
            Some(text) => {
                let set = KeySet::parse(text.as_bytes(), &input.limits)
                    .map_err(|e| err(path("jwks"), ["not a usable key set (", e.code(), ")"].concat()))?;
                if let (true, Some(first)) = (set.is_empty(), set.refused().first()) {
                    let why = ["every key is refused, the first for `", first.problem.code(), "`"].concat();
                    return Err(err(path("jwks"), why));
                }
                Some(Arc::new(set))
            }
        };
        Ok(Checked { algorithms, context_claims, usage_identifier_claim, jwks })
    }
}

/// Profile `index` (its members `own`, written at `item`) with the top level's members for
/// those it leaves out, and where its keys come from.
fn profile(
    path: &str,
    index: usize,
    item: &ProfileInput,
    own: Checked,
    defaults: &Checked,
    input: &ConfigInput,
) -> Result<(Profile, KeySource), ConfigError> {
    let top = &input.defaults;
    // Every member the profile leaves out, from the top level (but where keys come from: below).
    let merged = item.or(top);
    let member = |name: &str| [path, ".", name].concat();
    let (issuer, cognito_jwks_uri) = match (&item.issuer, &item.cognito_user_pool_id) {
        (Some(_), Some(_)) => {
            return Err(err(member("cognito_user_pool_id"), "give `issuer` or `cognito_user_pool_id`, not both"));
        }
        (None, None) => return Err(err(path, "give `issuer` (exactly as in `iss`) or `cognito_user_pool_id`")),
        (Some(issuer), None) => {
            if issuer.trim().is_empty() {
                return Err(err(member("issuer"), "empty"));
            }
            (issuer.clone(), None)
        }
        (None, Some(pool)) => {
            let issuer = cognito::issuer(pool).ok_or_else(|| {
                err(
                    member("cognito_user_pool_id"),
                    ["`", pool, "` is not a user pool id (REGION_ID, e.g. eu-west-1_AbCd123)"].concat(),
                )
            })?;
            let uri = cognito::jwks_uri(&issuer);
            (issuer, Some(uri))
        }
    };
    let audiences = merged.audiences.unwrap_or_default();
    let allowed_client_ids = merged.allowed_client_ids;
    if audiences.is_empty() && allowed_client_ids.is_none() {
        return Err(err(
            member("audiences"),
            "give the accepted audiences, or allowed_client_ids for tokens without `aud` (no profile accepts any audience)",
        ));
    }

    // Keys: the profile's own source when it writes any of its members, else the top level's
    // (a Cognito pool's source is its own).
    let writes_source =
        item.jwks_uri.is_some() || item.jwks.is_some() || item.jwks_file.is_some() || cognito_jwks_uri.is_some();
    let from = if writes_source { item } else { top };
    let jwks_uri = from.jwks_uri.clone().or(cognito_jwks_uri);
    let discovery = if jwks_uri.is_none() && from.jwks.is_none() && from.jwks_file.is_none() {
        // OpenID Connect Discovery 1.0 section 4: the issuer's configuration document.
        let url = [issuer.trim_end_matches('/'), "/.well-known/openid-configuration"].concat();
        check_url(&member("issuer"), &url, input.cache.jwks_allow_http_loopback)
            .map_err(|e| err(e.setting, e.problem + "; give `jwks_uri` when the issuer is not an https URL"))?;
        Some(Discovery { url, issuer: issuer.clone() })
    } else {
        None
    };
    // The keys `Checked` parsed from the same member `from` writes.
    let parsed = if writes_source { own.jwks.clone() } else { defaults.jwks.clone() };
    let inline = from.jwks.clone().zip(parsed).map(|(text, keys)| InlineKeys { text, keys });
    let source = KeySource { jwks_uri, discovery, file: from.jwks_file.clone(), inline };
    let profile = Profile {
        index,
        issuer,
        audiences,
        allowed_client_ids,
        token_use: merged.token_use,
        algorithms: own.algorithms.or_else(|| defaults.algorithms.clone()).unwrap_or_else(|| vec![Algorithm::RS256]),
        required_scopes: merged.required_scopes.unwrap_or_default(),
        scope_match: merged.scope_match.unwrap_or_default(),
        claim_rules: merged.claim_rules.unwrap_or_default(),
        token_type: merged.token_type,
        // At most MAX_LEEWAY_SECONDS (`Checked`).
        leeway_seconds: merged.leeway_seconds.map_or(0, |l| u32::try_from(l).unwrap_or(MAX_LEEWAY_SECONDS)),
        max_token_age_seconds: merged.max_token_age_seconds,
        context: context_mapping(
            &member("context_payload_key"),
            own.context_claims.or_else(|| defaults.context_claims.clone()),
            merged.context_payload_key,
        )?,
        usage_identifier_claim: own.usage_identifier_claim.or_else(|| defaults.usage_identifier_claim.clone()),
        require_certificate_binding: merged.require_certificate_binding.unwrap_or(false),
        source: 0,
    };
    Ok((profile, source))
}

/// `context_claims` read: sorted by key, as serde_json's maps keep members, each key once (an
/// item written twice counts once; one key for two paths is refused). A handful of items:
/// inserted in place rather than through a general sort's code.
fn context_claims(setting: &str, items: &[String]) -> Result<Vec<ContextClaim>, ConfigError> {
    let mut sorted: Vec<ContextClaim> = Vec::with_capacity(items.len());
    for item in items {
        let claim = ContextClaim::parse(item).map_err(|why| err(setting, why))?;
        match sorted.binary_search_by(|c| c.key.cmp(&claim.key)) {
            Ok(at) if sorted[at] == claim => {}
            Ok(_) => return Err(err(setting, ["the context key `", &claim.key, "` is given two claims"].concat())),
            Err(at) => sorted.insert(at, claim),
        }
    }
    Ok(sorted)
}

/// A profile's context: its mapped claims (the default ones when none are configured) and the
/// payload's key, which must not be a mapped claim's key too.
fn context_mapping(
    setting: &str,
    claims: Option<Vec<ContextClaim>>,
    payload_key: Option<String>,
) -> Result<Mapping, ConfigError> {
    let claims = match claims {
        Some(claims) => claims,
        None => context_claims(setting, &DEFAULT_CONTEXT_CLAIMS.map(str::to_owned))?,
    };
    if let Some(key) = &payload_key
        && claims.iter().any(|c| c.key == *key)
    {
        return Err(err(setting, ["`", key, "` is also a key of context_claims"].concat()));
    }
    Ok(Mapping { claims, payload_key })
}

fn non_empty_list(setting: &str, items: &[String]) -> Result<(), ConfigError> {
    if items.is_empty() {
        return Err(err(setting, "at least one value is required"));
    }
    if items.iter().any(|s| s.trim().is_empty()) {
        return Err(err(setting, "empty value"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<ConfigInput, ConfigError> {
        ConfigInput::from_json(json.as_bytes())
    }

    fn written(input: &ConfigInput) -> String {
        let mut out = Vec::new();
        input.write_json(&mut out);
        String::from_utf8(out).unwrap()
    }

    fn issuer(name: &str) -> ProfileInput {
        ProfileInput { issuer: Some(name.into()), ..ProfileInput::default() }
    }

    const JWKS: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"k","x":"2Ys5v-14GfhX9vdEYihLmVdA1Y5JSoGx80U3gE7NIQM","y":"vL5PNniT5Gkh20LwtNBz9RK9fLXIvR-BpGumGVX3g4k"}]}"#;

    #[test]
    fn minimal_configuration_takes_the_defaults() {
        let input = read(r#"{"issuers":["https://i"],"audiences":["a"]}"#).unwrap();
        let defaults = ConfigInput {
            issuers: vec![issuer("https://i")],
            defaults: ProfileInput { audiences: Some(vec!["a".into()]), ..ProfileInput::default() },
            ..ConfigInput::default()
        };
        assert_eq!(input, defaults);
        // `null` is the default too.
        let nulls = r#"{"issuers":["https://i"],"audiences":["a"],"algorithms":null,"leeway_seconds":null,"limits":null,"route_rules":null,"policy_resource":null,"jwks_timeout_ms":null}"#;
        assert_eq!(read(nulls).unwrap(), defaults);
        let config = Config::new(&defaults).unwrap();
        let p = config.profile("https://i").unwrap();
        assert_eq!((p.algorithms.as_slice(), p.leeway_seconds, p.source), (&[Algorithm::RS256][..], 0, 0));
        assert_eq!(
            p.context.claims.iter().map(|c| c.key.as_str()).collect::<Vec<_>>(),
            ["client_id", "iss", "scope", "sub"]
        );
        assert_eq!(config.sources[0].discovery.as_ref().unwrap().url, "https://i/.well-known/openid-configuration");
        assert_eq!(config.cache, CacheRules::default());
        assert_eq!(config.token_sources, [TokenSource::Authorization]);
        let config = Config::from_json(
            br#"{"issuers":["https://i"],"audiences":["a"],"token_sources":["cookie:s","authorization"]}"#,
        )
        .unwrap();
        assert_eq!(config.token_sources, [TokenSource::Cookie("s".into()), TokenSource::Authorization]);
    }

    #[test]
    fn written_configuration_reads_back_unchanged() {
        let full = ConfigInput {
            issuers: vec![
                issuer("https://i/"),
                ProfileInput {
                    cognito_user_pool_id: Some("eu-west-1_A1".into()),
                    // As the reader writes an object back (members in its order).
                    jwks: Some(json_text::into_string({
                        let mut out = Vec::new();
                        json_text::value(&mut out, &json::read(JWKS.as_bytes()).unwrap());
                        out
                    })),
                    allowed_client_ids: Some(vec!["c".into()]),
                    audiences: Some(vec![]),
                    token_use: Some(TokenUse::Access),
                    leeway_seconds: Some(5),
                    ..ProfileInput::default()
                },
                ProfileInput {
                    issuer: Some("https://é\"".into()),
                    jwks_file: Some("keys.json".into()),
                    max_token_age_seconds: Some(9),
                    scope_match: Some(ScopeMatch::All),
                    claim_rules: Some(vec![]),
                    ..ProfileInput::default()
                },
            ],
            defaults: ProfileInput {
                jwks_uri: Some("https://i/jwks".into()),
                audiences: Some(vec!["a".into()]),
                algorithms: Some(vec!["RS256".into(), "EdDSA".into()]),
                leeway_seconds: Some(30),
                required_scopes: Some(vec!["s:1".into()]),
                scope_match: Some(ScopeMatch::Any),
                claim_rules: Some(claim_rule::list_from_text("contains_any(cognito:groups,admin,\"a b\") equals(email_verified,true) present(tenant) contains_all(realm_access.roles,r)").unwrap()),
                allowed_client_ids: Some(vec!["c".into()]),
                token_type: Some("at+jwt".into()),
                max_token_age_seconds: Some(u64::MAX),
                context_claims: Some(vec![]),
                token_use: Some(TokenUse::Id),
                ..ProfileInput::default()
            },
            policy_resource: PolicyResource::Method,
            http_api_response: HttpApiResponse::Policy,
            limits: Limits { max_token_bytes: 1, max_jwks_bytes: 2, max_keys: 3, max_event_bytes: 4 },
            route_rules: Some(RulesInput::List(vec![
                RuleInput { route: "GET /x".into(), scopes: vec!["a".into(), "b".into()], claims: vec![] },
                RuleInput { route: "GET /y".into(), scopes: vec![], claims: claim_rule::list_from_text("present(\"a.b\".c) one_of(n,1.5,-2,x)").unwrap() },
            ])),
            unlisted_routes: UnlistedRoutes::Deny,
            cache: CacheRules { jwks_timeout_ms: 1, jwks_cache_min_seconds: 2, jwks_cache_max_seconds: 3, jwks_refresh_cooldown_seconds: 4, jwks_allow_http_loopback: true },
            token_sources: Some(vec!["cookie:__Host-at".into(), "query:access_token".into(), "header:X-Token:Token".into(), "authorization".into()]),
        };
        let text_rules = ConfigInput { route_rules: Some(RulesInput::Text("GET /x=a".into())), ..full.clone() };
        let minimal = ConfigInput { issuers: vec![issuer("i")], ..ConfigInput::default() };
        let top: Vec<&str> = ["issuers"].into_iter().chain(shared_members()).chain(GLOBAL_FIELDS).collect();
        for input in [full, text_rules, minimal] {
            let text = written(&input);
            assert_eq!(read(&text).unwrap(), input, "{text}");
            // Plain JSON for every host's own parser, every top-level member written.
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value.as_object().unwrap().len(), top.len(), "{text}");
            let limits = &value["limits"];
            for field in &limits::FIELDS {
                assert_eq!(limits[field.name], (field.get)(&input.limits) as u64, "{}", field.name);
            }
        }
    }

    #[test]
    fn mistakes_name_the_setting() {
        for (json, setting, needle) in [
            (r#"{"issuers":["i"],"audiences":["a"],"audience":"x"}"#, "config", "unknown member `audience`"),
            (r#"{"audiences":["a"]}"#, "issuers", "required"),
            (r#"{"issuers":"i","audiences":["a"]}"#, "issuers", "list of issuers"),
            (r#"{"issuers":["i",1],"audiences":["a"]}"#, "issuers[1]", "issuer profile"),
            (r#"{"issuers":["i"],"audiences":["a"],"leeway_seconds":1.5}"#, "leeway_seconds", "whole number"),
            (r#"{"issuers":["i"],"audiences":["a"],"leeway_seconds":-1}"#, "leeway_seconds", "whole number"),
            (r#"{"issuers":["i"],"audiences":["a"],"leeway_seconds":"5"}"#, "leeway_seconds", "whole number"),
            (
                r#"{"issuers":["i"],"audiences":["a"],"policy_resource":"Stage"}"#,
                "policy_resource",
                "`Stage` is not `stage` or `method`",
            ),
            (
                r#"{"issuers":["i"],"audiences":["a"],"limits":{"max_keys":1,"keys":2}}"#,
                "limits",
                "unknown member `keys`",
            ),
            (r#"{"issuers":["i"],"audiences":["a"],"limits":[]}"#, "limits", "object"),
            (
                r#"{"issuers":["i"],"audiences":["a"],"limits":{"max_event_bytes":"9"}}"#,
                "limits.max_event_bytes",
                "whole number",
            ),
            (
                r#"{"issuers":["i"],"audiences":["a"],"route_rules":[{"route":"GET /x"}]}"#,
                "route_rules",
                "no `scopes` or `claims`",
            ),
            (
                r#"{"issuers":["i"],"audiences":["a"],"route_rules":[{"route":"GET /x","claims":"present(a)"}]}"#,
                "route_rules",
                "not a list of claim rules",
            ),
            (
                r#"{"issuers":["i"],"audiences":["a"],"route_rules":[{"route":"GET /x","claims":[{"claim":"a"}]}]}"#,
                "route_rules",
                "`GET /x`: `a`: no operator",
            ),
            (r#"{"issuers":["i"],"audiences":["a"],"claim_rules":"present(a)"}"#, "claim_rules", "list of claim rules"),
            (r#"{"issuers":["i"],"audiences":["a"],"claim_rules":["present(a"]}"#, "claim_rules", "`(` without"),
            (
                r#"{"issuers":["i"],"audiences":["a"],"claim_rules":[{"claim":"a","equals":null}]}"#,
                "claim_rules",
                "string, number or boolean",
            ),
            (
                r#"{"issuers":["i"],"audiences":["a"],"scope_match":"some"}"#,
                "scope_match",
                "`some` is not `all` or `any`",
            ),
            (r#"{"issuers":["i",{"issuer":"j","scope_match":"ALL"}]}"#, "issuers[1].scope_match", "not `all` or `any`"),
            (
                r#"{"issuers":["i",{"issuer":"j","claim_rules":[1]}]}"#,
                "issuers[1].claim_rules",
                "not rule text or an object",
            ),
            (
                r#"{"issuers":["i"],"audiences":["a"],"route_rules":[{"route":"GET /x","scopes":["a"],"x":1}]}"#,
                "route_rules",
                "unknown member `x`",
            ),
            (r#"{"issuers":["i"],"audiences":["a"],"route_rules":5}"#, "route_rules", "rule text or a list"),
            (r#"{"issuers":["i"],"audiences":["a"],"issuers":["j"]}"#, "config", "repeated"),
            (r#"{"issuers":[{"issuer":"i","audience":["a"]}]}"#, "issuers[0]", "unknown member `audience`"),
            (
                r#"{"issuers":["i",{"issuer":"j","token_use":"refresh"}]}"#,
                "issuers[1].token_use",
                "`refresh` is not `access` or `id`",
            ),
            (r#"{"issuers":[{"issuer":"i","jwks":[]}]}"#, "issuers[0].jwks", "key set object"),
            (r#"{"issuers":[{"issuer":"i","leeway_seconds":1.5}]}"#, "issuers[0].leeway_seconds", "whole number"),
            (r#"{"issuers":["i"],"jwks_allow_http_loopback":"yes"}"#, "jwks_allow_http_loopback", "true or false"),
            (r#"{"issuers":["i"],"token_sources":"authorization"}"#, "token_sources", "list of strings"),
            (r#"{"issuers":["i"],"token_sources":["authorization",1]}"#, "token_sources", "string"),
            (
                r#"{"issuers":[{"issuer":"i","token_sources":["authorization"]}]}"#,
                "issuers[0]",
                "unknown member `token_sources`",
            ),
            (r#"["i"]"#, "config", "not a JSON object"),
            (r#"{"issuers":["i"],"audiences":["a"],}"#, "config", "not valid JSON"),
        ] {
            let e = read(json).unwrap_err();
            assert_eq!(e.setting, setting, "{json}: {e}");
            assert!(e.problem.contains(needle), "{json}: {e}");
        }
    }

    /// What `Config::new` refuses, naming the member by its path.
    #[test]
    fn invalid_profiles_name_their_path() {
        let twenty_one: Vec<String> = (0..=MAX_PROFILES).map(|i| format!("\"https://i{i}\"")).collect();
        let twenty_one = format!(r#"{{"issuers":[{}],"audiences":["a"]}}"#, twenty_one.join(","));
        for (json, setting, needle) in [
            (r#"{"issuers":["https://i"],"audiences":["a"],"limits":{"max_keys":0}}"#, "limits.max_keys", "between 1"),
            (r#"{"issuers":[],"audiences":["a"]}"#, "issuers", "at least one"),
            (
                r#"{"issuers":["https://i"],"audiences":["a"],"leeway_seconds":99999999999}"#,
                "leeway_seconds",
                "at most 600",
            ),
            (r#"{"issuers":["https://i"],"audiences":["a"],"leeway_seconds":601}"#, "leeway_seconds", "at most 600"),
            (
                r#"{"issuers":[{"issuer":"https://i","jwks":{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}}],"audiences":["a"]}"#,
                "issuers[0].jwks",
                "every key is refused, the first for `unsupported_kty`",
            ),
            (twenty_one.as_str(), "issuers", "at most 20"),
            (r#"{"issuers":["https://i"]}"#, "issuers[0].audiences", "allowed_client_ids"),
            (r#"{"issuers":["https://i"],"audiences":[]}"#, "issuers[0].audiences", "allowed_client_ids"),
            (
                r#"{"issuers":["https://i",{"issuer":"https://j","audiences":[]}],"audiences":["a"]}"#,
                "issuers[1].audiences",
                "no profile accepts any audience",
            ),
            (r#"{"issuers":["https://i","https://i"],"audiences":["a"]}"#, "issuers[1].issuer", "also issuers[0]"),
            (
                r#"{"issuers":[{"issuer":"https://i","cognito_user_pool_id":"eu-west-1_A"}],"audiences":["a"]}"#,
                "issuers[0].cognito_user_pool_id",
                "not both",
            ),
            (r#"{"issuers":[{"audiences":["a"]}]}"#, "issuers[0]", "give `issuer`"),
            (
                r#"{"issuers":[{"cognito_user_pool_id":"eu-west-1"}],"allowed_client_ids":["c"]}"#,
                "issuers[0].cognito_user_pool_id",
                "REGION_ID",
            ),
            (
                r#"{"issuers":[{"issuer":"https://i","jwks_uri":"http://i/jwks"}],"audiences":["a"]}"#,
                "issuers[0].jwks_uri",
                "not https",
            ),
            (r#"{"issuers":["https://i"],"audiences":["a"],"jwks_uri":"http://i/jwks"}"#, "jwks_uri", "not https"),
            (r#"{"issuers":["accounts.google.com"],"audiences":["a"]}"#, "issuers[0].issuer", "give `jwks_uri`"),
            (
                r#"{"issuers":[{"issuer":"https://i","jwks_file":"f","jwks":{"keys":[]}}],"audiences":["a"]}"#,
                "issuers[0].jwks_file",
                "not both",
            ),
            (
                r#"{"issuers":[{"issuer":"https://i","jwks":{"key":[]}}],"audiences":["a"]}"#,
                "issuers[0].jwks",
                "jwks_no_keys",
            ),
            (
                r#"{"issuers":[{"issuer":"https://i","algorithms":["HS256"]}],"audiences":["a"]}"#,
                "issuers[0].algorithms",
                "never accepted",
            ),
            (
                r#"{"issuers":[{"issuer":"https://i","max_token_age_seconds":0}],"audiences":["a"]}"#,
                "issuers[0].max_token_age_seconds",
                "between 1",
            ),
            (r#"{"issuers":["https://i"],"audiences":["a"],"jwks_timeout_ms":99}"#, "jwks_timeout_ms", "between 100"),
            (
                r#"{"issuers":["https://i"],"audiences":["a"],"jwks_cache_min_seconds":7200}"#,
                "jwks_cache_min_seconds",
                "not exceed",
            ),
            (
                r#"{"issuers":["https://i"],"audiences":["a"],"jwks_refresh_cooldown_seconds":0}"#,
                "jwks_refresh_cooldown_seconds",
                "between 1",
            ),
            (r#"{"issuers":["https://i"],"audiences":["a"],"token_sources":[]}"#, "token_sources", "at least one"),
            (
                r#"{"issuers":["https://i"],"audiences":["a"],"token_sources":["authorization","cookie:a b"]}"#,
                "token_sources",
                "`cookie:a b`",
            ),
            (
                r#"{"issuers":["https://i"],"audiences":["a"],"token_sources":["bearer"]}"#,
                "token_sources",
                "is not `authorization`",
            ),
            (
                r#"{"issuers":["https://i"],"audiences":["a"],"token_sources":["query:a","query:b","query:c","query:d","query:e","query:f","query:g","query:h","query:i"]}"#,
                "token_sources",
                "at most 8",
            ),
            (
                r#"{"issuers":["https://i"],"audiences":["a"],"route_rules":"GET /x=equals(a,b,c)"}"#,
                "route_rules",
                "`GET /x`: `equals(a,b,c)`: `equals` takes exactly one value",
            ),
        ] {
            let e = Config::from_json(json.as_bytes()).unwrap_err();
            assert_eq!(e.setting, setting, "{json}: {e}");
            assert!(e.problem.contains(needle), "{json}: {e}");
        }
    }

    /// Rules built in code (not read from text) are held to the same bounds at start.
    #[test]
    fn claim_rules_built_in_code_are_bounded_too() {
        let rule = |text: &str| claim_rule::ClaimRule::parse(text).unwrap();
        let input = |rules: Vec<claim_rule::ClaimRule>| ConfigInput {
            issuers: vec![ProfileInput { claim_rules: Some(rules), ..issuer("https://i") }],
            defaults: ProfileInput { audiences: Some(vec!["a".into()]), ..ProfileInput::default() },
            ..ConfigInput::default()
        };
        assert!(Config::new(&input(vec![rule("present(a)"); claim_rule::MAX_RULES])).is_ok());
        let e = Config::new(&input(vec![rule("present(a)"); claim_rule::MAX_RULES + 1])).unwrap_err();
        assert_eq!((e.setting.as_str(), e.problem.as_str()), ("issuers[0].claim_rules", "more than 20 rules"));
        let mut wide = rule("one_of(a,x)");
        wide.test = claim_rule::Test::OneOf(vec![claim_rule::Value::new("x"); claim_rule::MAX_VALUES + 1]);
        assert!(Config::new(&input(vec![wide])).unwrap_err().problem.contains("more than 50 values"));
        let mut empty = rule("one_of(a,x)");
        empty.test = claim_rule::Test::ContainsAny(vec![]);
        assert!(Config::new(&input(vec![empty])).unwrap_err().problem.contains("at least one value"));
    }

    #[test]
    fn profiles_take_the_top_level_for_what_they_leave_out() {
        let json = format!(
            r#"{{"issuers":["https://b",{{"issuer":"https://a","audiences":["mine"],"leeway_seconds":9,"algorithms":["ES256"],"scope_match":"any","claim_rules":[]}},
                {{"cognito_user_pool_id":"us-east-1_Pool1","audiences":[],"allowed_client_ids":["c"],"token_use":"access"}},
                {{"issuer":"https://s","jwks":{JWKS}}}],
               "audiences":["shared"],"leeway_seconds":3,"jwks_uri":"https://keys.example/jwks","required_scopes":["read"],"claim_rules":["present(tenant)"]}}"#
        );
        let config = Config::from_json(json.as_bytes()).unwrap();
        let (a, b) = (config.profile("https://a").unwrap(), config.profile("https://b").unwrap());
        assert_eq!(
            (a.audiences.as_slice(), a.leeway_seconds, a.algorithms.as_slice()),
            (&["mine".to_owned()][..], 9, &[Algorithm::ES256][..])
        );
        assert_eq!(
            (b.audiences.as_slice(), b.leeway_seconds, b.algorithms.as_slice()),
            (&["shared".to_owned()][..], 3, &[Algorithm::RS256][..])
        );
        assert_eq!((&a.required_scopes, a.index, b.index), (&vec!["read".to_owned()], 1, 0));
        assert_eq!((a.scope_match, b.scope_match), (ScopeMatch::Any, ScopeMatch::All));
        assert_eq!((a.claim_rules.len(), b.claim_rules.len()), (0, 1), "a's empty list replaces the top level's");
        // a and b share the top level's key source; the pool and the static set have their own.
        assert_eq!(a.source, b.source);
        assert_eq!(config.sources[a.source].jwks_uri.as_deref(), Some("https://keys.example/jwks"));
        let pool = config.profile("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1").unwrap();
        assert_eq!(
            config.sources[pool.source].jwks_uri.as_deref(),
            Some("https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1/.well-known/jwks.json")
        );
        assert_eq!((pool.audiences.len(), pool.token_use, pool.leeway_seconds), (0, Some(TokenUse::Access), 3));
        let s = config.profile("https://s").unwrap();
        let source = &config.sources[s.source];
        assert_eq!((source.jwks_uri.as_ref(), source.inline.is_some()), (None, true));
        assert_eq!(config.sources.len(), 3);
        assert_eq!(config.algorithms, [Algorithm::RS256, Algorithm::ES256]);
        // Sorted by issuer: found by binary search.
        assert!(config.profiles.windows(2).all(|w| w[0].issuer < w[1].issuer));
        assert!(config.profile("https://c").is_none());
    }

    /// The schema holds every member of `ProfileInput`, each in a field of its own: set through
    /// the table, no field is left unset, and each member reads back as written.
    #[test]
    fn the_profile_schema_covers_every_member_once() {
        let mut names: Vec<&str> = PROFILE_MEMBERS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), PROFILE_MEMBERS.len());
        let mut p = ProfileInput::default();
        for (i, member) in PROFILE_MEMBERS.iter().enumerate() {
            let before = format!("{p:?}");
            match member.slot {
                Slot::Text(at) | Slot::KeySet(at) => *at(&mut p) = Some(format!("{i}")),
                Slot::List(at) | Slot::Scopes(at) => *at(&mut p) = Some(vec![format!("{i}")]),
                Slot::Number(at) => *at(&mut p) = Some(i as u64),
                Slot::Flag(at) => *at(&mut p) = Some(true),
                Slot::ClaimRules(at) => *at(&mut p) = Some(Vec::new()),
                Slot::TokenUse(at) => *at(&mut p) = Some(TokenUse::Id),
                Slot::ScopeMatch(at) => *at(&mut p) = Some(ScopeMatch::Any),
            }
            assert_ne!(before, format!("{p:?}"), "{} sets a field another member set", member.name);
        }
        assert!(!format!("{p:?}").contains("None"), "a field of ProfileInput is no member: {p:?}");
    }

    #[test]
    fn every_name_reads_back_as_its_value() {
        use crate::setting::assert_names_read_back as check;
        check::<PolicyResource>();
        check::<HttpApiResponse>();
        check::<UnlistedRoutes>();
        check::<TokenUse>();
        check::<ScopeMatch>();
    }
}
