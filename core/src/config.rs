//! What the verifier accepts. Built from JSON (the wasm boundary) or from environment
//! variables (see `env`), validated once, then immutable.

use crate::alg::Algorithm;
use crate::json::{self, Json, JsonError, Object};
use crate::json_text::{self, ArrayText, ObjectText};
use crate::limits::{self, CEILING, Limits};
use crate::policy;
use crate::routes::{self, RouteRule, RuleInput, RulesInput, UnlistedRoutes};
pub use crate::setting::{ConfigError, Named};
use crate::setting::err;

/// Where an Allow (or a global Deny) applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum PolicyResource {
    /// `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/*/*`: one cached policy serves every route.
    #[default]
    Stage,
    /// Only the `methodArn` of this request (the original sample's behaviour).
    Method,
}

/// The response shape for HTTP API payload 2.0 events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum HttpApiResponse {
    /// `{ "isAuthorized": bool, "context": {...} }` (enableSimpleResponses).
    #[default]
    Simple,
    /// An IAM policy, as for REST APIs.
    Policy,
}

impl Named for PolicyResource {
    const NAMES: &'static [(&'static str, Self)] = &[("stage", Self::Stage), ("method", Self::Method)];
}

impl Named for HttpApiResponse {
    const NAMES: &'static [(&'static str, Self)] = &[("simple", Self::Simple), ("policy", Self::Policy)];
}

pub const MAX_LEEWAY_SECONDS: u32 = 600;
/// The longest `max_token_age_seconds`: a year.
pub const MAX_TOKEN_AGE_SECONDS: u64 = 365 * 24 * 3600;

/// The raw form, as JSON crosses the wasm boundary (`from_json`, `write_json`). `Config::new`
/// validates it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigInput {
    pub issuers: Vec<String>,
    pub audiences: Vec<String>,
    pub algorithms: Option<Vec<String>>,
    pub leeway_seconds: u32,
    pub required_scopes: Vec<String>,
    pub allowed_client_ids: Option<Vec<String>>,
    pub token_type: Option<String>,
    pub max_token_age_seconds: Option<u64>,
    pub policy_resource: PolicyResource,
    pub context_claims: Option<Vec<String>>,
    pub http_api_response: HttpApiResponse,
    pub limits: Limits,
    /// Per-route scope rules (see `routes`).
    pub route_rules: Option<RulesInput>,
    pub unlisted_routes: UnlistedRoutes,
}

/// The configuration JSON's members.
const FIELDS: &[&str] = &[
    "issuers",
    "audiences",
    "algorithms",
    "leeway_seconds",
    "required_scopes",
    "allowed_client_ids",
    "token_type",
    "max_token_age_seconds",
    "policy_resource",
    "context_claims",
    "http_api_response",
    "limits",
    "route_rules",
    "unlisted_routes",
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
        let doc = Members::of("config", &doc, FIELDS)?;
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
        let named = |name: &'static str| doc.get(name).map(|v| text(name, v)).transpose();
        Ok(ConfigInput {
            issuers: strings("issuers", doc.get("issuers").ok_or_else(|| err("issuers", "required"))?)?,
            audiences: strings("audiences", doc.get("audiences").ok_or_else(|| err("audiences", "required"))?)?,
            algorithms: doc.optional_strings("algorithms")?,
            leeway_seconds: match doc.get("leeway_seconds") {
                None => 0,
                Some(v) => u32::try_from(whole("leeway_seconds", v)?).map_err(|_| err("leeway_seconds", format!("at most {MAX_LEEWAY_SECONDS}")))?,
            },
            required_scopes: doc.optional_strings("required_scopes")?.unwrap_or_default(),
            allowed_client_ids: doc.optional_strings("allowed_client_ids")?,
            token_type: named("token_type")?.map(str::to_owned),
            max_token_age_seconds: doc.get("max_token_age_seconds").map(|v| whole("max_token_age_seconds", v)).transpose()?,
            policy_resource: Named::from_optional("policy_resource", named("policy_resource")?)?,
            context_claims: doc.optional_strings("context_claims")?,
            http_api_response: Named::from_optional("http_api_response", named("http_api_response")?)?,
            limits,
            route_rules: doc.get("route_rules").map(rules_input).transpose()?,
            unlisted_routes: Named::from_optional("unlisted_routes", named("unlisted_routes")?)?,
        })
    }

    /// The configuration JSON `from_json` reads: every member, `null` where unset.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let optional_strings = |doc: &mut ObjectText<'_>, name: &str, items: &Option<Vec<String>>| match items {
            Some(items) => json_text::strings(doc.member(name), items),
            None => doc.optional(name, None),
        };
        let mut doc = ObjectText::new(out);
        json_text::strings(doc.member("issuers"), &self.issuers);
        json_text::strings(doc.member("audiences"), &self.audiences);
        optional_strings(&mut doc, "algorithms", &self.algorithms);
        doc.number("leeway_seconds", u64::from(self.leeway_seconds));
        json_text::strings(doc.member("required_scopes"), &self.required_scopes);
        optional_strings(&mut doc, "allowed_client_ids", &self.allowed_client_ids);
        doc.optional("token_type", self.token_type.as_deref());
        match self.max_token_age_seconds {
            Some(seconds) => doc.number("max_token_age_seconds", seconds),
            None => doc.optional("max_token_age_seconds", None),
        }
        doc.string("policy_resource", self.policy_resource.name());
        optional_strings(&mut doc, "context_claims", &self.context_claims);
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
                    r.end();
                }
                items.end();
            }
        }
        doc.string("unlisted_routes", self.unlisted_routes.name());
        doc.end();
    }
}

/// An object's members, every name one of `known`; `null` reads as absent.
struct Members<'o, 'a> {
    object: &'o Object<'a>,
}

impl<'o, 'a> Members<'o, 'a> {
    fn of(setting: &'static str, object: &'o Object<'a>, known: &[&str]) -> Result<Self, ConfigError> {
        if let Some((name, _)) = object.members().find(|(name, _)| !known.contains(name)) {
            return Err(err(setting, format!("unknown member `{name}`")));
        }
        Ok(Members { object })
    }

    fn get(&self, name: &str) -> Option<&'o Json<'a>> {
        self.object.get(name).filter(|v| !matches!(v, Json::Null))
    }

    fn optional_strings(&self, name: &'static str) -> Result<Option<Vec<String>>, ConfigError> {
        self.get(name).map(|v| strings(name, v)).transpose()
    }
}

fn text<'j>(setting: &'static str, value: &'j Json<'_>) -> Result<&'j str, ConfigError> {
    value.as_str().ok_or_else(|| err(setting, "expected a string"))
}

pub(crate) fn strings(setting: &'static str, value: &Json<'_>) -> Result<Vec<String>, ConfigError> {
    match value {
        Json::Array(items) => items.iter().map(|i| text(setting, i).map(str::to_owned)).collect(),
        _ => Err(err(setting, "expected a list of strings")),
    }
}

fn whole(setting: &'static str, value: &Json<'_>) -> Result<u64, ConfigError> {
    match value {
        Json::Number(n) => n.to_u64().ok_or_else(|| err(setting, format!("`{}` is not a whole number", n.text()))),
        _ => Err(err(setting, "expected a whole number")),
    }
}

/// `route_rules`: the text form, or a list of `{route, scopes}`.
fn rules_input(value: &Json<'_>) -> Result<RulesInput, ConfigError> {
    const SETTING: &str = "route_rules";
    match value {
        Json::Str(text) => Ok(RulesInput::Text(text.as_ref().to_owned())),
        Json::Array(items) => items
            .iter()
            .map(|item| {
                let rule = Members::of(SETTING, item.as_object().ok_or_else(|| err(SETTING, "a rule is not an object"))?, &["route", "scopes"])?;
                Ok(RuleInput {
                    route: text(SETTING, rule.get("route").ok_or_else(|| err(SETTING, "a rule has no `route`"))?)?.to_owned(),
                    scopes: strings(SETTING, rule.get("scopes").ok_or_else(|| err(SETTING, "a rule has no `scopes`"))?)?,
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
    pub issuers: Vec<String>,
    pub audiences: Vec<String>,
    pub algorithms: Vec<Algorithm>,
    pub leeway_seconds: u32,
    pub required_scopes: Vec<String>,
    pub allowed_client_ids: Option<Vec<String>>,
    pub token_type: Option<String>,
    pub max_token_age_seconds: Option<u64>,
    pub policy_resource: PolicyResource,
    pub context_claims: Vec<String>,
    pub http_api_response: HttpApiResponse,
    pub limits: Limits,
    pub route_rules: Vec<RouteRule>,
    pub unlisted_routes: UnlistedRoutes,
}

/// The claims copied into the policy's `context` unless configured otherwise.
pub const DEFAULT_CONTEXT_CLAIMS: &[&str] = &["sub", "iss", "scope", "client_id"];

impl Config {
    pub fn from_json(bytes: &[u8]) -> Result<Config, ConfigError> {
        Config::new(ConfigInput::from_json(bytes)?)
    }

    /// Validate `input`. Every check reads it in place and the parts move only once all have
    /// passed: a refusal then frees the input in one piece (each early return would otherwise
    /// carry its own clean-up code).
    pub fn new(input: ConfigInput) -> Result<Config, ConfigError> {
        non_empty_list("issuers", &input.issuers)?;
        non_empty_list("audiences", &input.audiences)?;
        let algorithms = match &input.algorithms {
            None => vec![Algorithm::RS256],
            Some(names) => {
                non_empty_list("algorithms", names)?;
                let mut algs = Vec::new();
                for name in names {
                    let alg = Algorithm::from_name(name).ok_or_else(|| {
                        let upper = name.to_ascii_uppercase();
                        if upper == "NONE" || upper.starts_with("HS") {
                            err("algorithms", format!("`{name}` is never accepted"))
                        } else {
                            err("algorithms", format!("unsupported algorithm `{name}`"))
                        }
                    })?;
                    if !algs.contains(&alg) {
                        algs.push(alg);
                    }
                }
                algs
            }
        };
        if input.leeway_seconds > MAX_LEEWAY_SECONDS {
            return Err(err("leeway_seconds", format!("at most {MAX_LEEWAY_SECONDS}")));
        }
        if input.required_scopes.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace)) {
            return Err(err("required_scopes", "a scope is empty or contains white space"));
        }
        if let Some(ids) = &input.allowed_client_ids {
            non_empty_list("allowed_client_ids", ids)?;
        }
        if input.token_type.as_deref().is_some_and(str::is_empty) {
            return Err(err("token_type", "empty"));
        }
        if input.max_token_age_seconds.is_some_and(|age| !(1..=MAX_TOKEN_AGE_SECONDS).contains(&age)) {
            return Err(err("max_token_age_seconds", format!("must be between 1 and {MAX_TOKEN_AGE_SECONDS} (leave it out for no age rule)")));
        }
        if input.context_claims.iter().flatten().any(String::is_empty) {
            return Err(err("context_claims", "empty claim name"));
        }
        for field in &limits::FIELDS {
            let (value, ceiling) = ((field.get)(&input.limits), (field.get)(&CEILING));
            if value == 0 || value > ceiling {
                return Err(err(field.setting, format!("must be between 1 and {ceiling}")));
            }
        }
        let route_rules = match &input.route_rules {
            None => Vec::new(),
            Some(rules) => routes::parse(rules)?,
        };
        let statements = policy::largest_statements(&route_rules);
        if statements + policy::TOKEN_SHARE_BYTES > policy::MAX_RESPONSE_BYTES {
            return Err(err(
                "route_rules",
                format!(
                    "the policy for these rules can reach {statements} bytes (for a stage name of 128 characters), and API Gateway takes at most {} bytes from an authorizer, {} of them kept for principalId and context: use fewer rules, shorter paths, or one method where a rule says ANY (which lists all seven)",
                    policy::MAX_RESPONSE_BYTES,
                    policy::TOKEN_SHARE_BYTES
                ),
            ));
        }

        let names = match input.context_claims {
            None => DEFAULT_CONTEXT_CLAIMS.iter().map(|s| s.to_string()).collect(),
            Some(names) => names,
        };
        // The context is an object: its members are written in this order, sorted as
        // serde_json's maps keep them, each once. (A handful of names: inserted in place
        // rather than through a general sort's code.)
        let mut context_claims: Vec<String> = Vec::with_capacity(names.len());
        for name in names {
            if let Err(at) = context_claims.binary_search(&name) {
                context_claims.insert(at, name);
            }
        }
        Ok(Config {
            route_rules,
            unlisted_routes: input.unlisted_routes,
            issuers: input.issuers,
            audiences: input.audiences,
            algorithms,
            leeway_seconds: input.leeway_seconds,
            required_scopes: input.required_scopes,
            allowed_client_ids: input.allowed_client_ids,
            token_type: input.token_type,
            max_token_age_seconds: input.max_token_age_seconds,
            policy_resource: input.policy_resource,
            context_claims,
            http_api_response: input.http_api_response,
            limits: input.limits,
        })
    }
}

fn non_empty_list(setting: &'static str, items: &[String]) -> Result<(), ConfigError> {
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

    #[test]
    fn minimal_configuration_takes_the_defaults() {
        let input = read(r#"{"issuers":["https://i"],"audiences":["a"]}"#).unwrap();
        let defaults = ConfigInput { issuers: vec!["https://i".into()], audiences: vec!["a".into()], ..ConfigInput::default() };
        assert_eq!(input, defaults);
        // `null` is the default too.
        let nulls = r#"{"issuers":["https://i"],"audiences":["a"],"algorithms":null,"leeway_seconds":null,"limits":null,"route_rules":null,"policy_resource":null}"#;
        assert_eq!(read(nulls).unwrap(), defaults);
    }

    #[test]
    fn written_configuration_reads_back_unchanged() {
        let full = ConfigInput {
            issuers: vec!["https://i/".into(), "https://é\"".into()],
            audiences: vec!["a".into()],
            algorithms: Some(vec!["RS256".into(), "EdDSA".into()]),
            leeway_seconds: 30,
            required_scopes: vec!["s:1".into()],
            allowed_client_ids: Some(vec!["c".into()]),
            token_type: Some("at+jwt".into()),
            max_token_age_seconds: Some(u64::MAX),
            policy_resource: PolicyResource::Method,
            context_claims: Some(vec![]),
            http_api_response: HttpApiResponse::Policy,
            limits: Limits { max_token_bytes: 1, max_jwks_bytes: 2, max_keys: 3, max_event_bytes: 4 },
            route_rules: Some(RulesInput::List(vec![RuleInput { route: "GET /x".into(), scopes: vec!["a".into(), "b".into()] }])),
            unlisted_routes: UnlistedRoutes::Deny,
        };
        let text_rules = ConfigInput { route_rules: Some(RulesInput::Text("GET /x=a".into())), ..full.clone() };
        let minimal = ConfigInput { issuers: vec!["i".into()], audiences: vec!["a".into()], ..ConfigInput::default() };
        for input in [full, text_rules, minimal] {
            let text = written(&input);
            assert_eq!(read(&text).unwrap(), input, "{text}");
            // Plain JSON for every host's own parser.
            let value: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value.as_object().unwrap().len(), FIELDS.len());
            // Written in the order of FIELDS, the list the reader checks members against, so
            // the two lists cannot drift apart unnoticed (no nested member shares a name).
            let at: Vec<usize> = FIELDS.iter().map(|f| text.find(&format!("\"{f}\":")).unwrap()).collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
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
            (r#"{"issuers":"i","audiences":["a"]}"#, "issuers", "list of strings"),
            (r#"{"issuers":["i",1],"audiences":["a"]}"#, "issuers", "string"),
            (r#"{"issuers":["i"],"audiences":["a"],"leeway_seconds":1.5}"#, "leeway_seconds", "whole number"),
            (r#"{"issuers":["i"],"audiences":["a"],"leeway_seconds":-1}"#, "leeway_seconds", "whole number"),
            (r#"{"issuers":["i"],"audiences":["a"],"leeway_seconds":"5"}"#, "leeway_seconds", "whole number"),
            (r#"{"issuers":["i"],"audiences":["a"],"leeway_seconds":99999999999}"#, "leeway_seconds", "at most 600"),
            (r#"{"issuers":["i"],"audiences":["a"],"policy_resource":"Stage"}"#, "policy_resource", "`Stage` is not `stage` or `method`"),
            (r#"{"issuers":["i"],"audiences":["a"],"limits":{"max_keys":1,"keys":2}}"#, "limits", "unknown member `keys`"),
            (r#"{"issuers":["i"],"audiences":["a"],"limits":[]}"#, "limits", "object"),
            (r#"{"issuers":["i"],"audiences":["a"],"limits":{"max_event_bytes":"9"}}"#, "limits.max_event_bytes", "whole number"),
            (r#"{"issuers":["i"],"audiences":["a"],"route_rules":[{"route":"GET /x"}]}"#, "route_rules", "no `scopes`"),
            (r#"{"issuers":["i"],"audiences":["a"],"route_rules":[{"route":"GET /x","scopes":["a"],"x":1}]}"#, "route_rules", "unknown member `x`"),
            (r#"{"issuers":["i"],"audiences":["a"],"route_rules":5}"#, "route_rules", "rule text or a list"),
            (r#"{"issuers":["i"],"audiences":["a"],"issuers":["j"]}"#, "config", "repeated"),
            (r#"["i"]"#, "config", "not a JSON object"),
            (r#"{"issuers":["i"],"audiences":["a"],}"#, "config", "not valid JSON"),
        ] {
            let e = read(json).unwrap_err();
            assert_eq!(e.setting, setting, "{json}: {e}");
            assert!(e.problem.contains(needle), "{json}: {e}");
        }
        // Read, then validated: the limits' bounds are `Config::new`'s.
        let e = Config::from_json(br#"{"issuers":["i"],"audiences":["a"],"limits":{"max_keys":0}}"#).unwrap_err();
        assert_eq!(e.setting, "limits.max_keys");
    }

    #[test]
    fn every_name_reads_back_as_its_value() {
        fn check<T: Named + std::fmt::Debug>() {
            for &(name, value) in T::NAMES {
                assert_eq!(value.name(), name);
                assert_eq!(T::from_setting("s", name), Ok(value));
            }
            assert!(T::from_setting("s", "").is_err());
        }
        check::<PolicyResource>();
        check::<HttpApiResponse>();
        check::<UnlistedRoutes>();
        check::<crate::env::Signatures>();
    }
}
