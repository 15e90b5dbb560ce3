//! The key sets of every issuer, kept fresh without any I/O (sans-I/O, like rustls's
//! connection state): the cache says what the host must fetch and when, the host performs
//! exactly that request and hands back what it got with the time, and every rule about keys
//! lives here once, for every host:
//!
//! - **Lifetime**: a key set is kept for its `Cache-Control: max-age` (`no-store` and `no-cache`
//!   count as 0), clamped to `jwks_cache_min_seconds..=jwks_cache_max_seconds`; without a
//!   max-age, [`DEFAULT_LIFETIME_SECONDS`] clamped the same way. Expired keys are refetched
//!   before the next decision that needs them; if that fails, the last good keys decide.
//! - **Answers**: only HTTP 200 is a key set. A 3xx with `Location` is followed, at most
//!   [`MAX_REDIRECTS`] hops, each target checked by the URL rule (`url::check_url`) before it
//!   is contacted. Anything else fails the fetch.
//! - **One budget**: a fetch round (discovery, the key set and redirects) has
//!   `jwks_timeout_ms` in all; each request gets what is left of it.
//! - **Failures** keep the last good keys; the next attempt waits the cooldown
//!   (`jwks_refresh_cooldown_seconds`) when keys are kept, [`RETRY_WITHOUT_KEYS_MS`] when none.
//! - **Unknown `kid`** (the penalty box): a refetch only when no fetch of that source started
//!   within the cooldown; otherwise the token is refused (`unknown_kid`).
//! - **Discovery**: the issuer's OpenID configuration must name exactly the configured issuer
//!   (OpenID Connect Discovery 1.0 section 4.3), and its `jwks_uri` must pass the URL rule.
//! - **Static keys** (inline) serve from the start and never expire; a JWKS file is read once,
//!   when first needed. Either may have a URL too, fetched for an unknown `kid`; the set it
//!   brings then replaces them, with its own lifetime.
//! - **A lost request** (no reply by [`ABANDONED_AFTER_MS`] after its round's deadline) is given
//!   up as a failed round, so a host's lost reply never holds an issuer's keys back.
//! - **Isolation**: each key source has its own state; one failing never touches another.

use crate::config::{CacheRules, Config};
use crate::json::{self, Json};
use crate::json_text::{self, ArrayText, ObjectText, decimal};
use crate::keys::KeySet;
use crate::limits::Limits;
use crate::profile::KeySource;
use crate::url;

/// Without keys, the next attempt after a failure waits this long (with keys: the cooldown).
pub const RETRY_WITHOUT_KEYS_MS: i64 = 1_000;
/// The most redirects one request follows.
pub const MAX_REDIRECTS: u32 = 3;
/// A key set's lifetime when its answer gives no `max-age` (clamped to the configured bounds).
pub const DEFAULT_LIFETIME_SECONDS: u64 = 600;
/// A request still unanswered this long after its round's deadline is given up (a host that
/// lost it must not hold its issuer's keys back for ever): the round fails, and the usual
/// retry rule applies.
pub const ABANDONED_AFTER_MS: i64 = 1_000;

/// Why a fetch round started (logged).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// The source has never had keys (a first decision, or [`KeyCache::warm_up`]).
    Initial,
    /// The source's keys expired.
    Expired,
    /// A token named a `kid` the keys lack (allowed once per cooldown).
    UnknownKid,
}

impl Trigger {
    /// The log line's `trigger`.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::Initial => "initial",
            Trigger::Expired => "expired",
            Trigger::UnknownKid => "unknown_kid",
        }
    }
}

/// What a request fetches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchKind {
    /// The issuer's OpenID configuration (HTTP GET).
    Discovery,
    /// A key set (HTTP GET).
    Jwks,
    /// A key set file of the deployment (the host reads it).
    File,
}

impl FetchKind {
    /// The request's `kind` as hosts read it.
    pub fn name(self) -> &'static str {
        match self {
            FetchKind::Discovery => "discovery",
            FetchKind::Jwks => "jwks",
            FetchKind::File => "file",
        }
    }
}

/// What the host must do now: GET `url` without following redirects (or read the file it names),
/// answering within `timeout_ms` and reading at most `max_bytes` of body (a declared length over
/// it fails at once), then report with [`KeyCache::fetched`] under `id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRequest {
    /// Names the request in [`KeyCache::fetched`]; a reply under an old id is ignored.
    pub id: u64,
    /// What is fetched: discovery, a key set, or a file.
    pub kind: FetchKind,
    /// The `https` URL (or loopback `http` when allowed) to GET, or the file's path.
    pub url: String,
    /// What is left of the round's `jwks_timeout_ms` budget (at least 1).
    pub timeout_ms: u64,
    /// `limits.max_jwks_bytes`: the most body bytes to read.
    pub max_bytes: usize,
}

impl FetchRequest {
    /// The request as JSON (`id`, `kind`, `max_bytes`, `timeout_ms`, `url`), as it crosses
    /// the wasm boundary.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut doc = ObjectText::new(out);
        doc.number("id", self.id);
        doc.string("kind", self.kind.name());
        doc.number("max_bytes", self.max_bytes as u64);
        doc.number("timeout_ms", self.timeout_ms);
        doc.string("url", &self.url);
        doc.end();
    }
}

/// What a host could not do; the host's own words go in the log line's `error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HostFailure {
    /// No connection, a TLS or protocol error, or a file that cannot be read.
    Network,
    /// No complete answer within the request's `timeout_ms`.
    Timeout,
    /// More than `max_bytes` of body.
    TooLarge,
}

impl HostFailure {
    /// The names hosts give each failure across the wasm boundary.
    pub const NAMES: [(&'static str, HostFailure); 3] =
        [("network", HostFailure::Network), ("timeout", HostFailure::Timeout), ("too_large", HostFailure::TooLarge)];

    /// The failure a host names, if it is one of [`HostFailure::NAMES`].
    pub fn from_name(name: &str) -> Option<HostFailure> {
        HostFailure::NAMES.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
    }
}

/// What the host got for a request.
#[derive(Clone, Copy, Debug)]
pub enum Reply<'a> {
    /// An HTTP answer (a file read is status 200), with its `Location` and `Cache-Control`.
    Answer {
        /// The HTTP status.
        status: u16,
        /// The `Location` header, followed for a 3xx.
        location: Option<&'a str>,
        /// The `Cache-Control` header, whose `max-age` sets the keys' lifetime.
        cache_control: Option<&'a str>,
        /// The body, at most the request's `max_bytes`.
        body: &'a [u8],
    },
    /// No answer: the round fails.
    Failed {
        /// What went wrong.
        failure: HostFailure,
        /// The host's own words, logged as `error`.
        detail: &'a str,
    },
}

/// Why a fetch round failed: the log line's `failure`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchFailure {
    /// `network`: the host could not connect, talk TLS or HTTP, or read the file.
    Network,
    /// `timeout`: the host timed out, or the reply came after the round's deadline.
    Timeout,
    /// `too_large`: the body is over `limits.max_jwks_bytes` (host or core found it).
    TooLarge,
    /// `http_status`: not 200, a 3xx without `Location`, or more than [`MAX_REDIRECTS`].
    HttpStatus,
    /// `insecure_url`: a redirect target or a discovered `jwks_uri` fails the URL rule
    /// (`url::check_url`).
    InsecureUrl,
    /// `discovery_invalid`: the OpenID configuration is not a JSON object, names another
    /// issuer, or has no `jwks_uri` string.
    DiscoveryInvalid,
    /// `jwks_invalid`: the key set document is refused as a whole (its
    /// [`JwksError`](crate::JwksError) code is the `error`).
    JwksInvalid,
}

impl FetchFailure {
    /// The log line's `failure`.
    pub fn code(self) -> &'static str {
        match self {
            FetchFailure::Network => "network",
            FetchFailure::Timeout => "timeout",
            FetchFailure::TooLarge => "too_large",
            FetchFailure::HttpStatus => "http_status",
            FetchFailure::InsecureUrl => "insecure_url",
            FetchFailure::DiscoveryInvalid => "discovery_invalid",
            FetchFailure::JwksInvalid => "jwks_invalid",
        }
    }
}

impl From<HostFailure> for FetchFailure {
    fn from(f: HostFailure) -> FetchFailure {
        match f {
            HostFailure::Network => FetchFailure::Network,
            HostFailure::Timeout => FetchFailure::Timeout,
            HostFailure::TooLarge => FetchFailure::TooLarge,
        }
    }
}

/// What a reply did, with the log line the host writes for it (JSON; none while a round goes on).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyEvent {
    /// The round goes on (a redirect, or discovery done): ask [`KeyCache::next_fetch`] again.
    /// Also the answer to a reply under an id that is no longer awaited.
    Continue,
    /// The round loaded a key set, which replaces the source's keys.
    Loaded {
        /// The `keys loaded` log line (`warn` when some keys were refused).
        log: String,
    },
    /// The round failed; the source keeps its last good keys.
    Failed {
        /// Why.
        failure: FetchFailure,
        /// The `keys fetch failed` log line.
        log: String,
    },
}

impl KeyEvent {
    /// The log line to write, if any.
    pub fn log(&self) -> Option<&str> {
        match self {
            KeyEvent::Continue => None,
            KeyEvent::Loaded { log } | KeyEvent::Failed { log, .. } => Some(log),
        }
    }
}

/// One fetch round of a source: its current request.
#[derive(Clone, Debug)]
struct Round {
    id: u64,
    trigger: Trigger,
    deadline: i64,
    kind: FetchKind,
    url: String,
    hops: u32,
    /// The request is with the host (else the next one is due from `next_fetch`).
    in_flight: bool,
}

#[derive(Clone, Debug)]
struct Source {
    origin: KeySource,
    keys: KeySet,
    loaded: bool,
    /// Milliseconds; `None`: never (static keys, a file).
    expires_at: Option<i64>,
    /// No scheduled fetch before this time (after a failure, or until expiry).
    retry_at: i64,
    /// When the last round started: the penalty box for unknown `kid`s.
    last_fetch: Option<i64>,
    discovered: Option<String>,
    wanted: Option<Trigger>,
    round: Option<Round>,
}

impl Source {
    /// Whether a fetch could bring keys (a file is read only until it has been).
    fn can_fetch(&self) -> bool {
        self.origin.jwks_uri.is_some()
            || self.origin.discovery.is_some()
            || (self.origin.file.is_some() && !self.loaded)
    }
}

/// Every key source's state.
#[derive(Clone, Debug)]
pub struct KeyCache {
    sources: Vec<Source>,
    rules: CacheRules,
    limits: Limits,
    next_id: u64,
    /// Gives each loaded key its host tag (see `KeySet::tag_keys`).
    tagger: Option<fn() -> u64>,
}

impl KeyCache {
    /// One state per key source of `config`: inline keys serve at once; nothing is fetched
    /// until a decision or [`KeyCache::warm_up`] asks.
    pub fn new(config: &Config) -> KeyCache {
        let sources = config
            .sources
            .iter()
            .map(|origin| Source {
                // Parsed and checked by `Config::new`; copied (the cache tags its own keys), not
                // parsed again.
                keys: origin.inline.as_ref().map(|inline| KeySet::clone(&inline.keys)).unwrap_or_default(),
                loaded: origin.inline.is_some(),
                origin: origin.clone(),
                expires_at: None,
                retry_at: 0,
                last_fetch: None,
                discovered: None,
                wanted: None,
                round: None,
            })
            .collect();
        KeyCache { sources, rules: config.cache.clone(), limits: config.limits.clone(), next_id: 1, tagger: None }
    }

    /// Tag every key, those loaded now and later, with numbers from `next`.
    pub fn tag_keys_with(&mut self, next: fn() -> u64) {
        self.tagger = Some(next);
        for source in &mut self.sources {
            source.keys.tag_keys(next);
        }
    }

    /// The keys of `source` usable at `now_ms`: fresh ones, or expired ones while no fetch is
    /// due (a failed refetch keeps them). `None`: none yet, or expired and due for a fetch.
    pub fn keys(&self, source: usize, now_ms: i64) -> Option<&KeySet> {
        let s = self.sources.get(source)?;
        let usable = s.loaded && (s.expires_at.is_none_or(|at| now_ms < at) || now_ms < s.retry_at);
        usable.then_some(&s.keys)
    }

    /// Whether `source` has ever had keys.
    pub fn has_keys(&self, source: usize) -> bool {
        self.sources.get(source).is_some_and(|s| s.loaded)
    }

    /// Ask for a fetch of `source`. True when one is queued or under way: the host drives
    /// [`KeyCache::next_fetch`] and decides again. False when the rules allow none now.
    pub fn want(&mut self, source: usize, now_ms: i64, trigger: Trigger) -> bool {
        let cooldown = self.cooldown_ms();
        let Some(s) = self.sources.get_mut(source) else { return false };
        if s.round.as_ref().is_some_and(|r| now_ms > r.deadline.saturating_add(ABANDONED_AFTER_MS)) {
            s.round = None;
            s.retry_at = now_ms.saturating_add(if s.loaded { cooldown } else { RETRY_WITHOUT_KEYS_MS });
        }
        if s.round.is_some() || s.wanted.is_some() {
            return true;
        }
        if !s.can_fetch() {
            return false;
        }
        let allowed = match trigger {
            Trigger::UnknownKid => s.last_fetch.is_none_or(|at| now_ms >= at.saturating_add(cooldown)),
            Trigger::Initial | Trigger::Expired => now_ms >= s.retry_at,
        };
        if allowed {
            s.wanted = Some(trigger);
        }
        allowed
    }

    /// Queue the first fetch of every source without keys (a host's start-up).
    pub fn warm_up(&mut self, now_ms: i64) {
        for source in 0..self.sources.len() {
            if !self.sources[source].loaded {
                self.want(source, now_ms, Trigger::Initial);
            }
        }
    }

    /// Whether a fetch is queued or with the host.
    pub fn busy(&self) -> bool {
        self.sources.iter().any(|s| s.wanted.is_some() || s.round.is_some())
    }

    /// The next request for the host, if one is due. Call until `None`; requests of different
    /// sources may run at the same time.
    pub fn next_fetch(&mut self, now_ms: i64) -> Option<FetchRequest> {
        let (budget, max_bytes) = (self.rules.jwks_timeout_ms, self.limits.max_jwks_bytes);
        for s in &mut self.sources {
            if s.round.is_none()
                && let Some(trigger) = s.wanted.take()
            {
                let (kind, url) = match (&s.origin.file, &s.origin.jwks_uri, &s.discovered, &s.origin.discovery) {
                    (Some(file), ..) if !s.loaded => (FetchKind::File, file.clone()),
                    (_, Some(uri), _, _) | (_, None, Some(uri), _) => (FetchKind::Jwks, uri.clone()),
                    (_, None, None, Some(discovery)) => (FetchKind::Discovery, discovery.url.clone()),
                    // `can_fetch` was true when it was wanted.
                    _ => continue,
                };
                s.last_fetch = Some(now_ms);
                let deadline = now_ms.saturating_add(budget as i64);
                self.next_id += 1;
                s.round = Some(Round { id: self.next_id, trigger, deadline, kind, url, hops: 0, in_flight: false });
            }
            if let Some(round) = &mut s.round
                && !round.in_flight
            {
                round.in_flight = true;
                // What is left of the round's budget (at least 1 ms: the host then fails it).
                let timeout_ms = round.deadline.saturating_sub(now_ms).clamp(1, budget as i64) as u64;
                return Some(FetchRequest {
                    id: round.id,
                    kind: round.kind,
                    url: round.url.clone(),
                    timeout_ms,
                    max_bytes,
                });
            }
        }
        None
    }

    /// What the host got for request `id` at `now_ms`.
    pub fn fetched(&mut self, id: u64, now_ms: i64, reply: Reply<'_>) -> KeyEvent {
        let Some(at) = self.sources.iter().position(|s| s.round.as_ref().is_some_and(|r| r.id == id && r.in_flight))
        else {
            return KeyEvent::Continue;
        };
        match self.step(at, now_ms, reply) {
            Ok(None) => KeyEvent::Continue,
            Ok(Some(keys)) => self.load(at, now_ms, keys, reply),
            Err((failure, detail)) => self.fail(at, now_ms, failure, &detail),
        }
    }

    /// Advance source `at`'s round with `reply`: the next request (`None`), the loaded keys,
    /// or why the round failed.
    fn step(&mut self, at: usize, now_ms: i64, reply: Reply<'_>) -> Result<Option<KeySet>, (FetchFailure, String)> {
        let allow_http = self.rules.jwks_allow_http_loopback;
        let limits = self.limits.clone();
        let s = &mut self.sources[at];
        let Some(round) = s.round.as_mut() else { return Ok(None) };
        round.in_flight = false;
        let (status, location, body) = match reply {
            Reply::Failed { failure, detail } => return Err((failure.into(), detail.to_owned())),
            Reply::Answer { status, location, body, .. } => (status, location, body),
        };
        if now_ms > round.deadline {
            return Err((
                FetchFailure::Timeout,
                ["no complete answer within ", &decimal(self.rules.jwks_timeout_ms), " ms"].concat(),
            ));
        }
        if round.kind != FetchKind::File {
            if (300..400).contains(&status) {
                let Some(location) = location else {
                    return Err((
                        FetchFailure::HttpStatus,
                        ["HTTP ", &decimal(status.into()), " without a Location"].concat(),
                    ));
                };
                if round.hops >= MAX_REDIRECTS {
                    return Err((
                        FetchFailure::HttpStatus,
                        ["more than ", &decimal(MAX_REDIRECTS.into()), " redirects"].concat(),
                    ));
                }
                let next = url::resolve(&round.url, location)
                    .ok_or((FetchFailure::InsecureUrl, ["redirect to `", location, "`"].concat()))?;
                url::check_url("redirect", &next, allow_http).map_err(|e| (FetchFailure::InsecureUrl, e.problem))?;
                round.url = next;
                round.hops += 1;
                return Ok(None);
            }
            if status != 200 {
                return Err((FetchFailure::HttpStatus, ["HTTP ", &decimal(status.into())].concat()));
            }
        }
        if body.len() > limits.max_jwks_bytes {
            return Err((
                FetchFailure::TooLarge,
                ["more than ", &decimal(limits.max_jwks_bytes as u64), " bytes"].concat(),
            ));
        }
        if round.kind == FetchKind::Discovery {
            let uri =
                discovered_jwks_uri(body, s.origin.discovery.as_ref().map_or("", |d| d.issuer.as_str()), allow_http)?;
            s.discovered = Some(uri.clone());
            round.kind = FetchKind::Jwks;
            round.url = uri;
            round.hops = 0;
            return Ok(None);
        }
        KeySet::parse(body, &limits).map(Some).map_err(|e| (FetchFailure::JwksInvalid, e.code().to_owned()))
    }

    fn load(&mut self, at: usize, now_ms: i64, mut keys: KeySet, reply: Reply<'_>) -> KeyEvent {
        if let Some(tagger) = self.tagger {
            keys.tag_keys(tagger);
        }
        let rules = &self.rules;
        let s = &mut self.sources[at];
        let Some(round) = s.round.take() else { return KeyEvent::Continue };
        let lifetime = match (round.kind, reply) {
            (FetchKind::File, _) => None,
            (_, Reply::Answer { cache_control, .. }) => Some(
                cache_control
                    .and_then(max_age)
                    .unwrap_or(DEFAULT_LIFETIME_SECONDS)
                    .clamp(rules.jwks_cache_min_seconds, rules.jwks_cache_max_seconds),
            ),
            (_, Reply::Failed { .. }) => None,
        };
        s.expires_at = lifetime.map(|seconds| now_ms.saturating_add(seconds as i64 * 1000));
        s.retry_at = s.expires_at.unwrap_or(now_ms);
        s.loaded = true;
        let log = json_text::object_string(|doc| {
            match lifetime {
                Some(seconds) => doc.number("cache_seconds", seconds),
                None => doc.optional("cache_seconds", None),
            }
            doc.number("keys", keys.keys().len() as u64);
            let mut kids = ArrayText::new(doc.member("kids"));
            for key in keys.keys() {
                let out = kids.item();
                match &key.kid {
                    Some(kid) => json_text::string(out, kid),
                    None => out.extend_from_slice(b"null"),
                }
            }
            kids.end();
            doc.string("level", if keys.refused().is_empty() { "info" } else { "warn" });
            doc.string("msg", "keys loaded");
            let mut refused = ArrayText::new(doc.member("refused"));
            for r in keys.refused() {
                let mut entry = ObjectText::new(refused.item());
                entry.number("index", r.index as u64);
                entry.optional("kid", r.kid.as_deref());
                entry.string("problem", r.problem.code());
                entry.end();
            }
            refused.end();
            doc.string("trigger", round.trigger.name());
            doc.string("url", &round.url);
        });
        s.keys = keys;
        KeyEvent::Loaded { log }
    }

    fn fail(&mut self, at: usize, now_ms: i64, failure: FetchFailure, detail: &str) -> KeyEvent {
        let cooldown = self.cooldown_ms();
        let s = &mut self.sources[at];
        let Some(round) = s.round.take() else { return KeyEvent::Continue };
        s.retry_at = now_ms.saturating_add(if s.loaded { cooldown } else { RETRY_WITHOUT_KEYS_MS });
        // A discovered key set that could not be had is looked for again the next time: the
        // issuer may have moved its `jwks_uri` (OpenID Connect Discovery 1.0 section 4: the
        // document is where the URL is published).
        if s.origin.jwks_uri.is_none() {
            s.discovered = None;
        }
        let log = json_text::object_string(|doc| {
            doc.string("error", detail);
            doc.string("failure", failure.code());
            doc.bool("kept_last_good_keys", s.loaded);
            doc.string("level", "warn");
            doc.string("msg", "keys fetch failed");
            doc.string("trigger", round.trigger.name());
            doc.string("url", &round.url);
        });
        KeyEvent::Failed { failure, log }
    }

    fn cooldown_ms(&self) -> i64 {
        self.rules.jwks_refresh_cooldown_seconds as i64 * 1000
    }
}

/// The `jwks_uri` of an OpenID configuration document that names `issuer` exactly.
fn discovered_jwks_uri(body: &[u8], issuer: &str, allow_http: bool) -> Result<String, (FetchFailure, String)> {
    let invalid = |why: String| (FetchFailure::DiscoveryInvalid, why);
    let doc = json::read_object(body).map_err(|_| invalid("not a JSON object".to_owned()))?;
    match doc.get("issuer") {
        Some(Json::Str(named)) if named == issuer => {}
        Some(Json::Str(named)) => return Err(invalid(["names issuer `", named, "`, not `", issuer, "`"].concat())),
        _ => return Err(invalid("no issuer".to_owned())),
    }
    let Some(Json::Str(uri)) = doc.get("jwks_uri") else {
        return Err(invalid("no jwks_uri".to_owned()));
    };
    url::check_url("jwks_uri", uri, allow_http).map_err(|e| (FetchFailure::InsecureUrl, e.problem))?;
    Ok(uri.as_ref().to_owned())
}

/// `max-age` from a `Cache-Control` value (RFC 9111 section 5.2.2.1); `no-store` and
/// `no-cache` mean 0. Directive names are case-insensitive; a value may be quoted; a malformed
/// value is ignored; a value too large to hold is 2^31 (RFC 9111 section 1.2.2).
pub fn max_age(cache_control: &str) -> Option<u64> {
    let mut age = None;
    for directive in cache_control.split(',').map(str::trim) {
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        let name = name.trim();
        if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
            return Some(0);
        }
        if name.eq_ignore_ascii_case("max-age") && age.is_none() {
            let value = value.trim();
            let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
            age = match json::whole_number(value) {
                Some(seconds) => Some(seconds),
                None if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => Some(1 << 31),
                None => None,
            };
        }
    }
    age
}
