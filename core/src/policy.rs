//! The answers API Gateway understands: IAM policies for REST APIs (and HTTP APIs that ask for
//! them), simple responses for HTTP API payload 2.0.

use crate::claims;
use crate::context::{self, Context};
use crate::event::AuthEvent;
use crate::event_kind::EventKind;
use crate::json::Object;
use crate::json_text::{self, ArrayText, ObjectText};
use crate::profile::{Held, Profile};
use crate::routes::{self, RouteRule, UnlistedRoutes, Verdict};
use crate::setting::Named;

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

/// The settings that shape every answer, as the configuration holds them.
#[derive(Clone, Copy, Debug)]
pub struct PolicySettings<'c> {
    /// The route rules (see `routes`).
    pub route_rules: &'c [RouteRule],
    /// What routes no rule names get.
    pub unlisted_routes: UnlistedRoutes,
    /// The stage or the method as the policy's resource.
    pub policy_resource: PolicyResource,
    /// Simple or policy answers for HTTP API 2.0 events.
    pub http_api_response: HttpApiResponse,
}

impl PolicySettings<'_> {
    /// Whether this kind of event is answered with a simple response.
    pub fn simple(&self, kind: EventKind) -> bool {
        kind == EventKind::HttpV2 && self.http_api_response == HttpApiResponse::Simple
    }

    /// Whether the policy for this request can name exactly what the route rules decided. In a
    /// policy's `Resource`, `*` and `?` are IAM wildcards (matching any characters, `/`
    /// included), and API Gateway answers the token's later requests from the cached policy
    /// without asking again: a wildcard from the request would reach routes the rules never
    /// saw. The stage-wide policy builds every resource from the API id and stage, so they must
    /// be plain names (API Gateway's own examples send a stage `*`); the method's policy is the
    /// ARN as it came, whose path is the caller's (`GET /*` through a `{proxy+}` resource), so
    /// all of it must be. Without rules every route gets the same answer, so a wildcard grants
    /// nothing the token does not already have; simple responses carry no resource.
    pub fn names_exactly(&self, kind: EventKind, arn: &ExecuteApiArn<'_>) -> bool {
        if self.route_rules.is_empty() || self.simple(kind) {
            return true;
        }
        match self.policy_resource {
            PolicyResource::Stage => arn.names_one_stage(),
            PolicyResource::Method => arn.names_one_request(),
        }
    }
}

/// The answer for a valid token of `profile` holding `held` (its claims `claims`, its subject
/// `principal`), and what the rules say of this request (for HTTP API simple responses: of
/// every request its route key serves). Route rules' claim rules were checked once for type
/// (none is `InvalidClaim`). The context is left empty: the caller fills what room it leaves.
pub fn respond(
    settings: PolicySettings<'_>,
    event: &AuthEvent<'_>,
    arn: &ExecuteApiArn<'_>,
    claims: &Object<'_>,
    profile: &Profile,
    held: Held<'_>,
    principal: String,
) -> (Response, Verdict) {
    let (rules, unlisted) = (settings.route_rules, settings.unlisted_routes);
    let check = |rule: &RouteRule| {
        if !claims::holds(held.scopes, &rule.scopes, profile.scope_match) {
            Verdict::MissingScope
        } else if !rule.claims.iter().all(|c| c.check(claims) == Ok(true)) {
            Verdict::ClaimRuleFailed
        } else {
            Verdict::Allowed
        }
    };
    let holds = |rule: &RouteRule| check(rule) == Verdict::Allowed;
    let has_scopes = claims::holds(held.scopes, &profile.required_scopes, profile.scope_match);
    let simple = settings.simple(event.kind);
    let verdict = if !has_scopes {
        Verdict::MissingScope
    } else if !held.claim_rules {
        Verdict::ClaimRuleFailed
    } else if simple {
        // API Gateway caches a simple response per route key (README: add
        // `$context.routeKey` to the identity sources when caching).
        routes::for_route_key(rules, unlisted, event.route_key.as_deref().unwrap_or("$default"), &check)
    } else {
        routes::for_request(rules, unlisted, arn.verb, arn.path, &check)
    };
    let allowed = verdict == Verdict::Allowed;
    let context = Context::default();
    if simple {
        return (Response::Simple { authorized: allowed, context }, verdict);
    }
    let statements = match settings.policy_resource {
        // This request alone, as its rules say.
        PolicyResource::Method => {
            let arn = event.arn.clone().into_owned();
            if allowed { Statements::allow(arn) } else { Statements::deny(arn) }
        }
        PolicyResource::Stage if !has_scopes || !held.claim_rules => Statements::deny(arn.stage_wide()),
        PolicyResource::Stage if rules.is_empty() => Statements::allow(arn.stage_wide()),
        PolicyResource::Stage => rule_statements(arn, rules, unlisted, &holds),
    };
    let usage_identifier = usage_identifier(event.kind, claims, profile);
    (Response::Policy { principal_id: principal, statements, context, usage_identifier }, verdict)
}

/// The `usageIdentifierKey`, for REST APIs (TOKEN and REQUEST events) when configured.
fn usage_identifier(kind: EventKind, claims: &Object<'_>, profile: &Profile) -> Option<String> {
    let path = profile.usage_identifier_claim.as_ref()?;
    if kind == EventKind::HttpV2 {
        return None;
    }
    context::usage_identifier(claims, path)
}

/// The parts of an execute-api ARN:
/// `arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH...` (REST and HTTP APIs), or
/// `arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE/ROUTE` (WebSocket APIs, e.g. `$connect`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecuteApiArn<'a> {
    /// `arn:PARTITION:execute-api:REGION:ACCOUNT:API`.
    pub api: &'a str,
    /// The stage name.
    pub stage: &'a str,
    /// The HTTP verb, or a WebSocket route key.
    pub verb: &'a str,
    /// `None` for a WebSocket route ARN, which has no path part.
    pub path: Option<&'a str>,
}

impl<'a> ExecuteApiArn<'a> {
    /// Split an execute-api ARN (`aws` partitions only); `None` when it is not one, which
    /// the decision refuses as `invalid_event`.
    pub fn parse(arn: &'a str) -> Option<ExecuteApiArn<'a>> {
        let mut fields = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("execute-api"), Some(region), Some(account), Some(rest)) =
            (fields.next(), fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return None;
        };
        if !partition.starts_with("aws") || region.is_empty() || account.is_empty() {
            return None;
        }
        let mut segments = rest.splitn(4, '/');
        let (Some(api_id), Some(stage), Some(verb)) = (segments.next(), segments.next(), segments.next()) else {
            return None;
        };
        if api_id.is_empty() || stage.is_empty() || verb.is_empty() {
            return None;
        }
        let api_end = arn.len() - rest.len() + api_id.len();
        Some(ExecuteApiArn { api: &arn[..api_end], stage, verb, path: segments.next() })
    }

    /// Every method and path of this stage: `API/STAGE/*/*`, or `API/STAGE/*` for a WebSocket
    /// route ARN (`API/STAGE/$connect` has no path part, so `*/*` would not match it and a valid
    /// token would be denied).
    pub fn stage_wide(&self) -> String {
        self.resource(if self.path.is_some() { "*/*" } else { "*" })
    }

    /// Whether the API id and stage are plain names: a `*` or `?` in them (API Gateway's own
    /// examples send a stage `*` for test calls) would be a wildcard in every resource built
    /// from them.
    pub fn names_one_stage(&self) -> bool {
        !has_wildcard(self.api) && !has_wildcard(self.stage)
    }

    /// Whether the whole ARN is free of `*` and `?`, so that as a policy's resource it matches
    /// this one method and path only.
    pub fn names_one_request(&self) -> bool {
        self.names_one_stage() && !has_wildcard(self.verb) && !self.path.is_some_and(has_wildcard)
    }

    /// `API/STAGE/suffix`. Concatenated, not formatted: this runs for every decision, and
    /// `format!` costs several times more in wasm.
    pub fn resource(&self, suffix: &str) -> String {
        [self.api, "/", self.stage, "/", suffix].concat()
    }
}

/// Whether `text` holds an IAM wildcard (`*` or `?`; IAM has no escape for them).
fn has_wildcard(text: &str) -> bool {
    text.bytes().any(|b| b == b'*' || b == b'?')
}

/// The resources a policy allows and denies: at most two `execute-api:Invoke` statements,
/// each with its resources in one list. IAM evaluation (AWS's "Policy evaluation logic"): an
/// explicit Deny in any statement that matches wins, else an Allow allows, else the request is
/// implicitly denied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statements {
    /// Resources of the `Allow` statement.
    pub allow: Vec<String>,
    /// Resources of the `Deny` statement.
    pub deny: Vec<String>,
}

impl Statements {
    /// Allow one resource.
    pub fn allow(resource: String) -> Statements {
        Statements { allow: vec![resource], deny: Vec::new() }
    }

    /// Deny one resource.
    pub fn deny(resource: String) -> Statements {
        Statements { allow: Vec::new(), deny: vec![resource] }
    }

    fn effects(&self) -> impl Iterator<Item = (&'static str, &[String])> {
        [("Allow", self.allow.as_slice()), ("Deny", self.deny.as_slice())].into_iter().filter(|(_, r)| !r.is_empty())
    }
}

/// API Gateway's limit on what an authorizer returns (AWS's API Gateway quotas: "Lambda
/// authorizer result size", 8 KB). A larger answer is an error at the gateway, so the core
/// never gives one: a configuration whose statements alone could come near it is refused at
/// start (`largest_statements`), and a decision whose answer would exceed it is refused.
pub const MAX_RESPONSE_BYTES: usize = 8192;

/// Kept from [`MAX_RESPONSE_BYTES`] for what the token brings (`principalId` and `context`)
/// when the start-up check sizes a configuration's statements.
pub const TOKEN_SHARE_BYTES: usize = 2048;

/// The longest `arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE` API Gateway sends: a
/// 10-character partition (`aws-iso-b`), a 16-character region, a 12-digit account, a
/// 10-character API id and a 128-character stage name (API Gateway's longest).
pub const LONGEST_API_STAGE: usize = "arn::execute-api:::/".len() + 10 + 16 + 12 + 10 + 128;

/// The policy for a valid token meeting its profile's scopes and claim rules, with route
/// rules, for the request of `arn`: every rule that can apply to this API's kind of request (REST and HTTP API, or
/// WebSocket) becomes resources, one per method, Allow where the token `holds` the rule (its
/// scopes and its claim rules) and Deny where it does not. With unlisted routes open, the whole stage is allowed
/// and only the Denies are needed; closed, only routes of held rules are allowed.
pub fn rule_statements(
    arn: &ExecuteApiArn<'_>,
    rules: &[RouteRule],
    unlisted: UnlistedRoutes,
    holds: &dyn Fn(&RouteRule) -> bool,
) -> Statements {
    let websocket = arn.path.is_none();
    let open = unlisted == UnlistedRoutes::Allow;
    let mut statements = Statements::default();
    if open {
        statements.allow.push(arn.stage_wide());
    }
    for rule in rules.iter().filter(|r| r.is_websocket() == websocket) {
        let held = holds(rule);
        if held && open {
            continue;
        }
        let list = if held { &mut statements.allow } else { &mut statements.deny };
        list.extend(rule.resources().map(|suffix| arn.resource(&suffix)));
    }
    if statements.allow.is_empty() {
        // Nothing allowed: one explicit Deny of the stage says it (and keeps the policy small).
        return Statements::deny(arn.stage_wide());
    }
    statements
}

/// An upper bound of the policy (without principal or context) that `rule_statements` can
/// give for these rules with the longest ARN API Gateway sends: two statements listing every
/// resource of every rule of one kind (REST and HTTP, or WebSocket), and the stage twice.
pub fn largest_statements(rules: &[RouteRule]) -> usize {
    let skeleton = r#"{"policyDocument":{"Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":[]},{"Action":"execute-api:Invoke","Effect":"Deny","Resource":[]}],"Version":"2012-10-17"},"principalId":""}"#.len();
    // `"API/STAGE/SUFFIX",`: each resource written with its quotes and comma.
    let resource = |suffix_len: usize| LONGEST_API_STAGE + 1 + suffix_len + 3;
    let mut largest = 0;
    for websocket in [false, true] {
        let mut size = skeleton + 2 * resource(3);
        for rule in rules.iter().filter(|r| r.is_websocket() == websocket) {
            for suffix in rule.resources() {
                size += resource(suffix.len());
            }
        }
        largest = largest.max(size);
    }
    largest
}

/// The authorizer's return value for API Gateway, kept typed until a host writes it out (JSON
/// text on the hot path): building a JSON tree per decision only to serialise it
/// cost more than the writing.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// REST APIs (and HTTP APIs that ask for IAM policies):
    /// `{principalId, policyDocument: {Version, Statement}, context?}`.
    Policy {
        /// `principalId`: the token's `sub` (`unknown` without one).
        principal_id: String,
        /// The `execute-api:Invoke` statements.
        statements: Statements,
        /// `context`: the claims forwarded to the backend.
        context: Context,
        /// `usageIdentifierKey` (REST APIs whose usage plans take API keys from the
        /// authorizer).
        usage_identifier: Option<String>,
    },
    /// HTTP API payload 2.0 simple response: `{isAuthorized, context?}`.
    Simple {
        /// `isAuthorized`: false for a Deny.
        authorized: bool,
        /// `context`: the claims forwarded to the backend.
        context: Context,
    },
}

impl Response {
    /// The response as a JSON value (`write` read back), for native hosts and tests.
    #[cfg(feature = "serde_json")]
    pub fn to_value(&self) -> serde_json::Value {
        let mut out = Vec::new();
        self.write(&mut out);
        serde_json::from_slice(&out).unwrap_or_default()
    }

    /// The response with `context` in place of its own.
    pub fn with_context(mut self, context: Context) -> Response {
        match &mut self {
            Response::Policy { context: c, .. } | Response::Simple { context: c, .. } => *c = context,
        }
        self
    }

    /// The response as JSON text. Members in sorted order, as serde_json's maps keep them, so
    /// the text is the same as its `to_value()`'s.
    pub fn write(&self, out: &mut Vec<u8>) {
        let context = match self {
            Response::Policy { context, .. } | Response::Simple { context, .. } => context,
        };
        let mut response = ObjectText::new(out);
        if !context.is_empty() {
            response.member("context").extend_from_slice(context.text().as_bytes());
        }
        match self {
            Response::Policy { principal_id, statements, usage_identifier, .. } => {
                let mut document = ObjectText::new(response.member("policyDocument"));
                let mut list = ArrayText::new(document.member("Statement"));
                for (effect, resources) in statements.effects() {
                    let mut s = ObjectText::new(list.item());
                    s.string("Action", "execute-api:Invoke");
                    s.string("Effect", effect);
                    match resources {
                        [one] => s.string("Resource", one),
                        many => json_text::strings(s.member("Resource"), many),
                    }
                    s.end();
                }
                list.end();
                document.string("Version", "2012-10-17");
                document.end();
                response.string("principalId", principal_id);
                if let Some(key) = usage_identifier {
                    response.string("usageIdentifierKey", key);
                }
            }
            Response::Simple { authorized, .. } => response.bool("isAuthorized", *authorized),
        }
        response.end();
    }

    /// An upper bound of the length `write` writes (over by at most 100 bytes), without
    /// writing it.
    pub fn max_len(&self) -> usize {
        match self {
            Response::Policy { principal_id, statements, context, usage_identifier } => {
                // The document and two statements without their strings (199 bytes), and the
                // strings with their quotes and commas.
                let mut len = 200 + context.len() + 12 + json_text::string_len(principal_id);
                if let Some(key) = usage_identifier {
                    len += 22 + json_text::string_len(key);
                }
                for resource in statements.allow.iter().chain(&statements.deny) {
                    len += json_text::string_len(resource) + 3;
                }
                len
            }
            Response::Simple { context, .. } => 40 + context.len(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_method_arns() {
        let arn = ExecuteApiArn::parse("arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets/1").unwrap();
        assert_eq!(arn.api, "arn:aws:execute-api:us-east-1:123456789012:abc");
        assert_eq!((arn.stage, arn.verb, arn.path), ("prod", "GET", Some("pets/1")));
        assert_eq!(arn.stage_wide(), "arn:aws:execute-api:us-east-1:123456789012:abc/prod/*/*");
        let root = ExecuteApiArn::parse("arn:aws:execute-api:us-west-2:1:ymy8tbxw7b/*/GET/").unwrap();
        assert_eq!(root.stage_wide(), "arn:aws:execute-api:us-west-2:1:ymy8tbxw7b/*/*/*");
        let ws = ExecuteApiArn::parse("arn:aws:execute-api:eu-west-1:123456789012:abcdef123/test/$connect").unwrap();
        assert_eq!((ws.stage, ws.verb, ws.path), ("test", "$connect", None));
        assert_eq!(ws.stage_wide(), "arn:aws:execute-api:eu-west-1:123456789012:abcdef123/test/*");
        for bad in [
            "",
            "arn:aws:s3:::bucket",
            "arn:aws:execute-api:us-east-1:1:abc",
            "arn:aws:execute-api:us-east-1:1:abc/prod",
            "x:aws:execute-api:r:1:a/s/GET/",
        ] {
            assert!(ExecuteApiArn::parse(bad).is_none(), "{bad}");
        }
    }
}
