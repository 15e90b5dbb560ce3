//! Structured inputs for the arithmetic targets, read from the fuzzer's bytes, and the edge
//! values carry bugs hide behind: all-ones limbs, carries across every limb boundary, values
//! next to the modulus and to powers of two. Every byte string decodes to something (bytes
//! past the end read as zero), so libFuzzer's mutations always reach the arithmetic.

use num_bigint::BigUint;

pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    pub fn new(data: &'a [u8]) -> Input<'a> {
        Input { data }
    }

    pub fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((&b, rest)) => {
                self.data = rest;
                b
            }
            None => 0,
        }
    }

    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }

    /// `len` bytes, zero-filled past the end of the input.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let take = len.min(self.data.len());
        let mut out = self.data[..take].to_vec();
        self.data = &self.data[take..];
        out.resize(len, 0);
        out
    }

    /// An integer of at most `bits` bits from the input.
    pub fn uint(&mut self, bits: usize) -> BigUint {
        let bytes = self.bytes(bits.div_ceil(8));
        BigUint::from_bytes_be(&bytes) & ones(bits)
    }

    /// A value in [0, bound) chosen from the edge patterns or from the input. `width` is the
    /// limb width of the code under test, so limb-shaped patterns line up with its limbs.
    pub fn below(&mut self, bound: &BigUint, width: usize) -> BigUint {
        let bits = bound.bits() as usize;
        let one = BigUint::from(1u8);
        let candidate = match self.byte() % 12 {
            0 => bound - &one,
            1 => bound - BigUint::from(2u8).min(bound.clone()),
            2 => BigUint::ZERO,
            3 => one.clone(),
            // Every limb all ones, as many limbs as fit below the bound.
            4 => ones((bits.saturating_sub(1) / width) * width),
            // A carry across one limb boundary: 2^(k * width) - 1 plus a small value.
            5 => {
                let k = 1 + self.byte() as usize % (bits / width).max(1);
                ones(k * width) + BigUint::from(self.byte())
            }
            6 => bound >> 1u32,
            // A power of two.
            7 => one.clone() << (self.u16() as usize % bits.max(1)),
            // Just below the bound by a small amount.
            8 => bound - BigUint::from(self.u16()).min(bound.clone()),
            // Alternating full and empty limbs.
            9 => alternating(bits.saturating_sub(1), width),
            _ => self.uint(bits),
        };
        candidate % bound
    }
}

/// 2^bits - 1.
pub fn ones(bits: usize) -> BigUint {
    (BigUint::from(1u8) << bits) - 1u8
}

/// Limbs of `width` bits alternately all ones and zero, below 2^bits.
pub fn alternating(bits: usize, width: usize) -> BigUint {
    let mut value = BigUint::ZERO;
    let mut at = 0;
    while at + width <= bits {
        value |= ones(width) << at;
        at += 2 * width;
    }
    value
}

/// `value` as exactly `len` big-endian bytes (it must fit).
pub fn be_padded(value: &BigUint, len: usize) -> Vec<u8> {
    let bytes = value.to_bytes_be();
    let bytes = if value.bits() == 0 { Vec::new() } else { bytes };
    assert!(bytes.len() <= len, "{} bytes do not fit in {len}", bytes.len());
    let mut out = vec![0u8; len - bytes.len()];
    out.extend_from_slice(&bytes);
    out
}
