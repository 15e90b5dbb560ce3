//! jwtgate-core: sans-I/O verification of JWT access tokens and API Gateway authorizer
//! decisions.
//!
//! The core never touches the network, a clock, a file or the environment. A host passes in
//! the configuration, the JWKS bytes, the event (or a bare token) and the current time, and
//! gets back a [`Decision`]. When a token names a key the set does not have, the outcome is
//! [`Outcome::RefreshKeys`]: the host may refetch its JWKS and ask again.
//!
//! ```text
//! let verifier = Verifier::new(Config::from_json(config_bytes)?);
//! let keys = KeySet::parse(jwks_bytes, &verifier.config().limits)?;   // once, then reused
//! let decision = verifier.authorize(&keys, event_bytes, now_unix_seconds);
//! ```

pub mod alg;
pub mod b64;
pub mod claims;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod decision;
pub mod env;
pub mod event;
pub mod json;
pub mod json_text;
pub mod keys;
pub mod limits;
pub mod paths;
pub mod policy;
pub mod reason;
pub mod routes;
mod scan;
pub mod setting;
pub mod token;

pub use alg::Algorithm;
pub use config::{Config, ConfigError};
pub use crypto::{CryptoProvider, PublicKey, PureRust};
pub use decision::{Decision, LogFields, Outcome};
pub use policy::Response;
pub use keys::{Jwk, KeySet};
pub use limits::Limits;
pub use reason::{JwksError, KeyProblem, Reason};

use config::{HttpApiResponse, PolicyResource};
use event::EventKind;
use policy::ExecuteApiArn;
use json::{Json, Object};
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
    /// Present only for `MissingScope`: the token is authentic and its claims valid.
    pub claims: Option<String>,
}

impl From<Reason> for Failure {
    fn from(reason: Reason) -> Failure {
        Failure { reason, header: None, claims: None }
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
    pub fn verify(&self, keys: &KeySet, token: &str, now: i64) -> Result<Verified, Failure> {
        let now = clock::whole(now).ok_or(Reason::InvalidClock)?;
        self.check_token(keys, token, now, |header, payload, _, scopes| {
            // The reader checked the payload is UTF-8.
            let claims = String::from_utf8_lossy(payload).into_owned();
            if claims::holds_all(scopes, &self.config.required_scopes) {
                Ok(Verified { header, claims })
            } else {
                Err(Failure { reason: Reason::MissingScope, header: Some(header), claims: Some(claims) })
            }
        })?
    }

    /// Every check of [`Verifier::verify`] but the scopes. `accept` gets the header, the
    /// decoded payload, the claims read from it (borrowed, never copied into a tree of their
    /// own) and the token's scopes: without the required ones the token is still authentic, which decides
    /// Deny rather than Unauthorized.
    fn check_token<T>(
        &self,
        keys: &KeySet,
        token: &str,
        now: i64,
        accept: impl FnOnce(Header, &[u8], &Object<'_>, &[&str]) -> T,
    ) -> Result<T, Failure> {
        let jws = token::parse(token, self.config.limits.max_token_bytes, &self.config.algorithms)?;
        let fail = |reason: Reason| Failure { reason, header: Some(jws.header.clone()), claims: None };

        self.check_signature(keys, jws.header.alg, jws.header.kid.as_deref(), jws.signing_input, &jws.signature)
            .map_err(fail)?;
        let payload = token::payload(&jws).map_err(fail)?;
        let claims = token::read_claims(&payload).map_err(fail)?;
        claims::check(&claims, &jws.header, &self.config, now).map_err(fail)?;
        let scopes = claims::scopes(&claims).map_err(fail)?;
        Ok(accept(jws.header, &payload, &claims, &scopes))
    }

    /// Select the key for (`alg`, `kid`) and check `signature` over `message` with it: the
    /// signature step of [`Verifier::verify`], exposed so raw signature vectors can be run
    /// through exactly the code path a token takes.
    pub fn check_signature(
        &self,
        keys: &KeySet,
        alg: Algorithm,
        kid: Option<&str>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Reason> {
        // RFC 7515 section 4.1.4 and DESIGN point 5: by `kid` when the token has one (an unknown
        // one asks for a refresh; a known one that fits no key is `KeyMismatch`); without it,
        // the single key that fits the algorithm. Several keys may share a `kid` (a rotation
        // published twice, a careless merge): each that fits is tried, in the set's order, at
        // most `MAX_KEYS_TRIED`, so the answer does not depend on which comes first.
        if keys.is_empty() {
            return Err(if kid.is_some() { Reason::UnknownKid } else { Reason::NoKeys });
        }
        let (mut named, mut tried) = (false, 0);
        for key in keys.keys() {
            if kid.is_some() && key.kid.as_deref() != kid {
                continue;
            }
            named = true;
            if !key.fits(alg) {
                continue;
            }
            if kid.is_none() && keys.keys().iter().filter(|k| k.fits(alg)).nth(1).is_some() {
                return Err(Reason::NoMatchingKey);
            }
            if tried == MAX_KEYS_TRIED {
                break;
            }
            tried += 1;
            // The length rule here, for every provider alike: OpenSSL's RSA-PSS check (behind
            // `node:crypto`) accepts a signature one byte short whose leading zero was dropped,
            // which RFC 8017 section 8.1.2 and our own provider refuse.
            if signature.len() == key.key.signature_len() && self.provider.verify(alg, key, message, signature) {
                return Ok(());
            }
            if kid.is_none() {
                break;
            }
        }
        Err(match (kid, named, tried) {
            (Some(_), false, _) => Reason::UnknownKid,
            (Some(_), true, 0) => Reason::KeyMismatch,
            (None, _, 0) => Reason::NoMatchingKey,
            _ => Reason::BadSignature,
        })
    }

    /// Decide an API Gateway authorizer event (JSON bytes) at time `now` (Unix seconds).
    pub fn authorize(&self, keys: &KeySet, event: &[u8], now: i64) -> Decision {
        if clock::whole(now).is_none() {
            return Decision::unauthorized(Reason::InvalidClock, LogFields::default());
        }
        match event::parse(event, self.config.limits.max_event_bytes) {
            Ok(event) => self.decide(keys, event, now),
            Err(reason) => Decision::unauthorized(reason, LogFields::default()),
        }
    }

    /// Decide the REST API TOKEN event `{"type":"TOKEN","authorizationToken":..,"methodArn":..}`
    /// given by its two members: exactly what [`Verifier::authorize`] decides for that event's
    /// JSON (size cap included), without the host serialising the event and the core parsing
    /// it again. JavaScript hosts hold the event as an object; this is their warm path.
    pub fn authorize_token_event(&self, keys: &KeySet, authorization_token: &str, method_arn: &str, now: i64) -> Decision {
        if clock::whole(now).is_none() {
            return Decision::unauthorized(Reason::InvalidClock, LogFields::default());
        }
        if event::token_event_json_len_exceeds(authorization_token, method_arn, self.config.limits.max_event_bytes) {
            return Decision::unauthorized(Reason::InvalidEvent, LogFields::default());
        }
        let event = event::AuthEvent {
            kind: event::EventKind::Token,
            authorization: Some(authorization_token.into()),
            arn: method_arn.into(),
            route_key: None,
        };
        self.decide(keys, event, now)
    }

    /// Whether this kind of event is answered by a stage-wide policy built from route rules.
    fn stage_policy_with_rules(&self, kind: EventKind) -> bool {
        let config = &self.config;
        let simple = kind == EventKind::HttpV2 && config.http_api_response == HttpApiResponse::Simple;
        !config.route_rules.is_empty() && !simple && config.policy_resource == PolicyResource::Stage
    }

    fn decide(&self, keys: &KeySet, event: event::AuthEvent<'_>, now: i64) -> Decision {
        let mut log = LogFields { event: Some(event.kind), ..LogFields::default() };
        let Some(arn) = ExecuteApiArn::parse(&event.arn) else {
            return Decision::unauthorized(Reason::InvalidEvent, log);
        };
        if self.stage_policy_with_rules(event.kind) && !arn.names_one_stage() {
            // A `*` or `?` in the API id or stage would be a wildcard in every resource of the
            // policy, reaching past the stage into methods and paths: no exact policy exists.
            return Decision::unauthorized(Reason::InvalidEvent, log);
        }
        let token = match event.authorization.as_deref().map(event::bearer_token) {
            None => return Decision::unauthorized(Reason::MissingToken, log),
            Some(Err(reason)) => return Decision::unauthorized(reason, log),
            Some(Ok(token)) => token,
        };
        let answer = self.check_token(keys, token, now, |header, _, claims, scopes| {
            log.alg = Some(header.alg.name());
            log.kid = header.kid;
            let text = |name: &str| claims.get(name).and_then(Json::as_str).map(str::to_owned);
            log.iss = text("iss");
            log.sub = text("sub");
            log.client_id = claims.get("client_id").or_else(|| claims.get("azp")).and_then(Json::as_str).map(str::to_owned);
            let context = policy::context(claims, &self.config.context_claims);
            let principal = log.sub.clone().unwrap_or_else(|| "unknown".to_owned());
            self.respond(&event, &arn, scopes, principal, context)
        });
        let (response, verdict) = match answer {
            Ok(answer) => answer,
            Err(failure) => {
                if let Some(h) = failure.header {
                    log.alg = Some(h.alg.name());
                    log.kid = h.kid;
                }
                return Decision::unauthorized(failure.reason, log);
            }
        };
        // API Gateway takes no larger answer; a larger one would be an error at the gateway.
        if response.len() > policy::MAX_RESPONSE_BYTES {
            return Decision::unauthorized(Reason::ResponseTooLarge, log);
        }
        let reason = match verdict {
            routes::Verdict::Allowed => None,
            routes::Verdict::MissingScope => Some(Reason::MissingScope),
            routes::Verdict::NotListed => Some(Reason::RouteNotListed),
        };
        Decision {
            outcome: if reason.is_none() { Outcome::Allow } else { Outcome::Deny },
            reason,
            response: Some(response),
            log,
        }
    }

    /// The response for a valid token holding `held` scopes, and what the rules say of this
    /// request (for HTTP API simple responses: of every request its route key serves).
    fn respond(
        &self,
        event: &event::AuthEvent<'_>,
        arn: &ExecuteApiArn<'_>,
        held: &[&str],
        principal: String,
        context: policy::Context,
    ) -> (policy::Response, routes::Verdict) {
        let config = &self.config;
        let (rules, unlisted) = (&config.route_rules, config.unlisted_routes);
        let holds = |rule: &routes::RouteRule| claims::holds_all(held, &rule.scopes);
        let has_scopes = claims::holds_all(held, &config.required_scopes);
        let simple = event.kind == EventKind::HttpV2 && config.http_api_response == HttpApiResponse::Simple;
        let verdict = if !has_scopes {
            routes::Verdict::MissingScope
        } else if simple {
            // API Gateway caches a simple response per route key (README: add
            // `$context.routeKey` to the identity sources when caching).
            routes::for_route_key(rules, unlisted, event.route_key.as_deref().unwrap_or("$default"), &holds)
        } else {
            routes::for_request(rules, unlisted, arn.verb, arn.path, &holds)
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
            PolicyResource::Stage if !has_scopes => policy::Statements::deny(arn.stage_wide()),
            PolicyResource::Stage if rules.is_empty() => policy::Statements::allow(arn.stage_wide()),
            PolicyResource::Stage => policy::rule_statements(arn, rules, unlisted, &holds),
        };
        (policy::Response::Policy { principal_id: principal, statements, context }, verdict)
    }
}

/// How many keys one signature is checked against at most (keys sharing a `kid`).
pub const MAX_KEYS_TRIED: usize = 4;
