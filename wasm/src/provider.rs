//! Which code checks signatures in a session: the module's own pure-Rust provider (the default
//! in every host), or the host's native one through the imported `hostVerify` (`node:crypto` in
//! JavaScript, native Rust in the wasmtime host). The core does everything else either way.

use jwtgate_core::{Algorithm, CryptoProvider, Jwk, PureRust};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/host-provider.js")]
extern "C" {
    /// Imported as `__wbg_hostVerify_*` from the glue module; see ABI.md.
    #[wasm_bindgen(js_name = hostVerify)]
    fn host_verify(alg: &str, public_jwk: &str, message: &[u8], signature: &[u8]) -> bool;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionProvider {
    PureRust,
    Host,
}

impl SessionProvider {
    /// `0` pure Rust, `1` host; anything else is not a provider.
    pub fn from_code(code: u32) -> Option<SessionProvider> {
        match code {
            0 => Some(SessionProvider::PureRust),
            1 => Some(SessionProvider::Host),
            _ => None,
        }
    }
}

impl CryptoProvider for SessionProvider {
    fn verify(&self, alg: Algorithm, key: &Jwk, message: &[u8], signature: &[u8]) -> bool {
        match self {
            SessionProvider::PureRust => PureRust.verify(alg, key, message, signature),
            SessionProvider::Host => host_verify(alg.name(), &key.public_jwk, message, signature),
        }
    }
}
