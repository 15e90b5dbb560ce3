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
//! Operands are `u32` limbs (the values fit in 28 bits) so WebAssembly SIMD can load four at a
//! time and multiply them with `i64x2.extmul_*_i32x4_u`; accumulators are `u64`. The row
//! operations below have a portable form and a wasm SIMD form, chosen at compile time.
//!
//! Verification works on public values only (the signature, the message and the public key),
//! so these routines are not constant time; their cost is bounded by the modulus size, which
//! the key loader caps.

/// An odd modulus prepared for Montgomery arithmetic. Limbs are little-endian, `w` bits each.
#[derive(Clone, Debug)]
pub struct Modulus {
    n: Vec<u32>,
    w: u32,
    mask: u64,
    /// -n^-1 mod 2^w.
    n0_inv: u64,
    /// R^2 mod n, R = 2^(w * limbs), fully reduced.
    r2: Vec<u32>,
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
        let n0_inv = inverse_mod_2_64(n[0] as u64).wrapping_neg() & mask;
        // R^2 mod n by doubling 1 modulo n, 2 * w * limbs times: done once per key.
        let mut r2 = vec![0u32; limbs];
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
        let mut base_m = vec![0u32; l];
        self.mont_mul(&base, &self.r2, &mut t, &mut base_m);
        let mut acc = base_m.clone();
        let mut tmp = vec![0u32; l];
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
        let mut one = vec![0u32; l];
        one[0] = 1;
        self.mont_mul(&acc, &one, &mut t, &mut tmp);
        // Leaving Montgomery form gives a value at most n: reduce it fully.
        if !less_than(&tmp, &self.n) {
            sub_in_place(&mut tmp, &self.n, self.mask);
        }
        Some(from_limbs(&tmp, self.w, self.byte_len()))
    }

    /// out = a * b * R^-1 (mod n), below 2n for a, b below 2n. `t` is scratch of 2 * limbs + 1.
    fn mont_mul(&self, a: &[u32], b: &[u32], t: &mut [u64], out: &mut [u32]) {
        let (n, l, w, mask) = (&self.n[..], self.n.len(), self.w, self.mask);
        let a = &a[..l];
        t.fill(0);
        for (i, &bi) in b[..l].iter().enumerate() {
            let bi = bi as u64;
            let low = t[i] + a[0] as u64 * bi;
            let m = ((low & mask) * self.n0_inv) & mask;
            // low + m * n[0] is a multiple of 2^w by the choice of m: carry its high part.
            t[i + 1] += (low + m * n[0] as u64) >> w;
            rows::mul_add2(&mut t[i + 1..i + l], &a[1..], bi, &n[1..], m);
        }
        self.normalise_high_half(t, out);
    }

    /// out = a * a * R^-1 (mod n): the cross products a[i]a[j] (i < j) are computed once and
    /// doubled, a quarter fewer multiplications than `mont_mul`, then reduced. The column
    /// bound still holds: at most `2 * limbs + 1` products per column.
    fn mont_sqr(&self, a: &[u32], t: &mut [u64], out: &mut [u32]) {
        let (n, l, w, mask) = (&self.n[..], self.n.len(), self.w, self.mask);
        let a = &a[..l];
        t.fill(0);
        for (i, &ai) in a.iter().enumerate() {
            let ai = ai as u64;
            t[2 * i] += ai * ai;
            rows::mul_add1(&mut t[2 * i + 1..i + l], &a[i + 1..], ai << 1);
        }
        for i in 0..l {
            let m = ((t[i] & mask) * self.n0_inv) & mask;
            t[i + 1] += (t[i] + m * n[0] as u64) >> w;
            rows::mul_add1(&mut t[i + 1..i + l], &n[1..], m);
        }
        self.normalise_high_half(t, out);
    }

    /// The Montgomery result is t[limbs..2 * limbs] with unpropagated carries: propagate them.
    fn normalise_high_half(&self, t: &[u64], out: &mut [u32]) {
        let l = self.n.len();
        let mut carry = 0u64;
        for (o, &tk) in out.iter_mut().zip(&t[l..2 * l]) {
            let v = tk + carry;
            *o = (v & self.mask) as u32;
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

/// The inner loops: `t[j] += a[j] * x (+ b[j] * y)` over a row, with no carries (the column
/// bound in `limb_width` guarantees no overflow). All slices are at least as long as `t`.
mod rows {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub fn mul_add2(t: &mut [u64], a: &[u32], x: u64, b: &[u32], y: u64) {
        for ((tj, &aj), &bj) in t.iter_mut().zip(a).zip(b) {
            *tj += aj as u64 * x + bj as u64 * y;
        }
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub fn mul_add1(t: &mut [u64], a: &[u32], x: u64) {
        for (tj, &aj) in t.iter_mut().zip(a) {
            *tj += aj as u64 * x;
        }
    }

    // Four limbs per step: one 128-bit load of u32 limbs, two widening multiplies
    // (i64x2.extmul_{low,high}_i32x4_u, one machine instruction each on x86 and ARM).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub fn mul_add2(t: &mut [u64], a: &[u32], x: u64, b: &[u32], y: u64) {
        use core::arch::wasm32::*;
        let len = t.len();
        assert!(a.len() >= len && b.len() >= len);
        let (vx, vy) = (u32x4_splat(x as u32), u32x4_splat(y as u32));
        let mut j = 0;
        while j + 4 <= len {
            // SAFETY: j + 4 <= len <= a.len(), b.len(), t.len(); unaligned v128 access is
            // allowed in wasm.
            unsafe {
                let va = v128_load(a.as_ptr().add(j) as *const v128);
                let vb = v128_load(b.as_ptr().add(j) as *const v128);
                let lo = u64x2_add(u64x2_extmul_low_u32x4(va, vx), u64x2_extmul_low_u32x4(vb, vy));
                let hi = u64x2_add(u64x2_extmul_high_u32x4(va, vx), u64x2_extmul_high_u32x4(vb, vy));
                let pt = t.as_mut_ptr().add(j) as *mut v128;
                v128_store(pt, u64x2_add(v128_load(pt), lo));
                v128_store(pt.add(1), u64x2_add(v128_load(pt.add(1)), hi));
            }
            j += 4;
        }
        for k in j..len {
            t[k] += a[k] as u64 * x + b[k] as u64 * y;
        }
    }

    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub fn mul_add1(t: &mut [u64], a: &[u32], x: u64) {
        use core::arch::wasm32::*;
        let len = t.len();
        assert!(a.len() >= len);
        let vx = u32x4_splat(x as u32);
        let mut j = 0;
        while j + 4 <= len {
            // SAFETY: as in `mul_add2`.
            unsafe {
                let va = v128_load(a.as_ptr().add(j) as *const v128);
                let pt = t.as_mut_ptr().add(j) as *mut v128;
                v128_store(pt, u64x2_add(v128_load(pt), u64x2_extmul_low_u32x4(va, vx)));
                v128_store(pt.add(1), u64x2_add(v128_load(pt.add(1)), u64x2_extmul_high_u32x4(va, vx)));
            }
            j += 4;
        }
        for k in j..len {
            t[k] += a[k] as u64 * x;
        }
    }
}

/// Big-endian bytes to `limbs` little-endian limbs of `w` bits; `None` if it does not fit.
fn to_limbs(be: &[u8], w: u32, limbs: usize) -> Option<Vec<u32>> {
    let mask = (1u64 << w) - 1;
    let mut out = vec![0u32; limbs];
    let (mut acc, mut acc_bits, mut k) = (0u64, 0u32, 0usize);
    for &byte in be.iter().rev() {
        acc |= (byte as u64) << acc_bits;
        acc_bits += 8;
        while acc_bits >= w {
            push_limb(&mut out, &mut k, (acc & mask) as u32)?;
            acc >>= w;
            acc_bits -= w;
        }
    }
    push_limb(&mut out, &mut k, acc as u32)?;
    Some(out)
}

fn push_limb(out: &mut [u32], k: &mut usize, limb: u32) -> Option<()> {
    match out.get_mut(*k) {
        Some(slot) => *slot = limb,
        None if limb == 0 => {}
        None => return None,
    }
    *k += 1;
    Some(())
}

/// Normalised limbs to `len` big-endian bytes (the value must fit).
fn from_limbs(limbs: &[u32], w: u32, len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    let (mut acc, mut acc_bits) = (0u64, 0u32);
    let mut limbs = limbs.iter();
    for byte in out.iter_mut().rev() {
        if acc_bits < 8 {
            acc |= (limbs.next().copied().unwrap_or(0) as u64) << acc_bits;
            acc_bits += w;
        }
        *byte = acc as u8;
        acc >>= 8;
        acc_bits -= 8;
    }
    out
}

fn less_than(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

fn sub_in_place(a: &mut [u32], b: &[u32], mask: u64) {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b) {
        let d = (*x as u64).wrapping_sub(y as u64).wrapping_sub(borrow);
        *x = (d & mask) as u32;
        borrow = d >> 63;
    }
}

fn shift_left_one(a: &mut [u32], w: u32, mask: u64) {
    let mut carry = 0u64;
    for x in a.iter_mut() {
        let v = ((*x as u64) << 1) | carry;
        *x = (v & mask) as u32;
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
