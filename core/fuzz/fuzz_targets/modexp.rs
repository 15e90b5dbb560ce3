//! RSA's arithmetic against num-bigint: `Modulus::pow_be` (Montgomery multiplication and
//! squaring, 28-bit limbs up to 3,554 bits and 26-bit limbs above, SIMD-free natively) must
//! equal `BigUint::modpow` for every odd modulus of 2 to 8,192 bits, with edge-shaped moduli
//! (all ones, just above a power of two, alternating limbs, either side of the 3,554-bit limb
//! switch), bases next to the modulus and exponents from 1 to 256 bits. A base at or above the
//! modulus, or a zero exponent, must be refused.
#![no_main]

use jwtgate_core::crypto::bigint::Modulus;
use jwtgate_core_fuzz::input::{Input, alternating, be_padded, ones};
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let bits = match input.byte() % 12 {
        0 => 2048,
        1 => 2049,
        2 => 3072,
        3 => 3553,
        4 => 3554,
        5 => 3555,
        6 => 4096,
        7 => 8192,
        8 => 2047,
        9 => 1024,
        _ => 2 + input.u16() as usize % 8191,
    };
    let width = if bits + 2 <= 127 * 28 { 28 } else { 26 };
    let top = BigUint::from(1u8) << (bits - 1);
    let n = match input.byte() % 6 {
        0 => ones(bits),
        // Just above a power of two.
        1 => &top + 1u8,
        2 => &top + ((BigUint::from(input.u16()) % &top) | BigUint::from(1u8)),
        3 => &top | alternating(bits - 1, width) | BigUint::from(1u8),
        // Just below: all ones but a small value.
        4 => ones(bits) - ((BigUint::from(input.u16()) << 1u32) % &top),
        _ => &top | input.uint(bits - 1) | BigUint::from(1u8),
    };
    assert_eq!(n.bits() as usize, bits);
    let modulus = Modulus::new(&n.to_bytes_be()).expect("an odd modulus above one is accepted");
    assert_eq!(modulus.bits(), bits);
    let k = modulus.byte_len();

    // The base: usually below n, sometimes n itself or above (refused).
    let base = match input.byte() % 16 {
        0 => n.clone(),
        1 => &n + 1u8,
        _ => input.below(&n, width),
    };
    // The exponent: RSA's, tiny ones (one multiplication, one squaring), or up to 256 bits
    // (fewer for the largest moduli, whose exponentiation is slow).
    let e = match input.byte() % 6 {
        0 => BigUint::from(65537u32),
        1 => BigUint::from(3u8),
        2 => BigUint::from(2u8),
        3 => BigUint::from(1u8),
        4 => BigUint::ZERO,
        _ => {
            let max = if bits > 4096 { 32 } else { 256 };
            let len = 1 + input.byte() as usize % max;
            input.uint(len)
        }
    };
    let e_be = if e.bits() == 0 { vec![0u8] } else { e.to_bytes_be() };
    // The base as the verifier sees a signature: exactly k bytes.
    let base_be = if base.bits() as usize <= 8 * k { be_padded(&base, k) } else { base.to_bytes_be() };
    let ours = modulus.pow_be(&base_be, &e_be);
    if base >= n || e.bits() == 0 {
        assert!(ours.is_none(), "base {} bits, e = {e}: must be refused", base.bits());
    } else {
        let expected = be_padded(&base.modpow(&e, &n), k);
        assert_eq!(ours.as_deref(), Some(&expected[..]), "{bits}-bit modulus, e = {e}");
    }
});
