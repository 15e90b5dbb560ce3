//! Just enough unsigned big-integer arithmetic for RSA signature verification: `s^e mod n`
//! by Montgomery multiplication.
//!
//! Why this shape: WebAssembly has a fast 64-bit multiply but no 64x64->128 one, and a carry
//! chain after every multiply-add serialises the work. So limbs are 28 bits (26 for moduli
//! above 3,552 bits) held in `u64`: a product is below 2^56 and up to 256 of them add up in a
//! `u64` without overflow, so the inner loop has no carries at all; one carry pass per
//! multiplication normalises the result. Intermediate values stay below 2n ("almost
//! Montgomery", valid because R > 4n), so there is no comparison or subtraction per step.
//!
//! Verification works on public values only (the signature, the message and the public key),
//! so these routines are not constant time; their cost is bounded by the modulus size, which
//! the key loader caps.

/// An odd modulus prepared for Montgomery arithmetic. Limbs are little-endian, `w` bits each.
#[derive(Clone, Debug)]
pub struct Modulus {
    n: Vec<u64>,
    w: u32,
    mask: u64,
    /// -n^-1 mod 2^w.
    n0_inv: u64,
    /// R^2 mod n, R = 2^(w * limbs), fully reduced.
    r2: Vec<u64>,
    bits: usize,
}

/// With `limbs` limbs of `w` bits, a column of the product accumulates at most `2 * limbs`
/// products below 2^(2w) plus one carry below 2^(64-w): it must stay below 2^64.
fn limb_width(bits: usize) -> (u32, usize) {
    let limbs28 = (bits + 2).div_ceil(28);
    if limbs28 <= 127 { (28, limbs28) } else { (26, (bits + 2).div_ceil(26)) }
}

impl Modulus {
    /// `be` is big-endian without leading zero bytes. `None` unless odd and above one.
    pub fn new(be: &[u8]) -> Option<Modulus> {
        if be.is_empty() || be[0] == 0 || be[be.len() - 1] & 1 == 0 {
            return None;
        }
        if be.len() == 1 && be[0] == 1 {
            return None;
        }
        let bits = be.len() * 8 - be[0].leading_zeros() as usize;
        // R = 2^(w * limbs) > 4n keeps every intermediate below 2n.
        let (w, limbs) = limb_width(bits);
        let mask = (1u64 << w) - 1;
        let n = to_limbs(be, w, limbs)?;
        let n0_inv = inverse_mod_2_64(n[0]).wrapping_neg() & mask;
        // R^2 mod n by doubling 1 modulo n, 2 * w * limbs times: done once per key.
        let mut r2 = vec![0u64; limbs];
        r2[0] = 1;
        for _ in 0..(2 * w as usize * limbs) {
            shift_left_one(&mut r2, w, mask);
            if !less_than(&r2, &n) {
                sub_in_place(&mut r2, &n, mask);
            }
        }
        Some(Modulus { n, w, mask, n0_inv, r2, bits })
    }

    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Length of the modulus in bytes (`k` in RFC 8017).
    pub fn byte_len(&self) -> usize {
        self.bits.div_ceil(8)
    }

    /// The remainder of the modulus by a small number (for weak-key fingerprints).
    pub fn rem_small(&self, d: u32) -> u32 {
        let d = d as u128;
        self.n.iter().rev().fold(0u128, |r, &limb| ((r << self.w) | limb as u128) % d) as u32
    }

    /// `base^e mod n` as `byte_len()` big-endian bytes; `None` if `base >= n` or `e == 0`.
    pub fn pow(&self, base_be: &[u8], e: u64) -> Option<Vec<u8>> {
        self.pow_be(base_be, &e.to_be_bytes())
    }

    /// `base^e mod n` with a big-endian exponent of any length (tests sign with it).
    pub fn pow_be(&self, base_be: &[u8], e_be: &[u8]) -> Option<Vec<u8>> {
        let l = self.n.len();
        let e_be = &e_be[e_be.iter().position(|&b| b != 0)?..];
        let base = to_limbs(base_be, self.w, l)?;
        if !less_than(&base, &self.n) {
            return None;
        }
        let mut t = vec![0u64; 2 * l + 1];
        let mut base_m = vec![0u64; l];
        self.mont_mul(&base, &self.r2, &mut t, &mut base_m);
        let mut acc = base_m.clone();
        let mut tmp = vec![0u64; l];
        // Left to right from the bit below the top one (acc already holds base^1).
        let top = e_be.len() * 8 - e_be[0].leading_zeros() as usize - 1;
        for bit in (0..top).rev() {
            self.mont_sqr(&acc, &mut t, &mut tmp);
            core::mem::swap(&mut acc, &mut tmp);
            if (e_be[e_be.len() - 1 - bit / 8] >> (bit % 8)) & 1 == 1 {
                self.mont_mul(&acc, &base_m, &mut t, &mut tmp);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        let mut one = vec![0u64; l];
        one[0] = 1;
        self.mont_mul(&acc, &one, &mut t, &mut tmp);
        // Leaving Montgomery form gives a value at most n: reduce it fully.
        if !less_than(&tmp, &self.n) {
            sub_in_place(&mut tmp, &self.n, self.mask);
        }
        Some(from_limbs(&tmp, self.w, self.byte_len()))
    }

    /// out = a * b * R^-1 (mod n), below 2n for a, b below 2n. `t` is scratch of 2 * limbs + 1.
    fn mont_mul(&self, a: &[u64], b: &[u64], t: &mut [u64], out: &mut [u64]) {
        let (n, l, w, mask) = (&self.n[..], self.n.len(), self.w, self.mask);
        let a = &a[..l];
        t.fill(0);
        for (i, &bi) in b[..l].iter().enumerate() {
            let low = t[i] + a[0] * bi;
            let m = ((low & mask) * self.n0_inv) & mask;
            // low + m * n[0] is a multiple of 2^w by the choice of m: carry its high part.
            t[i + 1] += (low + m * n[0]) >> w;
            let row = &mut t[i + 1..i + l];
            for ((tj, &aj), &nj) in row.iter_mut().zip(&a[1..]).zip(&n[1..]) {
                *tj += aj * bi + m * nj;
            }
        }
        self.normalise_high_half(t, out);
    }

    /// out = a * a * R^-1 (mod n): the cross products a[i]a[j] (i < j) are computed once and
    /// doubled, a quarter fewer multiplications than `mont_mul`, then reduced. The column
    /// bound still holds: at most `2 * limbs + 1` products per column.
    fn mont_sqr(&self, a: &[u64], t: &mut [u64], out: &mut [u64]) {
        let (n, l, w, mask) = (&self.n[..], self.n.len(), self.w, self.mask);
        let a = &a[..l];
        t.fill(0);
        for (i, &ai) in a.iter().enumerate() {
            t[2 * i] += ai * ai;
            let twice = ai << 1;
            for (tj, &aj) in t[2 * i + 1..i + l].iter_mut().zip(&a[i + 1..]) {
                *tj += twice * aj;
            }
        }
        for i in 0..l {
            let m = ((t[i] & mask) * self.n0_inv) & mask;
            t[i + 1] += (t[i] + m * n[0]) >> w;
            for (tj, &nj) in t[i + 1..i + l].iter_mut().zip(&n[1..]) {
                *tj += m * nj;
            }
        }
        self.normalise_high_half(t, out);
    }

    /// The Montgomery result is t[limbs..2 * limbs] with unpropagated carries: propagate them.
    fn normalise_high_half(&self, t: &[u64], out: &mut [u64]) {
        let l = self.n.len();
        let mut carry = 0u64;
        for (o, &tk) in out.iter_mut().zip(&t[l..2 * l]) {
            let v = tk + carry;
            *o = v & self.mask;
            carry = v >> self.w;
        }
        debug_assert_eq!(carry, 0);
    }
}

fn inverse_mod_2_64(odd: u64) -> u64 {
    // Newton's iteration doubles the correct low bits each step; x = odd is right mod 8.
    let mut x = odd;
    for _ in 0..5 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
    }
    x
}

/// Big-endian bytes to `limbs` little-endian limbs of `w` bits; `None` if it does not fit.
fn to_limbs(be: &[u8], w: u32, limbs: usize) -> Option<Vec<u64>> {
    let mask = (1u64 << w) - 1;
    let mut out = vec![0u64; limbs];
    let (mut acc, mut acc_bits, mut k) = (0u64, 0u32, 0usize);
    for &byte in be.iter().rev() {
        acc |= (byte as u64) << acc_bits;
        acc_bits += 8;
        while acc_bits >= w {
            push_limb(&mut out, &mut k, acc & mask)?;
            acc >>= w;
            acc_bits -= w;
        }
    }
    push_limb(&mut out, &mut k, acc)?;
    Some(out)
}

fn push_limb(out: &mut [u64], k: &mut usize, limb: u64) -> Option<()> {
    match out.get_mut(*k) {
        Some(slot) => *slot = limb,
        None if limb == 0 => {}
        None => return None,
    }
    *k += 1;
    Some(())
}

/// Normalised limbs to `len` big-endian bytes (the value must fit).
fn from_limbs(limbs: &[u64], w: u32, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    let (mut acc, mut acc_bits) = (0u64, 0u32);
    let mut limbs = limbs.iter();
    for byte in out.iter_mut().rev() {
        if acc_bits < 8 {
            acc |= limbs.next().copied().unwrap_or(0) << acc_bits;
            acc_bits += w;
        }
        *byte = acc as u8;
        acc >>= 8;
        acc_bits -= 8;
    }
    out
}

fn less_than(a: &[u64], b: &[u64]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

fn sub_in_place(a: &mut [u64], b: &[u64], mask: u64) {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b) {
        let d = x.wrapping_sub(y).wrapping_sub(borrow);
        *x = d & mask;
        borrow = d >> 63;
    }
}

fn shift_left_one(a: &mut [u64], w: u32, mask: u64) {
    let mut carry = 0u64;
    for x in a.iter_mut() {
        let v = (*x << 1) | carry;
        *x = v & mask;
        carry = v >> w;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_pow(base: u128, e: u64, n: u128) -> u128 {
        let mut acc = 1u128;
        for _ in 0..e {
            acc = acc * base % n;
        }
        acc
    }

    #[test]
    fn small_moduli_agree_with_naive_arithmetic() {
        for n in [3u128, 0xffff_fffb, 0x1_0000_0001, 0xffff_ffff_ffff_ffc5] {
            let m = Modulus::new(&be_trim(n)).unwrap();
            for base in [0u128, 1, 2, 12345, n - 1].into_iter().filter(|&b| b < n) {
                for e in [1u64, 3, 17, 65] {
                    let got = m.pow(&be_trim(base), e).unwrap();
                    let want = naive_pow(base, e, n);
                    assert_eq!(u128_from_be(&got), want, "n={n} base={base} e={e}");
                }
            }
            assert!(m.pow(&be_trim(n), 3).is_none(), "base >= n must be refused");
        }
    }

    #[test]
    fn both_limb_widths_round_trip_and_agree() {
        // A 4096-bit odd modulus (26-bit limbs) and a 2048-bit one (28-bit limbs): x^1 == x,
        // and (x^3)^1 computed two ways agree.
        for bytes in [256usize, 512] {
            let mut n = vec![0xa5u8; bytes];
            n[0] = 0xc3;
            n[bytes - 1] = 0x77;
            let m = Modulus::new(&n).unwrap();
            let x: Vec<u8> = (0..bytes).map(|i| (i * 7 + 3) as u8).map(|b| b & 0x7f).collect();
            assert_eq!(m.pow(&x, 1).unwrap(), x);
            let cube = m.pow(&x, 3).unwrap();
            let square = m.pow(&x, 2).unwrap();
            let via = m.pow_be(&x, &[3]).unwrap();
            assert_eq!(cube, via);
            assert_ne!(cube, square);
        }
        assert_eq!(limb_width(2048), (28, 74));
        assert_eq!(limb_width(4096).0, 26);
    }

    #[test]
    fn refuses_even_zero_and_one() {
        assert!(Modulus::new(&[]).is_none());
        assert!(Modulus::new(&[4]).is_none());
        assert!(Modulus::new(&[1]).is_none());
        assert!(Modulus::new(&[0, 3]).is_none());
    }

    fn be_trim(v: u128) -> Vec<u8> {
        let b = v.to_be_bytes();
        let first = b.iter().position(|&x| x != 0).unwrap_or(15);
        b[first..].to_vec()
    }

    fn u128_from_be(b: &[u8]) -> u128 {
        b.iter().fold(0u128, |v, &x| (v << 8) | x as u128)
    }
}
