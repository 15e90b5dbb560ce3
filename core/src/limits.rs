//! Size caps applied before any parsing or allocation that depends on the input.

/// The caps (`limits` in the configuration JSON, `MAX_*` in the environment).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest token (default 16 KiB): longer is `token_too_large`.
    pub max_token_bytes: usize,
    /// The largest JWKS or discovery document (default 512 KiB).
    pub max_jwks_bytes: usize,
    /// The most entries in a JWKS `keys` array (default 256).
    pub max_keys: usize,
    /// The largest event (default 1 MiB): larger is `invalid_event`.
    pub max_event_bytes: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_token_bytes: 16 * 1024,
            max_jwks_bytes: 512 * 1024,
            max_keys: 256,
            // API Gateway events carry all request headers; Lambda's own payload cap is 6 MB.
            max_event_bytes: 1024 * 1024,
        }
    }
}

/// Hard ceilings a configuration may not raise the limits above.
pub const CEILING: Limits = Limits {
    max_token_bytes: 1024 * 1024,
    max_jwks_bytes: 16 * 1024 * 1024,
    max_keys: 4096,
    max_event_bytes: 6 * 1024 * 1024,
};

/// One limit as the configuration JSON names it, and where it lives in [`Limits`].
pub struct Field {
    /// Its member in the configuration's `limits` object.
    pub name: &'static str,
    /// How errors name it.
    pub setting: &'static str,
    /// Reads it.
    pub get: fn(&Limits) -> usize,
    /// Writes it.
    pub set: fn(&mut Limits, usize),
}

/// The configuration's limits: the one list its reader, its writer and the ceiling check go by.
pub const FIELDS: [Field; 4] = [
    Field {
        name: "max_token_bytes",
        setting: "limits.max_token_bytes",
        get: |l| l.max_token_bytes,
        set: |l, v| l.max_token_bytes = v,
    },
    Field {
        name: "max_jwks_bytes",
        setting: "limits.max_jwks_bytes",
        get: |l| l.max_jwks_bytes,
        set: |l, v| l.max_jwks_bytes = v,
    },
    Field { name: "max_keys", setting: "limits.max_keys", get: |l| l.max_keys, set: |l, v| l.max_keys = v },
    Field {
        name: "max_event_bytes",
        setting: "limits.max_event_bytes",
        get: |l| l.max_event_bytes,
        set: |l, v| l.max_event_bytes = v,
    },
];
