//! Which code checks signatures in a session (the setting `SIGNATURES`): `host` (the default),
//! the host's native provider through the imported `hostVerify` (`node:crypto` in JavaScript,
//! native Rust in the wasmtime host), each algorithm first checked against known answers
//! (`jwtgate_core::known_answers`); or `wasm`, the module's own pure-Rust provider. The core
//! does everything else either way.

use jwtgate_core::known_answers;
use jwtgate_core::{Algorithm, CryptoProvider, ProviderKey, PureRust};
use std::cell::Cell;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/host-provider.js")]
extern "C" {
    /// Imported as `__wbg_hostVerify_*` from the glue module; see ABI.md.
    #[wasm_bindgen(js_name = hostVerify)]
    fn host_verify(alg: u32, key_id: f64, public_jwk: &[u8], message: &[u8], signature: &[u8]) -> bool;

    /// Imported as `hostVerifierGeneration` from the snippet module `./snippets/<crate>/js/
    /// host-provider.js` (no glue shim: nothing to convert): a number that changes whenever the host's
    /// verifier does (JavaScript: each `setHostVerifier` with another function; wasmtime: a
    /// constant, its provider never changes within an instance).
    #[wasm_bindgen(js_name = hostVerifierGeneration)]
    fn host_verifier_generation() -> u32;
}

/// Who checks signatures, named as the setting `SIGNATURES` names it (`jwtgate_core::env::
/// Signatures`; core/tests/lists_across_languages.rs holds the names together).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signatures {
    /// `wasm`: the module's own pure-Rust provider (the core's `PureRust`).
    Wasm,
    /// `host`: the host's provider, through the imported `hostVerify`.
    Host,
}

impl Signatures {
    /// The ABI's provider code (ABI.md): `0` wasm, `1` host; anything else is not a provider.
    pub fn from_code(code: u32) -> Option<Signatures> {
        match code {
            0 => Some(Signatures::Wasm),
            1 => Some(Signatures::Host),
            _ => None,
        }
    }
}

/// Which algorithms' known answers the host's current verifier gave or failed, one bit per
/// `Algorithm::code`: asked once per verifier, not once per session (a host that makes a
/// session per call, like `verifyWithKeys`, pays for them once).
#[derive(Clone, Copy, Default)]
struct KnownAnswers {
    generation: u32,
    given: u32,
    failed: u32,
}

thread_local! {
    static KNOWN_ANSWERS: Cell<KnownAnswers> = Cell::new(KnownAnswers::default());
    /// The next key id. Shared by every session and never reset, so an id names one key for
    /// the instance's life.
    static NEXT_KEY_ID: Cell<u64> = const { Cell::new(1) };
}

/// A new key id for `hostVerify` (1, 2, ...; below 2^53, so JavaScript receives it exactly):
/// the host keeps its prepared key by this number instead of decoding and hashing the public
/// JWK text on every check. Sessions tag each key set with these before using it.
pub fn next_key_id() -> u64 {
    NEXT_KEY_ID.with(|next| next.replace(next.get() + 1))
}

/// A session's provider as configured: the one chosen, except for the algorithms whose known
/// answers the host's provider did not give, which the module's own code checks.
#[derive(Clone, Copy, Debug)]
pub struct CheckedProvider {
    chosen: Signatures,
    /// One bit per `Algorithm::code`: checked by the module's own code whatever was chosen.
    own: u32,
}

impl CheckedProvider {
    /// `chosen` for `algorithms` (the configuration's): the host's provider is asked for each
    /// algorithm's known answers first, and is not used for an algorithm it gets wrong.
    pub fn check(chosen: Signatures, algorithms: &[Algorithm]) -> CheckedProvider {
        if chosen == Signatures::Wasm {
            return CheckedProvider { chosen, own: 0 };
        }
        let generation = host_verifier_generation();
        let mut known = KNOWN_ANSWERS.get();
        if known.generation != generation {
            known = KnownAnswers { generation, ..KnownAnswers::default() };
        }
        let mut own = 0;
        for &alg in algorithms {
            let bit = 1 << alg.code();
            if (known.given | known.failed) & bit == 0 {
                if known_answers::holds(&chosen, alg) {
                    known.given |= bit;
                } else {
                    known.failed |= bit;
                }
            }
            own |= known.failed & bit;
        }
        KNOWN_ANSWERS.set(known);
        CheckedProvider { chosen, own }
    }

    /// The algorithms the host's provider failed: checked by the module's own code.
    pub fn failed(&self) -> impl Iterator<Item = Algorithm> + '_ {
        Algorithm::ALL.iter().copied().filter(|alg| self.own & 1 << alg.code() != 0)
    }
}

impl CryptoProvider for CheckedProvider {
    fn verify(&self, alg: Algorithm, key: ProviderKey<'_>, message: &[u8], signature: &[u8]) -> bool {
        if self.own & 1 << alg.code() != 0 {
            return PureRust.verify(alg, key, message, signature);
        }
        self.chosen.verify(alg, key, message, signature)
    }
}

impl CryptoProvider for Signatures {
    fn verify(&self, alg: Algorithm, key: ProviderKey<'_>, message: &[u8], signature: &[u8]) -> bool {
        match self {
            Signatures::Wasm => PureRust.verify(alg, key, message, signature),
            // An untagged key (0) is passed as such; the host then goes by the JWK text.
            Signatures::Host => {
                host_verify(alg.code(), key.host_tag as f64, key.public_jwk.as_bytes(), message, signature)
            }
        }
    }
}
