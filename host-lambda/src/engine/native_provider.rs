//! The host's native signature provider (`Signatures::Host`, the setting `SIGNATURES=host`): the module's `hostVerify`
//! import, answered by this host's native build of the core's pure-Rust provider, with the
//! keys it has parsed kept for the instance's life.

use super::abi::HostState;
use jwtgate_core::{Algorithm, CryptoProvider, Jwk, Limits as CoreLimits, PureRust};
use std::collections::HashMap;
use wasmtime::Caller;

/// A JWKS holds at most a few hundred keys; past this many, all are forgotten rather than
/// grow without bound.
const MAX_KEYS: usize = 1024;

/// Keys the native provider has prepared, by the id the module gives each key (the bits of
/// the float). It lives in the store, exactly as long as its instance, whose ids never repeat.
#[derive(Default)]
pub(super) struct NativeKeys(HashMap<u64, Option<Jwk>>);

/// The module's `hostVerify(alg, key_id, public_jwk, message, signature)`: the algorithm's
/// code (`Algorithm::code`), the key's id (one id is one key for the instance's life, so the
/// parsed key is kept by id) and (pointer, length) pairs into its memory; 1 if the signature
/// verifies. Anything out of bounds or unparsable is a refusal, never a trap: the module
/// decides `bad_signature`.
#[allow(clippy::too_many_arguments)]
pub(super) fn native_verify(
    mut caller: Caller<'_, HostState>,
    alg_code: i32,
    key_id: f64,
    jwk_ptr: i32,
    jwk_len: i32,
    msg_ptr: i32,
    msg_len: i32,
    sig_ptr: i32,
    sig_len: i32,
) -> i32 {
    let Some(wasmtime::Extern::Memory(memory)) = caller.get_export("memory") else { return 0 };
    let (data, state) = memory.data_and_store_mut(&mut caller);
    let slice =
        |ptr: i32, len: i32| data.get(ptr as u32 as usize..(ptr as u32 as usize).checked_add(len as u32 as usize)?);
    let (Some(jwk), Some(message), Some(signature)) =
        (slice(jwk_ptr, jwk_len), slice(msg_ptr, msg_len), slice(sig_ptr, sig_len))
    else {
        return 0;
    };
    let Some(alg) = Algorithm::from_code(alg_code as u32) else { return 0 };
    let load = || Jwk::from_text(jwk, &CoreLimits::default()).ok();
    let check = |key: &Option<Jwk>| {
        key.as_ref().is_some_and(|key| key.fits(alg) && PureRust.verify(alg, key.provider_key(), message, signature))
    };
    // Id 0: a key the module did not tag; nothing to keep it by.
    if key_id == 0.0 {
        return check(&load()) as i32;
    }
    let id = key_id.to_bits();
    let keys = &mut state.native_keys.0;
    if keys.len() >= MAX_KEYS && !keys.contains_key(&id) {
        keys.clear();
    }
    check(keys.entry(id).or_insert_with(load)) as i32
}
