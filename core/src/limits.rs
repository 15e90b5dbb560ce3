//! Size caps applied before any parsing or allocation that depends on the input.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    pub max_token_bytes: usize,
    pub max_jwks_bytes: usize,
    pub max_keys: usize,
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
