//! The elliptic-curve field arithmetic against num-bigint: for the coordinate fields and the
//! group orders of P-256, P-384 and P-521, a short program of field operations (Montgomery
//! multiplication and squaring, addition, subtraction, negation, doubling, inversion, the
//! conversions, the integer-times-field product ECDSA uses) run on values that start at the
//! edges (next to the modulus, all-ones limbs, carries across limb boundaries, values in
//! [m, 2m), which the operations accept) must give what modular arithmetic on `BigUint` gives.
//! Results feed later steps unreduced, so every representation an operation can return is
//! also an input.
#![no_main]

use jwtgate_core::crypto::curve::{P256, P384, p521};
use jwtgate_core::crypto::field::{Fe, LIMB_BITS, Limbs, PrimeField, limbs_from_be};
use jwtgate_core_fuzz::input::{Input, be_padded};
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    match input.byte() % 6 {
        0 => run(&P256.field, &mut input),
        1 => run(&P256.order, &mut input),
        2 => run(&P384.field, &mut input),
        3 => run(&P384.order, &mut input),
        4 => run(&p521().field, &mut input),
        _ => run(&p521().order, &mut input),
    }
});

/// The integer a limb array stands for, read independently of the code under test.
fn integer<const L: usize>(limbs: &Limbs<L>) -> BigUint {
    limbs.iter().rev().fold(BigUint::ZERO, |acc, &limb| {
        assert!(limb < 1 << LIMB_BITS, "a limb wider than {LIMB_BITS} bits: {limb:#x}");
        (acc << LIMB_BITS) + limb
    })
}

fn limbs<const L: usize>(value: &BigUint) -> Limbs<L> {
    limbs_from_be::<L>(&be_padded(value, (L * LIMB_BITS as usize).div_ceil(8))).expect("fits the limbs")
}

/// A field element of the program, with the integer it must stand for (mod m).
struct Value<const L: usize> {
    fe: Fe<L>,
    expected: BigUint,
}

fn run<const L: usize>(field: &PrimeField<L>, input: &mut Input<'_>) {
    let m = integer(field.modulus());
    let twice = &m << 1u32;
    let width = LIMB_BITS as usize;
    // Two starting values below 2m (what `to_montgomery` accepts), mostly below m.
    let start = |input: &mut Input<'_>| {
        let v = if input.byte() % 4 == 0 { &m + input.below(&m, width) } else { input.below(&m, width) };
        assert!(v < twice);
        let fe = field.to_montgomery(&limbs::<L>(&v));
        assert_eq!(integer(&field.to_integer(&fe)), &v % &m, "to_montgomery then to_integer");
        Value { fe, expected: v % &m }
    };
    let mut values = vec![start(input), start(input)];
    for _ in 0..1 + input.byte() % 16 {
        let a = &values[input.byte() as usize % values.len()];
        let b = &values[input.byte() as usize % values.len()];
        let (fe, expected) = match input.byte() % 9 {
            0 => (field.mul(&a.fe, &b.fe), &a.expected * &b.expected % &m),
            1 => (field.square(&a.fe), &a.expected * &a.expected % &m),
            2 => (field.add(&a.fe, &b.fe), (&a.expected + &b.expected) % &m),
            3 => (field.sub(&a.fe, &b.fe), (&a.expected + &m - &b.expected) % &m),
            4 => (field.neg(&a.fe), (&m - &a.expected) % &m),
            5 => (field.double(&a.fe), (&a.expected << 1u32) % &m),
            6 => {
                // Inversion: the one value below m whose product with a is 1 (m is prime), and
                // of zero, zero. Checked by that definition, a multiplication, rather than by
                // a reference exponentiation, which cost more than the rest of the program.
                let fe = field.invert(&a.fe);
                let inverse = integer(&field.to_integer(&fe));
                assert!(inverse < m, "an inverse below the modulus");
                if a.expected.bits() == 0 {
                    assert_eq!(inverse, BigUint::ZERO, "the inverse of zero");
                } else {
                    assert_eq!(&a.expected * &inverse % &m, BigUint::from(1u8), "a * a^-1 = 1");
                }
                (fe, inverse)
            }
            7 => {
                // integer * a: an integer below 2m times a Montgomery value, a plain result.
                let c = if input.byte() % 4 == 0 { &m + input.below(&m, width) } else { input.below(&m, width) };
                let product = field.mul_integer(&limbs::<L>(&c), &a.fe);
                assert_eq!(integer(&product), &c * &a.expected % &m, "mul_integer");
                continue;
            }
            _ => {
                assert_eq!(field.equal(&a.fe, &b.fe), a.expected == b.expected, "equal");
                assert_eq!(field.is_zero(&a.fe), a.expected.bits() == 0, "is_zero");
                continue;
            }
        };
        assert_eq!(integer(&field.to_integer(&fe)), expected);
        values.push(Value { fe, expected });
    }
}
