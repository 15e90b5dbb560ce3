//! An API Gateway authorizer event through `Verifier::authorize`: event parsing, bearer
//! extraction, verification and the policy or simple response.
//! Input: one byte choosing the configuration, then the event bytes.
#![no_main]

use jwtgate_core_fuzz::{NOW, check_decision, check_same_up_to_signature, choose, key_set};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((v, event)) = choose(data) else { return };
    let keys = key_set();
    let real = v.real.authorize(keys, event, NOW);
    let accept_all = v.accept_all.authorize(keys, event, NOW);
    let arn = jwtgate_core::event::parse(event, v.real.config().limits.max_event_bytes).ok().map(|e| e.arn);
    check_decision(&real, arn.as_deref());
    check_decision(&accept_all, arn.as_deref());
    check_same_up_to_signature(&real, &accept_all);
    // Deterministic: the same input decides the same way.
    assert_eq!(real, v.real.authorize(keys, event, NOW));
});
