//! The module's C ABI (wasm/ABI.md) from the host's side: one instance and its typed exports,
//! inputs copied in, calls made, output documents copied out, and the linker answering the
//! module's imports.

use super::native_provider::{NativeKeys, native_verify};
use super::{EngineError, Limits, SettingsInput, Signatures};
use serde_json::Value;
use wasmtime::{InstancePre, Linker, Memory, Module, Store, StoreLimits, StoreLimitsBuilder, TypedFunc};

/// The import module name wasm-bindgen gives its JavaScript glue.
const GLUE_MODULE: &str = "./jwtgate_wasm_bg.js";

/// One call into the module, with its scalar arguments.
#[derive(Clone, Copy)]
pub(super) enum Call {
    Configure(Signatures),
    ConfigureFromSettings(Signatures),
    Authorize(i64),
    SettingsFromEnv,
    WarmUp(i64),
    NextFetch(i64),
    Fetched(i64),
}

impl Call {
    pub(super) fn name(self) -> &'static str {
        match self {
            Call::Configure(_) => "jwtgate_configure_with_provider",
            Call::ConfigureFromSettings(_) => "jwtgate_configure_from_settings",
            Call::Authorize(_) => "jwtgate_authorize",
            Call::SettingsFromEnv => "jwtgate_settings_from_env",
            Call::WarmUp(_) => "jwtgate_warm_up",
            Call::NextFetch(_) => "jwtgate_next_fetch",
            Call::Fetched(_) => "jwtgate_fetched",
        }
    }
}

/// What the store holds beside the instance.
pub(super) struct HostState {
    limits: StoreLimits,
    pub(super) native_keys: NativeKeys,
}

/// One live instance and its typed exports.
pub(super) struct Live {
    store: Store<HostState>,
    memory: Memory,
    alloc: TypedFunc<i32, i32>,
    free: TypedFunc<(i32, i32), ()>,
    output_ptr: TypedFunc<(), i32>,
    output_len: TypedFunc<(), i32>,
    configure: TypedFunc<(i32, i32, i32), i32>,
    configure_from_settings: TypedFunc<i32, i32>,
    authorize: TypedFunc<(i32, i32, i64), i32>,
    settings_from_env: TypedFunc<(i32, i32, i32, i32), i32>,
    warm_up: TypedFunc<i64, i32>,
    next_fetch: TypedFunc<i64, i32>,
    fetched: TypedFunc<(i32, i32, i32, i32, i64), i32>,
    /// The settings this instance last accepted (`jwtgate_settings_from_env` answered 0) while
    /// it keeps their configuration for `jwtgate_configure_from_settings` (which takes it); the
    /// instance's state, so a fresh instance has none.
    pub(super) validated: Option<SettingsInput>,
}

/// Either a trap (the instance is unusable) or an ABI violation.
pub(super) enum CallError {
    Trap(String),
    Abi(String),
}

impl Live {
    pub(super) fn new(
        engine: &wasmtime::Engine,
        pre: &InstancePre<HostState>,
        limits: &Limits,
    ) -> Result<Live, EngineError> {
        let store_limits = StoreLimitsBuilder::new()
            .memory_size(limits.memory_bytes)
            .memories(1)
            .tables(4)
            .instances(1)
            .trap_on_grow_failure(true)
            .build();
        let mut store = Store::new(engine, HostState { limits: store_limits, native_keys: NativeKeys::default() });
        store.limiter(|state| &mut state.limits);
        let load = |e: wasmtime::Error| EngineError::Load(format!("{e:#}"));
        store.set_fuel(limits.setup_fuel).map_err(load)?;
        let instance = pre.instantiate(&mut store).map_err(load)?;
        let memory =
            instance.get_memory(&mut store, "memory").ok_or_else(|| EngineError::Load("no exported memory".into()))?;
        macro_rules! export {
            ($name:literal) => {
                instance
                    .get_typed_func(&mut store, $name)
                    .map_err(|e| EngineError::Load(format!("{}: {e:#}", $name)))?
            };
        }
        Ok(Live {
            alloc: export!("jwtgate_alloc"),
            free: export!("jwtgate_free"),
            output_ptr: export!("jwtgate_output_ptr"),
            output_len: export!("jwtgate_output_len"),
            configure: export!("jwtgate_configure_with_provider"),
            configure_from_settings: export!("jwtgate_configure_from_settings"),
            authorize: export!("jwtgate_authorize"),
            settings_from_env: export!("jwtgate_settings_from_env"),
            warm_up: export!("jwtgate_warm_up"),
            next_fetch: export!("jwtgate_next_fetch"),
            fetched: export!("jwtgate_fetched"),
            validated: None,
            store,
            memory,
        })
    }

    /// Copy `inputs` into the module (`None`: a null pointer), call `call`, and copy the
    /// output document out.
    pub(super) fn invoke(
        &mut self,
        call: Call,
        inputs: &[Option<&[u8]>],
        fuel: u64,
    ) -> Result<(i32, Vec<u8>), CallError> {
        let trap = |e: wasmtime::Error| CallError::Trap(format!("{e:#}"));
        self.store.set_fuel(fuel).map_err(trap)?;
        let mut args = Vec::with_capacity(inputs.len());
        for input in inputs {
            let Some(input) = input else {
                args.push((0, 0));
                continue;
            };
            let len = i32::try_from(input.len()).map_err(|_| CallError::Abi("input larger than 2 GiB".into()))?;
            let ptr = self.alloc.call(&mut self.store, len).map_err(trap)?;
            self.memory
                .write(&mut self.store, ptr as u32 as usize, input)
                .map_err(|_| CallError::Abi("jwtgate_alloc returned memory out of bounds".into()))?;
            args.push((ptr, len));
        }
        let arg = |i: usize| args.get(i).copied().unwrap_or((0, 0));
        let ((p0, l0), (p1, l1)) = (arg(0), arg(1));
        let status = match call {
            Call::Configure(signatures) => self.configure.call(&mut self.store, (p0, l0, provider_code(signatures))),
            Call::ConfigureFromSettings(signatures) => {
                self.configure_from_settings.call(&mut self.store, provider_code(signatures))
            }
            Call::Authorize(now) => self.authorize.call(&mut self.store, (p0, l0, now)),
            Call::SettingsFromEnv => self.settings_from_env.call(&mut self.store, (p0, l0, p1, l1)),
            Call::WarmUp(now) => self.warm_up.call(&mut self.store, now),
            Call::NextFetch(now) => self.next_fetch.call(&mut self.store, now),
            Call::Fetched(now) => self.fetched.call(&mut self.store, (p0, l0, p1, l1, now)),
        }
        .map_err(trap)?;
        for (ptr, len) in args {
            if ptr != 0 {
                self.free.call(&mut self.store, (ptr, len)).map_err(trap)?;
            }
        }
        let out_ptr = self.output_ptr.call(&mut self.store, ()).map_err(trap)? as u32 as usize;
        let out_len = self.output_len.call(&mut self.store, ()).map_err(trap)? as u32 as usize;
        let output = self
            .memory
            .data(&self.store)
            .get(out_ptr..out_ptr.saturating_add(out_len))
            .ok_or_else(|| CallError::Abi("output buffer out of bounds".into()))?
            .to_vec();
        Ok((status, output))
    }

    /// Fuel the last call left unused.
    pub(super) fn fuel_left(&self) -> Option<u64> {
        self.store.get_fuel().ok()
    }
}

/// An output document, parsed; anything but JSON breaks the ABI.
pub(super) fn parse_document(out: &[u8]) -> Result<Value, EngineError> {
    serde_json::from_slice(out).map_err(|e| EngineError::Abi(format!("output is not JSON: {e}")))
}

/// wasm-bindgen's glue imports: the externref table initialiser does nothing (the C ABI never
/// passes JavaScript values), `__wbindgen_throw` traps (it is how Rust panics surface), and
/// `hostVerify` is the native signature provider (used only by sessions configured for it), whose
/// `hostVerifierGeneration` never changes.
/// Any other import means the module is not the one this host was written for.
pub(super) fn glue_linker(engine: &wasmtime::Engine, module: &Module) -> Result<Linker<HostState>, EngineError> {
    let mut linker = Linker::new(engine);
    for import in module.imports() {
        let (module_name, name) = (import.module(), import.name());
        let wasmtime::ExternType::Func(ty) = import.ty() else {
            return Err(EngineError::Load(format!("unexpected non-function import {module_name}::{name}")));
        };
        let define = if module_name == GLUE_MODULE && name == "__wbindgen_init_externref_table" {
            linker.func_new(module_name, name, ty, |_, _, _| Ok(()))
        } else if module_name == GLUE_MODULE && name.starts_with("__wbg___wbindgen_throw_") {
            linker.func_new(module_name, name, ty, |_, _, _| Err(wasmtime::Error::msg("the jwtgate module threw")))
        } else if module_name == GLUE_MODULE && name.starts_with("__wbg_hostVerify_") {
            linker.func_wrap(module_name, name, native_verify)
        } else if module_name.ends_with("/js/host-provider.js") && name == "hostVerifierGeneration" {
            // One native provider for the instance's life: its known answers are asked once.
            linker.func_wrap(module_name, name, || 0_i32)
        } else {
            return Err(EngineError::Load(format!("unexpected import {module_name}::{name}")));
        };
        define.map_err(|e| EngineError::Load(format!("{e:#}")))?;
    }
    Ok(linker)
}

/// The ABI's provider code for `jwtgate_configure_with_provider` and
/// `jwtgate_configure_from_settings` (ABI.md): 0 wasm, 1 host.
fn provider_code(signatures: Signatures) -> i32 {
    match signatures {
        Signatures::Wasm => 0,
        Signatures::Host => 1,
    }
}
