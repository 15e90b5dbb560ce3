//! jwtgate-core: sans-I/O verification of JWT access tokens and API Gateway authorizer
//! decisions.
//!
//! The core never touches the network, a clock, a file or the environment. A host passes in
//! the configuration, the event (or a bare token) and the current time, and gets back a
//! [`Decision`]. Keys are kept by the core too ([`key_cache`]): when a decision needs keys it
//! does not have, the outcome is [`Outcome::FetchKeys`], and the host performs the requests
//! [`Gate::next_fetch`] names, hands back what it got, and asks again.
//!
//! ```text
//! let mut gate = Gate::new(Config::from_json(config_bytes)?);
//! let mut decision = gate.authorize(event_bytes, now_ms);
//! if decision.outcome == Outcome::FetchKeys {
//!     while let Some(request) = gate.next_fetch(now_ms) {
//!         let reply = host_get(&request);                // the host's only I/O
//!         log(gate.fetched(request.id, now_ms, reply));
//!     }
//!     decision = gate.authorize(event_bytes, now_ms);
//! }
//! ```

// A refusal (`Failure`) carries the token's header and claims for the decision's log line, so
// it is larger than clippy's default; it is made once per decision, not in a loop.
#![allow(clippy::result_large_err)]
// `unsafe` only in the wasm32 SIMD kernels (`simd`, one module each, which allow it): see
// simd/mod.rs and tests/unsafe_confined.rs.
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod alg;
pub mod b64;
pub mod binding;
pub mod claim_path;
pub mod claim_rule;
pub mod claims;
pub mod clock;
pub mod cognito;
pub mod config;
pub mod context;
pub mod cookie;
pub mod crypto;
pub mod decision;
pub mod env;
pub mod event;
mod event_kind;
mod field_value;
pub mod gate;
pub mod json;
pub mod json_text;
pub mod key_cache;
pub mod keys;
pub mod limits;
pub mod paths;
pub mod policy;
pub mod profile;
pub mod query;
pub mod reason;
pub mod routes;
mod scan;
pub mod setting;
mod simd;
pub mod token;
pub mod token_source;
pub mod url;

pub use alg::Algorithm;
pub use config::{Config, ConfigError};
pub use crypto::{CryptoProvider, PublicKey, PureRust};
pub use decision::{Decision, LogFields, Outcome};
pub use gate::Gate;
pub use key_cache::{FetchRequest, KeyCache, KeyEvent, Reply};
pub use keys::{Jwk, KeySet};
pub use limits::Limits;
pub use policy::Response;
pub use reason::{JwksError, KeyProblem, Reason};

use config::{HttpApiResponse, PolicyResource};
use event::EventKind;
use json::{Json, Object};
use policy::ExecuteApiArn;
use profile::Profile;
use token::Header;

/// A token whose signature and claims passed every configured rule.
#[derive(Debug, Clone)]
pub struct Verified {
    pub header: Header,
    /// The claims as the token carries them: JSON text, checked strictly (unique names).
    pub claims: String,
}

/// Why a token failed, with what was learnt before it failed (for logs and Deny policies).
#[derive(Debug, Clone)]
pub struct Failure {
    pub reason: Reason,
    pub header: Option<Header>,
    /// Present only for `MissingScope` and `ClaimRuleFailed`: the token is authentic and its
    /// claims valid.
    pub claims: Option<String>,
    /// The key source of the token's issuer, once known (for `JwksUnavailable` and
    /// `UnknownKid`: which keys to fetch).
    pub key_source: Option<usize>,
}

impl From<Reason> for Failure {
    fn from(reason: Reason) -> Failure {
        Failure { reason, header: None, claims: None, key_source: None }
    }
}

/// Where a verifier finds the keys of a key source (see `Profile::source`).
pub trait Keys {
    /// The usable keys of `source`, or `None` when there are none now (`JwksUnavailable`).
    fn of_source(&self, source: usize) -> Option<&KeySet>;
}

/// One key set for every source: for tools and tests that check tokens against a given set.
impl Keys for KeySet {
    fn of_source(&self, _: usize) -> Option<&KeySet> {
        Some(self)
    }
}

/// Verifies tokens for one configuration, checking signatures with provider `P`.
#[derive(Debug, Clone)]
pub struct Verifier<P = PureRust> {
    config: Config,
    provider: P,
}

impl Verifier<PureRust> {
    pub fn new(config: Config) -> Verifier<PureRust> {
        Verifier { config, provider: PureRust }
    }
}

impl<P: CryptoProvider> Verifier<P> {
    pub fn with_provider(config: Config, provider: P) -> Verifier<P> {
        Verifier { config, provider }
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Load a JWKS under this configuration's limits.
    pub fn load_keys(&self, jwks: &[u8]) -> Result<KeySet, JwksError> {
        KeySet::parse(jwks, &self.config.limits)
    }

    /// Verify a bare compact JWS at time `now` (Unix seconds).
    pub fn verify<K: Keys + ?Sized>(&self, keys: &K, token: &str, now: i64) -> Result<Verified, Failure> {
        let now = clock::whole(now).ok_or(Reason::InvalidClock)?;
        self.check_token(keys, token, None, now, |header, payload, _, profile, held| {
            // The reader checked the payload is UTF-8.
            let claims = String::from_utf8_lossy(payload).into_owned();
            let reason = if !claims::holds(held.scopes, &profile.required_scopes, profile.scope_match) {
                Reason::MissingScope
            } else if !held.claim_rules {
                Reason::ClaimRuleFailed
            } else {
                return Ok(Verified { header, claims });
            };
            Err(Failure { reason, header: Some(header), claims: Some(claims), key_source: Some(profile.source) })
        })?
    }

    /// Every check of [`Verifier::verify`] but the scopes and the outcome of the profile's claim
    /// rules (a claim of the wrong type for a rule is refused here, `InvalidClaim`);
    /// `client_cert_pem` is the request's mutual-TLS certificate, for certificate-bound tokens
    /// (`binding`). The token's
    /// `iss` chooses its profile before any key is touched; only that profile's keys can verify
    /// it. `accept` gets the header, the decoded payload, the claims read from it (borrowed,
    /// never copied into a tree of their own), the profile and what the token holds: without the
    /// required scopes, or failing a claim rule, the token is still authentic, which decides
    /// Deny rather than Unauthorized.
    fn check_token<K: Keys + ?Sized, T>(
        &self,
        keys: &K,
        token: &str,
        client_cert_pem: Option<&str>,
        now: i64,
        accept: impl FnOnce(Header, &[u8], &Object<'_>, &Profile, Held<'_>) -> T,
    ) -> Result<T, Failure> {
        let jws = token::parse(token, self.config.limits.max_token_bytes, &self.config.algorithms)?;
        let mut failure = Failure {
            reason: Reason::MalformedToken,
            header: Some(jws.header.clone()),
            claims: None,
            key_source: None,
        };
        let mut fail = |reason: Reason| {
            failure.reason = reason;
            failure.clone()
        };
        let payload = token::payload(&jws).map_err(&mut fail)?;
        let claims = token::read_claims(&payload).map_err(&mut fail)?;
        let profile = match claims.get("iss") {
            Some(Json::Str(iss)) => self.config.profile(iss).ok_or(Reason::IssuerMismatch),
            None => Err(Reason::IssuerMismatch),
            Some(_) => Err(Reason::InvalidClaim),
        }
        .map_err(&mut fail)?;
        failure.key_source = Some(profile.source);
        let mut fail = |reason: Reason| {
            failure.reason = reason;
            failure.clone()
        };
        if !profile.algorithms.contains(&jws.header.alg) {
            return Err(fail(Reason::AlgorithmNotAllowed));
        }
        let keys = keys.of_source(profile.source).ok_or(Reason::JwksUnavailable).map_err(&mut fail)?;
        self.check_header_signature(keys, &jws.header, jws.signing_input, &jws.signature).map_err(&mut fail)?;
        claims::check(&claims, &jws.header, profile, now).map_err(&mut fail)?;
        binding::check(&claims, client_cert_pem, profile.require_certificate_binding).map_err(&mut fail)?;
        let scopes = claims::scopes(&claims).map_err(&mut fail)?;
        // Every rule is checked (not only up to the first that fails), so that a claim of the
        // wrong type is refused whatever the rules' order.
        let mut claim_rules = true;
        for rule in &profile.claim_rules {
            claim_rules &= rule.check(&claims).map_err(&mut fail)?;
        }
        Ok(accept(jws.header, &payload, &claims, profile, Held { scopes: &scopes, claim_rules }))
    }

    /// Select the key for (`alg`, `kid`) and check `signature` over `message` with it: the
    /// signature step of [`Verifier::verify`], exposed so raw signature vectors can be run
    /// through exactly the code path a token takes.
    ///
    /// RFC 7515 section 4.1.4 and DESIGN point 5: by `kid` when the token has one (an unknown
    /// one asks for a refresh; a known one that fits no key is `KeyMismatch`); without it, by
    /// the certificate thumbprint `x5t#S256` or `x5t` when the header has one (old Entra ID v1
    /// tokens), else every key that fits the algorithm. Several keys may match (a rotation
    /// published twice, a set without kids): each that fits is tried, in the set's order, at
    /// most `MAX_KEYS_TRIED`, so the answer does not depend on which comes first; a token
    /// without `kid` that more keys fit is refused (`NoMatchingKey`).
    pub fn check_signature(
        &self,
        keys: &KeySet,
        alg: Algorithm,
        kid: Option<&str>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Reason> {
        let header = Header { alg, kid: kid.map(str::to_owned), typ: None, thumbprint: None };
        self.check_header_signature(keys, &header, message, signature)
    }

    /// [`Verifier::check_signature`] for a token's whole header (its thumbprint too).
    fn check_header_signature(
        &self,
        keys: &KeySet,
        header: &Header,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Reason> {
        let (alg, kid) = (header.alg, header.kid.as_deref());
        let named_by = |key: &Jwk| match (kid, &header.thumbprint) {
            (Some(kid), _) => key.kid.as_deref() == Some(kid),
            (None, Some(thumbprint)) => key.has_thumbprint(thumbprint),
            (None, None) => true,
        };
        let names = kid.is_some() || header.thumbprint.is_some();
        if keys.is_empty() {
            return Err(if names { Reason::UnknownKid } else { Reason::NoKeys });
        }
        let mut candidates = keys.keys().iter().filter(|k| named_by(k));
        let named = candidates.clone().next().is_some();
        if kid.is_none() && candidates.clone().filter(|k| k.fits(alg)).nth(MAX_KEYS_TRIED).is_some() {
            return Err(Reason::NoMatchingKey);
        }
        let mut tried = 0;
        for key in candidates.by_ref().filter(|k| k.fits(alg)).take(MAX_KEYS_TRIED) {
            tried += 1;
            // The length rule here, for every provider alike: OpenSSL's RSA-PSS check (behind
            // `node:crypto`) accepts a signature one byte short whose leading zero was dropped,
            // which RFC 8017 section 8.1.2 and our own provider refuse.
            if signature.len() == key.key.signature_len() && self.provider.verify(alg, key, message, signature) {
                return Ok(());
            }
        }
        Err(match (names, named, tried) {
            (true, false, _) => Reason::UnknownKid,
            (true, true, 0) if kid.is_some() => Reason::KeyMismatch,
            (_, _, 0) => Reason::NoMatchingKey,
            _ => Reason::BadSignature,
        })
    }

    /// Decide an API Gateway authorizer event (JSON bytes) at time `now` (Unix seconds).
    pub fn authorize<K: Keys + ?Sized>(&self, keys: &K, event: &[u8], now: i64) -> Decision {
        if clock::whole(now).is_none() {
            return Decision::unauthorized(Reason::InvalidClock, LogFields::default());
        }
        match event::parse(event, self.config.limits.max_event_bytes, &self.config.token_sources) {
            Ok(event) => self.decide(keys, event, now),
            Err(reason) => Decision::unauthorized(reason, LogFields::default()),
        }
    }

    /// Decide the REST API TOKEN event `{"type":"TOKEN","authorizationToken":..,"methodArn":..}`
    /// given by its two members: exactly what [`Verifier::authorize`] decides for that event's
    /// JSON (size cap included), without the host serialising the event and the core parsing
    /// it again. JavaScript hosts hold the event as an object; this is their warm path.
    pub fn authorize_token_event<K: Keys + ?Sized>(
        &self,
        keys: &K,
        authorization_token: &str,
        method_arn: &str,
        now: i64,
    ) -> Decision {
        if clock::whole(now).is_none() {
            return Decision::unauthorized(Reason::InvalidClock, LogFields::default());
        }
        if event::token_event_json_len_exceeds(authorization_token, method_arn, self.config.limits.max_event_bytes) {
            return Decision::unauthorized(Reason::InvalidEvent, LogFields::default());
        }
        let event = event::AuthEvent {
            kind: event::EventKind::Token,
            authorization: token_source::from_token_event(&self.config.token_sources, Some(authorization_token.into())),
            arn: method_arn.into(),
            route_key: None,
            client_cert_pem: None,
        };
        self.decide(keys, event, now)
    }

    /// Whether this kind of event is answered by a stage-wide policy built from route rules.
    fn stage_policy_with_rules(&self, kind: EventKind) -> bool {
        let config = &self.config;
        let simple = kind == EventKind::HttpV2 && config.http_api_response == HttpApiResponse::Simple;
        !config.route_rules.is_empty() && !simple && config.policy_resource == PolicyResource::Stage
    }

    fn decide<K: Keys + ?Sized>(&self, keys: &K, event: event::AuthEvent<'_>, now: i64) -> Decision {
        let mut log = LogFields { event: Some(event.kind), ..LogFields::default() };
        let Some(arn) = ExecuteApiArn::parse(&event.arn) else {
            return Decision::unauthorized(Reason::InvalidEvent, log);
        };
        if self.stage_policy_with_rules(event.kind) && !arn.names_one_stage() {
            // A `*` or `?` in the API id or stage would be a wildcard in every resource of the
            // policy, reaching past the stage into methods and paths: no exact policy exists.
            return Decision::unauthorized(Reason::InvalidEvent, log);
        }
        let token = match &event.authorization {
            Err(reason) => return Decision::unauthorized(*reason, log),
            Ok(token) => token.as_ref(),
        };
        let answer = self.check_token(
            keys,
            token,
            event.client_cert_pem.as_deref(),
            now,
            |header, payload, claims, profile, held| {
                log.alg = Some(header.alg.name());
                log.kid = header.kid;
                let text = |name: &str| claims.get(name).and_then(Json::as_str).map(str::to_owned);
                log.iss = text("iss");
                log.sub = text("sub");
                log.client_id =
                    claims.get("client_id").or_else(|| claims.get("azp")).and_then(Json::as_str).map(str::to_owned);
                log.key_source = Some(profile.source);
                // A claim of the wrong type for any route rule's claim rule refuses the token for
                // every route: the answer for a token must not depend on the route (one cached
                // policy answers them all).
                for rule in &self.config.route_rules {
                    for claim_rule in &rule.claims {
                        claim_rule.check(claims)?;
                    }
                }
                let principal = log.sub.clone().unwrap_or_else(|| "unknown".to_owned());
                let (response, verdict) = self.respond(
                    &event,
                    &arn,
                    claims,
                    profile,
                    held,
                    principal,
                    usage_identifier(&event, claims, profile),
                );
                // The context last: it fills what room the answer leaves (see `context`).
                let values =
                    if event.kind == EventKind::HttpV2 { context::Values::Json } else { context::Values::Text };
                // `,"context":` and the slack `len` allows for.
                let budget = policy::MAX_RESPONSE_BYTES.saturating_sub(response.max_len() + 12);
                // The reader checked the payload is UTF-8.
                let payload = core::str::from_utf8(payload).unwrap_or_default();
                Ok((response.with_context(context::build(claims, payload, &profile.context, values, budget)), verdict))
            },
        );
        let (response, verdict) = match answer {
            Ok(Ok(answer)) => answer,
            Ok(Err(reason)) => return Decision::unauthorized(reason, log),
            Err(failure) => {
                if let Some(h) = failure.header {
                    log.alg = Some(h.alg.name());
                    log.kid = h.kid;
                }
                log.key_source = failure.key_source;
                return Decision::unauthorized(failure.reason, log);
            }
        };
        // API Gateway takes no larger answer; a larger one would be an error at the gateway.
        if response.max_len() > policy::MAX_RESPONSE_BYTES {
            return Decision::unauthorized(Reason::ResponseTooLarge, log);
        }
        let reason = match verdict {
            routes::Verdict::Allowed => None,
            routes::Verdict::MissingScope => Some(Reason::MissingScope),
            routes::Verdict::ClaimRuleFailed => Some(Reason::ClaimRuleFailed),
            routes::Verdict::NotListed => Some(Reason::RouteNotListed),
        };
        Decision {
            outcome: if reason.is_none() { Outcome::Allow } else { Outcome::Deny },
            reason,
            response: Some(response),
            log,
        }
    }

    /// The response for a valid token of `profile` holding `held`, and what the rules say of
    /// this request (for HTTP API simple responses: of every request its route key serves).
    /// Route rules' claim rules were checked once for type (none is `InvalidClaim`).
    #[allow(clippy::too_many_arguments)]
    fn respond(
        &self,
        event: &event::AuthEvent<'_>,
        arn: &ExecuteApiArn<'_>,
        claims: &Object<'_>,
        profile: &Profile,
        held: Held<'_>,
        principal: String,
        usage_identifier: Option<String>,
    ) -> (policy::Response, routes::Verdict) {
        let context = context::Context::default();
        let config = &self.config;
        let (rules, unlisted) = (&config.route_rules, config.unlisted_routes);
        let check = |rule: &routes::RouteRule| {
            if !claims::holds(held.scopes, &rule.scopes, profile.scope_match) {
                routes::Verdict::MissingScope
            } else if !rule.claims.iter().all(|c| c.check(claims) == Ok(true)) {
                routes::Verdict::ClaimRuleFailed
            } else {
                routes::Verdict::Allowed
            }
        };
        let holds = |rule: &routes::RouteRule| check(rule) == routes::Verdict::Allowed;
        let has_scopes = claims::holds(held.scopes, &profile.required_scopes, profile.scope_match);
        let simple = event.kind == EventKind::HttpV2 && config.http_api_response == HttpApiResponse::Simple;
        let verdict = if !has_scopes {
            routes::Verdict::MissingScope
        } else if !held.claim_rules {
            routes::Verdict::ClaimRuleFailed
        } else if simple {
            // API Gateway caches a simple response per route key (README: add
            // `$context.routeKey` to the identity sources when caching).
            routes::for_route_key(rules, unlisted, event.route_key.as_deref().unwrap_or("$default"), &check)
        } else {
            routes::for_request(rules, unlisted, arn.verb, arn.path, &check)
        };
        let allowed = verdict == routes::Verdict::Allowed;
        if simple {
            return (policy::Response::Simple { authorized: allowed, context }, verdict);
        }

        let statements = match config.policy_resource {
            // This request alone, as its rules say.
            PolicyResource::Method => {
                let arn = event.arn.clone().into_owned();
                if allowed { policy::Statements::allow(arn) } else { policy::Statements::deny(arn) }
            }
            PolicyResource::Stage if !has_scopes || !held.claim_rules => policy::Statements::deny(arn.stage_wide()),
            PolicyResource::Stage if rules.is_empty() => policy::Statements::allow(arn.stage_wide()),
            PolicyResource::Stage => policy::rule_statements(arn, rules, unlisted, &holds),
        };
        (policy::Response::Policy { principal_id: principal, statements, context, usage_identifier }, verdict)
    }
}

/// The `usageIdentifierKey`, for REST APIs (TOKEN and REQUEST events) when configured.
fn usage_identifier(event: &event::AuthEvent<'_>, claims: &Object<'_>, profile: &Profile) -> Option<String> {
    let path = profile.usage_identifier_claim.as_ref()?;
    if event.kind == EventKind::HttpV2 {
        return None;
    }
    context::usage_identifier(claims, path)
}

/// What a verified token holds of its profile's rules that decide Deny rather than Unauthorized.
#[derive(Clone, Copy)]
struct Held<'s> {
    /// Its scopes.
    scopes: &'s [&'s str],
    /// Whether it meets every claim rule of its profile.
    claim_rules: bool,
}

/// How many keys one signature is checked against at most (keys sharing a `kid`).
pub const MAX_KEYS_TRIED: usize = 4;
