//! The verifier: one configuration's checks of a token and the decision for an authorizer
//! event, given the keys and the time. [`Gate`](crate::Gate) adds the key cache around it.

use crate::alg::Algorithm;
use crate::config::Config;
use crate::crypto::{CryptoProvider, PureRust};
use crate::decision::{Decision, LogFields, Outcome};
use crate::event::{self, EventKind};
use crate::json::{Json, Object};
use crate::keys::KeySet;
use crate::policy::{self, ExecuteApiArn};
use crate::profile::{Held, Profile};
use crate::reason::{JwksError, Reason};
use crate::token::{self, Header};
use crate::{binding, claims, clock, context, key_selection, routes, token_source};

/// A token whose signature and claims passed every configured rule.
#[derive(Debug, Clone)]
pub struct Verified {
    /// The token's protected header.
    pub header: Header,
    /// The claims as the token carries them: JSON text, checked strictly (unique names).
    pub claims: String,
}

/// Why a token failed, with what was learnt before it failed (for logs and Deny policies).
#[derive(Debug, Clone)]
pub struct Failure {
    /// Why it failed.
    pub reason: Reason,
    /// The header, when the token got as far as having one read.
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
    /// A verifier for `config`, checking signatures with [`PureRust`].
    pub fn new(config: Config) -> Verifier<PureRust> {
        Verifier { config, provider: PureRust }
    }
}

impl<P: CryptoProvider> Verifier<P> {
    /// A verifier for `config`, checking signatures with `provider`.
    pub fn with_provider(config: Config, provider: P) -> Verifier<P> {
        Verifier { config, provider }
    }

    /// The signature provider.
    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// The configuration.
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
        key_selection::check_signature(&self.provider, keys, &jws.header, jws.signing_input, &jws.signature)
            .map_err(&mut fail)?;
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

    /// Select the key for (`alg`, `kid`) and check `signature` over `message` with it, as
    /// [`key_selection`] says: the signature step of [`Verifier::verify`], exposed so raw
    /// signature vectors can be run through exactly the code path a token takes.
    pub fn check_signature(
        &self,
        keys: &KeySet,
        alg: Algorithm,
        kid: Option<&str>,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Reason> {
        let header = Header { alg, kid: kid.map(str::to_owned), typ: None, thumbprint: None };
        key_selection::check_signature(&self.provider, keys, &header, message, signature)
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

    fn decide<K: Keys + ?Sized>(&self, keys: &K, event: event::AuthEvent<'_>, now: i64) -> Decision {
        let mut log = LogFields { event: Some(event.kind), ..LogFields::default() };
        let Some(arn) = ExecuteApiArn::parse(&event.arn) else {
            return Decision::unauthorized(Reason::InvalidEvent, log);
        };
        if !self.config.policy_settings().names_exactly(event.kind, &arn) {
            // No policy can say what the rules decided (see `names_exactly`).
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
                // `claims::check` refused a token without a string `sub`.
                let principal = log.sub.clone().unwrap_or_default();
                let (response, verdict) =
                    policy::respond(self.config.policy_settings(), &event, &arn, claims, profile, held, principal);
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
}
