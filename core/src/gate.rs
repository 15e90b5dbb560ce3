//! A verifier and its keys together: what a host holds for one configuration. The host brings
//! events, time and the bytes it fetched; the gate decides, and says what to fetch.

use crate::clock;
use crate::config::Config;
use crate::crypto::{CryptoProvider, PureRust};
use crate::decision::{Decision, LogFields, Outcome};
use crate::key_cache::{FetchRequest, KeyCache, KeyEvent, Reply, Trigger};
use crate::keys::KeySet;
use crate::reason::Reason;
use crate::verifier::{Failure, Keys, Verified, Verifier};

/// The cache's keys as they stand at one moment.
struct KeysAt<'a> {
    cache: &'a KeyCache,
    now_ms: i64,
}

impl Keys for KeysAt<'_> {
    fn of_source(&self, source: usize) -> Option<&KeySet> {
        self.cache.keys(source, self.now_ms)
    }
}

/// A verifier with a key cache. Times are milliseconds since the Unix epoch (decisions use
/// the whole seconds; the cache's budgets and lifetimes the milliseconds).
#[derive(Debug, Clone)]
pub struct Gate<P = PureRust> {
    verifier: Verifier<P>,
    cache: KeyCache,
}

impl Gate<PureRust> {
    /// A gate for `config`, checking signatures with [`PureRust`].
    pub fn new(config: Config) -> Gate<PureRust> {
        Gate::with_provider(config, PureRust)
    }
}

impl<P: CryptoProvider> Gate<P> {
    /// A gate for `config`, checking signatures with `provider`.
    pub fn with_provider(config: Config, provider: P) -> Gate<P> {
        let cache = KeyCache::new(&config);
        Gate { verifier: Verifier::with_provider(config, provider), cache }
    }

    /// The verifier inside.
    pub fn verifier(&self) -> &Verifier<P> {
        &self.verifier
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        self.verifier.config()
    }

    /// The key cache.
    pub fn cache(&self) -> &KeyCache {
        &self.cache
    }

    /// The key cache, to warm it up, tag its keys, or drive its fetches directly.
    pub fn cache_mut(&mut self) -> &mut KeyCache {
        &mut self.cache
    }

    /// Decide an API Gateway authorizer event at `now_ms`. `FetchKeys`: drive the fetches
    /// ([`Gate::next_fetch`], [`Gate::fetched`]) and ask again.
    pub fn authorize(&mut self, event: &[u8], now_ms: i64) -> Decision {
        let Some(now) = seconds(now_ms) else {
            return Decision::unauthorized(Reason::InvalidClock, LogFields::default());
        };
        let decision = self.verifier.authorize(&KeysAt { cache: &self.cache, now_ms }, event, now);
        self.settle(decision, now_ms)
    }

    /// [`Verifier::authorize_token_event`] with the cache's keys.
    pub fn authorize_token_event(&mut self, authorization_token: &str, method_arn: &str, now_ms: i64) -> Decision {
        let Some(now) = seconds(now_ms) else {
            return Decision::unauthorized(Reason::InvalidClock, LogFields::default());
        };
        let decision = self.verifier.authorize_token_event(
            &KeysAt { cache: &self.cache, now_ms },
            authorization_token,
            method_arn,
            now,
        );
        self.settle(decision, now_ms)
    }

    /// Verify a bare token at `now_ms`. A failure comes with whether to fetch keys (drive the
    /// fetches and verify again), as `FetchKeys` does for a decision.
    pub fn verify(&mut self, token: &str, now_ms: i64) -> Result<Verified, (Failure, bool)> {
        let Some(now) = seconds(now_ms) else { return Err((Reason::InvalidClock.into(), false)) };
        self.verifier.verify(&KeysAt { cache: &self.cache, now_ms }, token, now).map_err(|failure| {
            let fetch = self.wants_keys(failure.reason, failure.key_source, now_ms);
            (failure, fetch)
        })
    }

    /// The next request for the host (see [`KeyCache::next_fetch`]).
    pub fn next_fetch(&mut self, now_ms: i64) -> Option<FetchRequest> {
        self.cache.next_fetch(now_ms)
    }

    /// What the host got for request `id` (see [`KeyCache::fetched`]).
    pub fn fetched(&mut self, id: u64, now_ms: i64, reply: Reply<'_>) -> KeyEvent {
        self.cache.fetched(id, now_ms, reply)
    }

    /// A refusal for want of keys becomes `FetchKeys` when the cache's rules allow a fetch now.
    fn settle(&mut self, mut decision: Decision, now_ms: i64) -> Decision {
        if let Some(reason) = decision.reason
            && self.wants_keys(reason, decision.log.key_source, now_ms)
        {
            decision.outcome = Outcome::FetchKeys;
        }
        decision
    }

    fn wants_keys(&mut self, reason: Reason, source: Option<usize>, now_ms: i64) -> bool {
        let Some(source) = source else { return false };
        let trigger = match reason {
            Reason::UnknownKid => Trigger::UnknownKid,
            Reason::JwksUnavailable if self.cache.has_keys(source) => Trigger::Expired,
            Reason::JwksUnavailable => Trigger::Initial,
            _ => return false,
        };
        self.cache.want(source, now_ms, trigger)
    }
}

/// The whole seconds of `now_ms`, when they are a time the core decides at.
fn seconds(now_ms: i64) -> Option<i64> {
    clock::whole(now_ms.div_euclid(1000))
}
