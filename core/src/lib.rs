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
//!
//! A decision's walk, one module per rule: [`event`] reads the event and [`token_source`] the
//! token in it; [`verifier`] parses the token ([`token`]), picks the issuer's [`profile`] by
//! `iss`, selects the keys ([`key_selection`]) and asks a [`CryptoProvider`] ([`crypto`]);
//! [`claims`], [`binding`] and [`claim_rule`] check what the token says; [`policy`] builds the
//! answer the [`routes`] rules allow, and [`context`] fills what room it leaves.

// A refusal (`Failure`) carries the token's header and claims for the decision's log line, so
// it is larger than clippy's default; it is made once per decision, not in a loop.
#![allow(clippy::result_large_err)]
// `unsafe` only in the wasm32 SIMD kernels (`simd`, one module each, which allow it): see
// simd/mod.rs and tests/unsafe_confined.rs.
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]
// Every public item says what it is (`cargo doc` warns otherwise; `make lint` denies it).
#![warn(missing_docs)]

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
pub mod key_selection;
pub mod keys;
pub mod known_answers;
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
pub mod verifier;

pub use alg::Algorithm;
pub use config::{Config, ConfigError};
pub use crypto::{CryptoProvider, ProviderKey, PublicKey, PureRust};
pub use decision::{Decision, LogFields, Outcome};
pub use gate::Gate;
pub use key_cache::{FetchRequest, KeyCache, KeyEvent, Reply};
pub use key_selection::MAX_KEYS_TRIED;
pub use keys::{Jwk, KeySet};
pub use limits::Limits;
pub use policy::Response;
pub use reason::{JwksError, KeyProblem, Reason};
pub use verifier::{Failure, Keys, Verified, Verifier};
