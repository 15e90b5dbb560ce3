//! Just enough unsigned big-integer arithmetic for RSA signature verification: `s^e mod n`
//! by Montgomery multiplication.
//!
//! Why this shape: WebAssembly has a fast 64-bit multiply but no 64x64->128 one, and a carry
//! chain after every multiply-add serialises the work. So limbs are 28 bits (26 for moduli
//! above 3,554 bits): a product is below 2^56 and a whole column of them adds up in a `u64`
//! without overflow (see `limb_width`), so the inner loop has no carries at all. Intermediate
//! values stay below 2n ("almost Montgomery", valid because R > 4n), so there is no comparison
//! or subtraction per step.
//!
//! The product is computed column by column ("product scanning", with the Montgomery
//! reduction folded into the same columns): column k of a * b + m * n is the dot product of
//! `a` with `b` reversed plus `m` with `n` reversed, which lives in registers; one carry per
//! column leaves it and each limb of the result is written once. Four neighbouring columns
//! are summed in one pass, so each limb of `a` and `m` loaded serves four columns and the
//! per-column bookkeeping is shared. Operands are `u32` limbs
//! (the values fit in 28 bits) so WebAssembly SIMD loads four at a time and multiplies them
//! with `i64x2.extmul_*_i32x4_u`. Both operands of every widening multiply are loaded inside
//! the loop: with a loop-invariant multiplier (the row form `t[i+j] += a[j] * b[i]`), LLVM
//! hoists the zero extension of the splat out of the loop, no longer sees the extmul pattern
//! and emits the much slower general `i64x2.mul`. The dot product has a portable form and a
//! wasm SIMD form, chosen at compile time.
//!
//! Verification works on public values only (the signature, the message and the public key),
//! so these routines are not constant time; their cost is bounded by the modulus size, which
//! the key loader caps.

/// Zero limbs after the `limbs` significant ones in every working array, and also before them
/// in the reversed ones: a pass over a group of columns reads whole groups of four, at up to
/// `COLS - 1` places before and `COLS + 2` after the limbs of a reversed operand, and the
/// zeros make those terms vanish (see `Modulus::columns` and `dot::columns`).
const PAD: usize = 8;

/// Columns summed together in one pass (see `Modulus::columns`).
const COLS: usize = 4;
const _: () = assert!(PAD >= COLS + 2);

/// An odd modulus prepared for Montgomery arithmetic. Limbs are little-endian, `w` bits each.
#[derive(Clone, Debug)]
pub struct Modulus {
    n: Vec<u32>,
    /// `PAD` zeros, n reversed (`n_rev[PAD + limbs - 1 - i] == n[i]`), `PAD` zeros.
    n_rev: Vec<u32>,
    w: u32,
    mask: u64,
    /// -n^-1 mod 2^w.
    n0_inv: u64,
    /// R^2 mod n, R = 2^(w * limbs), fully reduced, reversed and padded like `n_rev`.
    r2_rev: Vec<u32>,
    bits: usize,
}

/// Limb width and count for a modulus of `bits` bits, with R = 2^(w * limbs) > 4n.
///
/// Column bound: column k of a * b + m * n holds at most 2 * limbs products, each at most
/// (2^w - 1)^2, plus the Montgomery term m_k * n_0 and the carry from column k - 1. If every
/// column sum is below (2 * limbs + 2) * 2^(2w), its carry is below (2 * limbs + 2) * 2^w <=
/// 2^(2w), so the next sum is below (2 * limbs + 1) * 2^(2w) + 2^(2w): the bound holds by
/// induction, and (2 * limbs + 2) * 2^(2w) <= 2^64 keeps every sum in a `u64`. For 28-bit limbs
/// that is limbs <= 127: moduli up to 3,554 bits (127 * 28 less the 2 bits of R > 4n); 26-bit
/// limbs allow 2,047 limbs, far past the 8,192-bit cap. Squaring has the same bound: its
/// doubled cross products count as two products each. Partial sums (SIMD lanes, a column
/// before its carry and late Montgomery terms) are below the full sum: all terms are positive.
fn limb_width(bits: usize) -> (u32, usize) {
    let limbs28 = (bits + 2).div_ceil(28);
    if limbs28 <= 127 { (28, limbs28) } else { (26, (bits + 2).div_ceil(26)) }
}

/// Whether a column sum of `limbs`-limb operands of `w` bits fits in a `u64` (see
/// `limb_width`).
fn column_bound_holds(w: u32, limbs: usize) -> bool {
    ((2 * limbs as u128 + 2) << (2 * w)) <= 1u128 << 64
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
        debug_assert!(column_bound_holds(w, limbs));
        let mask = (1u64 << w) - 1;
        let n = to_limbs(be, w, limbs)?;
        let n0_inv = inverse_mod_2_64(n[0] as u64).wrapping_neg() & mask;
        let n_rev = reversed(&n, 1);
        let mut modulus = Modulus { n, n_rev, w, mask, n0_inv, r2_rev: Vec::new(), bits };
        modulus.r2_rev = reversed(&modulus.r_squared(), 1);
        Some(modulus)
    }

    /// R^2 mod n, fully reduced: the Montgomery form of 2^(w * limbs), the Montgomery form
    /// of 2 (2R mod n) raised to w * limbs. That costs about a dozen Montgomery squarings,
    /// where doubling 1 up to R^2 took 2 * w * limbs passes over the limbs.
    fn r_squared(&self) -> Vec<u32> {
        let (l, w, mask) = (self.n.len(), self.w as usize, self.mask);
        // 2^(bits - 1) < n, doubled modulo n up to 2^(w * limbs + 1) = 2R. Each value is
        // below n < R / 4 before it is doubled, so no doubling carries out of the top limb.
        let mut acc = vec![0u32; l + PAD];
        acc[(self.bits - 1) / w] = 1 << ((self.bits - 1) % w);
        for _ in self.bits - 1..=w * l {
            shift_left_one(&mut acc[..l], self.w, mask);
            if !less_than(&acc[..l], &self.n) {
                sub_in_place(&mut acc[..l], &self.n, mask);
            }
        }
        let exponent = (w as u64 * l as u64).to_be_bytes();
        let exponent = &exponent[exponent.iter().position(|&b| b != 0).expect("w * limbs > 0")..];
        self.pow_montgomery(&mut acc, exponent, &mut Scratch::new(l));
        acc.truncate(l);
        if !less_than(&acc, &self.n) {
            sub_in_place(&mut acc, &self.n, mask);
        }
        acc
    }

    /// acc = acc^e in Montgomery form (xR in, x^e R out, both below 2n; `limbs + PAD` long with
    /// zero padding), left to right from the bit below e's top one; e is big-endian without
    /// leading zeros.
    fn pow_montgomery(&self, acc: &mut Vec<u32>, e_be: &[u8], s: &mut Scratch) {
        let l = self.n.len();
        // The multiplier of the exponent's one bits, x R reversed.
        let x_rev = reversed(&acc[..l], 1);
        let top = e_be.len() * 8 - e_be[0].leading_zeros() as usize - 1;
        for bit in (0..top).rev() {
            reverse_into(&acc[..l], 2, &mut s.rev);
            self.mont_sqr(acc, &s.rev, &mut s.m, &mut s.out);
            core::mem::swap(acc, &mut s.out);
            if (e_be[e_be.len() - 1 - bit / 8] >> (bit % 8)) & 1 == 1 {
                self.mont_mul(acc, &x_rev, &mut s.m, &mut s.out);
                core::mem::swap(acc, &mut s.out);
            }
        }
    }

    /// The modulus's length in bits.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Length of the modulus in bytes (`k` in RFC 8017).
    pub fn byte_len(&self) -> usize {
        self.bits.div_ceil(8)
    }

    /// `base^e mod n` as `byte_len()` big-endian bytes; `None` if `base >= n` or `e == 0`.
    pub fn pow(&self, base_be: &[u8], e: u64) -> Option<Vec<u8>> {
        self.pow_be(base_be, &e.to_be_bytes())
    }

    /// `base^e mod n` with a big-endian exponent of any length (tests sign with it).
    pub fn pow_be(&self, base_be: &[u8], e_be: &[u8]) -> Option<Vec<u8>> {
        let l = self.n.len();
        let e_be = &e_be[e_be.iter().position(|&b| b != 0)?..];
        let base = to_limbs(base_be, self.w, l + PAD)?;
        if base[l..].iter().any(|&x| x != 0) || !less_than(&base[..l], &self.n) {
            return None;
        }
        let mut acc = vec![0u32; l + PAD];
        let mut s = Scratch::new(l);
        self.mont_mul(&base, &self.r2_rev, &mut s.m, &mut acc);
        self.pow_montgomery(&mut acc, e_be, &mut s);
        // Leaving Montgomery form (a product by 1) gives a value at most n: reduce it fully.
        self.columns(&acc, &s.rev, Product::ByOne, &mut s.m, &mut s.out);
        let out = &mut s.out[..l];
        if !less_than(out, &self.n) {
            sub_in_place(out, &self.n, self.mask);
        }
        Some(from_limbs(out, self.w, self.byte_len()))
    }

    /// out = a * b * R^-1 (mod n), below 2n for a, b below 2n. `b_rev` is b reversed as made
    /// by `reversed`; `a`, `m` and `out` are `limbs + PAD` long, with zero padding in `a`.
    fn mont_mul(&self, a: &[u32], b_rev: &[u32], m: &mut [u32], out: &mut [u32]) {
        self.columns(a, b_rev, Product::Mul, m, out)
    }

    /// out = a * a * R^-1 (mod n), below 2n for a below 2n. `a2_rev` is 2a reversed: each
    /// cross product a[i] * a[j] (i < j) is taken once against a doubled limb, which halves
    /// the multiplications of the product part.
    fn mont_sqr(&self, a: &[u32], a2_rev: &[u32], m: &mut [u32], out: &mut [u32]) {
        self.columns(a, a2_rev, Product::Square, m, out)
    }

    /// The Montgomery product by columns (finely integrated product scanning). With
    /// lo = max(0, c - limbs + 1) and hi = min(c, limbs - 1), column c is the carry plus
    /// - for a product, a[i] * b[c - i] for i in lo..=hi;
    /// - for a square, a[i] * 2a[c - i] for the pairs i < c - i, plus a[c/2]^2 when c is even;
    /// - for a product by one (leaving Montgomery form), a[c];
    /// - m[i] * n[c - i] for i in lo..=hi.
    ///
    /// Below `limbs` the column then chooses m[c] to make itself a multiple of 2^w and carries
    /// the rest; from `limbs` on, its low w bits are limb c - limbs of the result.
    ///
    /// Columns go in groups of `COLS` (k, k + 1, ..., k a multiple of `COLS`), summed in one
    /// pass over i that loads a[i] and m[i] once for all of them: x_rev and n_rev are read at
    /// neighbouring offsets, and the zeros around them make each column's extra terms at
    /// either end vanish. m[k..k + COLS] are still zero during the pass, so each m[c] found afterwards
    /// adds m[c] * n[d - c] to the later columns d of the group. Columns from 2 * limbs - 1 on
    /// have no products: the first holds the top limb of the result, the final carry, and any
    /// after it (the rest of the last group) are zero, written into `out`'s padding.
    fn columns(&self, a: &[u32], x_rev: &[u32], kind: Product, m: &mut [u32], out: &mut [u32]) {
        let (l, w, mask) = (self.n.len(), self.w, self.mask);
        // The low limbs of n, for the terms added after the pass.
        let n_low: [u64; COLS] = core::array::from_fn(|d| self.n.get(d).map_or(0, |&x| x as u64));
        // Lengths the dot products rely on (see `dot::columns`).
        assert!(a.len() >= l + PAD && m.len() >= l + PAD && out.len() >= l + COLS - 1);
        assert!(x_rev.len() >= l + 2 * PAD && self.n_rev.len() >= l + 2 * PAD);
        m.fill(0);
        let mut carry = 0u64;
        for k in (0..2 * l).step_by(COLS) {
            let (lo, hi) = (k.saturating_sub(l - 1), (k + COLS - 1).min(l - 1));
            let len = hi + 1 - lo;
            // x_rev[r + j] is limb k + COLS - 1 - (lo + j) of x (zero outside 0..limbs), and
            // x_rev[r + COLS - 1 - d + j] limb k + d - (lo + j); the same for n_rev.
            // r >= PAD + 1 - COLS, as lo >= k + 1 - limbs.
            let r = PAD + l + lo - COLS - k;
            // How many leading terms of the x sums count, for each column k + d. A square's
            // column c stops before its middle, c / 2; past the last column with products
            // (2 * limbs - 2) that bound may exceed `len`, and its terms are all zero.
            let x_len: [usize; COLS] = core::array::from_fn(|d| match kind {
                Product::Mul => len,
                Product::Square => (k + d).div_ceil(2).saturating_sub(lo).min(len),
                Product::ByOne => 0,
            });
            // The contract of `dot::columns` (its SIMD form relies on it; checked here for both).
            debug_assert!(x_len.iter().all(|&x| x <= len));
            let mut s = dot::columns(&a[lo..], &m[lo..], &x_rev[r..], &self.n_rev[r..], x_len, len);
            for (d, sd) in s.iter_mut().enumerate() {
                let c = k + d;
                match kind {
                    Product::Square if c % 2 == 0 => *sd += a[c / 2] as u64 * a[c / 2] as u64,
                    Product::ByOne if c < l => *sd += a[c] as u64,
                    _ => {}
                }
            }
            for d in 0..COLS {
                let c = k + d;
                s[d] += carry;
                if c < l {
                    let mc = ((s[d] & mask) * self.n0_inv) & mask;
                    m[c] = mc as u32;
                    for e in d..COLS {
                        s[e] += mc * n_low[e - d];
                    }
                    debug_assert_eq!(s[d] & mask, 0);
                } else {
                    out[c - l] = (s[d] & mask) as u32;
                }
                carry = s[d] >> w;
            }
        }
        // The result is below 2n < R: nothing is left over the top limb.
        debug_assert_eq!(carry, 0);
    }
}

/// The working arrays of a Montgomery exponentiation: the next result and the reduction
/// multipliers m (`limbs` limbs, then `PAD` zeros), and a reversed operand (the accumulator
/// doubled, for squaring; `PAD` zeros either side).
struct Scratch {
    out: Vec<u32>,
    m: Vec<u32>,
    rev: Vec<u32>,
}

impl Scratch {
    fn new(limbs: usize) -> Scratch {
        Scratch { out: vec![0; limbs + PAD], m: vec![0; limbs + PAD], rev: vec![0; limbs + 2 * PAD] }
    }
}

/// What `Modulus::columns` multiplies `a` by.
#[derive(Clone, Copy, PartialEq)]
enum Product {
    /// b, given reversed.
    Mul,
    /// a itself, given doubled and reversed.
    Square,
    /// 1 (the second operand is not read).
    ByOne,
}

fn inverse_mod_2_64(odd: u64) -> u64 {
    // Newton's iteration doubles the correct low bits each step; x = odd is right mod 8.
    let mut x = odd;
    for _ in 0..5 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
    }
    x
}

/// The inner loop: the sums of `COLS` neighbouring columns; for column d (counted from 0)
/// `s[d] = a[..x_len[d]] . x_rev[COLS - 1 - d..][..x_len[d]] + m[..len] . n_rev[COLS - 1 - d..][..len]`.
/// Limbs below 2^28 times limbs below 2^29 (doubled, for squaring): each product is below
/// 2^57, and each sum is bounded as in `limb_width`.
///
/// The SIMD form reads whole groups of four: `len` rounded up to four (plus `COLS - 1` for
/// the reversed operands), which the callers' lengths cover (`Modulus::columns` asserts
/// them), and the terms past `len` are zero (the `PAD` zeros around the limbs). The x terms
/// past `x_len[d]` need not be (a square's column stops at its middle), so the SIMD form
/// masks them; every `x_len[d] <= len`.
mod dot {
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    use super::COLS;

    // Column d reads x_rev and n_rev from COLS - 1 - d. Separate dot products per column: plain
    // loops the compiler vectorises well.
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    pub fn columns(
        a: &[u32],
        m: &[u32],
        x_rev: &[u32],
        n_rev: &[u32],
        x_len: [usize; COLS],
        len: usize,
    ) -> [u64; COLS] {
        let dot = |p: &[u32], q: &[u32]| p.iter().zip(q).map(|(&p, &q)| p as u64 * q as u64).sum::<u64>();
        core::array::from_fn(|d| {
            let off = COLS - 1 - d;
            dot(&a[..x_len[d]], &x_rev[off..]) + dot(&m[..len], &n_rev[off..])
        })
    }

    // Four limbs per step with wasm SIMD: the kernel, with the `unsafe` of its loads, is apart
    // in `simd::montgomery` (given `COLS` by the call's types).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    pub use crate::simd::montgomery::columns;
}

/// `limbs` reversed and multiplied by `factor` (1, or 2 for squaring) into `dst` after its
/// first `PAD` entries (the layout of `reversed`).
fn reverse_into(limbs: &[u32], factor: u32, dst: &mut [u32]) {
    for (d, &x) in dst[PAD..].iter_mut().zip(limbs.iter().rev()) {
        *d = x * factor;
    }
}

/// `PAD` zeros, `limbs` reversed and multiplied by `factor`, `PAD` zeros.
fn reversed(limbs: &[u32], factor: u32) -> Vec<u32> {
    let mut out = vec![0u32; limbs.len() + 2 * PAD];
    reverse_into(limbs, factor, &mut out);
    out
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

    /// A slow, independent reference: numbers are little-endian `u32` digits (radix 2^32,
    /// not the Montgomery code's limbs), products modulo n by shifting in one bit at a time.
    mod reference {
        pub fn from_be(be: &[u8], digits: usize) -> Vec<u32> {
            let mut out = vec![0u32; digits];
            for (i, &b) in be.iter().rev().enumerate() {
                out[i / 4] |= (b as u32) << (8 * (i % 4));
            }
            out
        }

        pub fn to_be(x: &[u32], len: usize) -> Vec<u8> {
            (0..len).rev().map(|i| x.get(i / 4).map_or(0, |d| (d >> (8 * (i % 4))) as u8)).collect()
        }

        fn geq(a: &[u32], b: &[u32]) -> bool {
            for (x, y) in a.iter().rev().zip(b.iter().rev()) {
                if x != y {
                    return x > y;
                }
            }
            true
        }

        /// a = a + b - (n if the sum reaches n), for a, b < n; one spare digit holds the carry.
        fn add_mod(a: &mut [u32], b: &[u32], n: &[u32]) {
            let mut carry = 0u64;
            for (x, &y) in a.iter_mut().zip(b) {
                let v = *x as u64 + y as u64 + carry;
                *x = v as u32;
                carry = v >> 32;
            }
            if carry != 0 || geq(a, n) {
                let mut borrow = 0i64;
                for (x, &y) in a.iter_mut().zip(n) {
                    let v = *x as i64 - y as i64 - borrow;
                    *x = v as u32;
                    borrow = (v < 0) as i64;
                }
            }
        }

        pub fn mul_mod(a: &[u32], b: &[u32], n: &[u32]) -> Vec<u32> {
            let mut r = vec![0u32; n.len()];
            for i in (0..32 * b.len()).rev() {
                let r2 = r.clone();
                add_mod(&mut r, &r2, n);
                if (b[i / 32] >> (i % 32)) & 1 == 1 {
                    add_mod(&mut r, a, n);
                }
            }
            r
        }

        pub fn pow_mod(base: &[u32], e: &[u8], n: &[u32]) -> Vec<u32> {
            let mut acc = vec![0u32; n.len()];
            acc[0] = 1;
            for &byte in e {
                for bit in (0..8).rev() {
                    acc = mul_mod(&acc, &acc, n);
                    if (byte >> bit) & 1 == 1 {
                        acc = mul_mod(&acc, base, n);
                    }
                }
            }
            acc
        }
    }

    /// A deterministic generator (xorshift64*): the tests need varied, repeatable bytes.
    struct Rng(u64);

    impl Rng {
        fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len)
                .map(|_| {
                    self.0 ^= self.0 >> 12;
                    self.0 ^= self.0 << 25;
                    self.0 ^= self.0 >> 27;
                    (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8
                })
                .collect()
        }

        /// An odd modulus of exactly `bits` bits.
        fn modulus(&mut self, bits: usize) -> Vec<u8> {
            let mut n = self.bytes(bits.div_ceil(8));
            let top = (bits - 1) % 8;
            n[0] = (n[0] & ((1u16 << (top + 1)) - 1) as u8) | (1 << top);
            *n.last_mut().unwrap() |= 1;
            n
        }
    }

    /// n - d as `len` big-endian bytes, for small d.
    fn minus_small(n: &[u8], d: u8) -> Vec<u8> {
        let mut out = n.to_vec();
        let mut borrow = d as u16;
        for b in out.iter_mut().rev() {
            let v = (*b as u16).wrapping_sub(borrow);
            *b = v as u8;
            borrow = (v >> 15) & 1;
        }
        out
    }

    fn check_against_reference(n_be: &[u8], bases: &[Vec<u8>], exps: &[&[u8]]) {
        let m = Modulus::new(n_be).unwrap();
        let k = m.byte_len();
        let digits = k.div_ceil(4) + 1;
        let n = reference::from_be(n_be, digits);
        for base in bases {
            for e in exps {
                let want = reference::to_be(&reference::pow_mod(&reference::from_be(base, digits), e, &n), k);
                let got = m.pow_be(base, e).unwrap();
                assert_eq!(got, want, "bits={} e={e:02x?} base={:02x?}", m.bits(), &base[..4]);
            }
        }
    }

    #[test]
    fn exponentiation_agrees_with_a_reference_at_every_supported_size() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        // Around 2048 and 4096 bits, both sides of the 28/26-bit limb switch (3,554/3,555 bits),
        // the largest size, and sizes that leave partial groups of four limbs.
        for bits in [1024, 2047, 2048, 2049, 2076, 3072, 3554, 3555, 4096, 8192] {
            let n = rng.modulus(bits);
            let k = n.len();
            // 0, 1, random (top byte halved: below n), n - 1, n - 2, and near n.
            let mut one = vec![0u8; k];
            one[k - 1] = 1;
            let mut bases = vec![vec![0u8; k], one, rng.bytes(k)];
            bases[2][0] &= n[0] >> 1;
            bases.push(minus_small(&n, 1));
            bases.push(minus_small(&n, 2));
            // Just below n in its top byte, random below.
            let mut near = rng.bytes(k);
            near[0] = n[0] - 1;
            bases.push(near);
            // 65537 (every JWA key), 3, and a random 64-bit exponent for many multiplications.
            let random_e = rng.bytes(8);
            let exps: &[&[u8]] = if bits > 4096 { &[&[1, 0, 1]] } else { &[&[1, 0, 1], &[3], &random_e] };
            check_against_reference(&n, &bases, exps);
        }
    }

    #[test]
    fn extreme_limbs_stay_within_the_column_bound() {
        // n = 2^bits - 1 has every limb at its maximum; a = 2n - 1 is the largest operand an
        // intermediate may be. Overflow checks (debug builds) and the comparison with the
        // reference catch a column that overflows.
        for bits in [2048usize, 3554, 3555, 8192] {
            let mut n = vec![0xffu8; bits.div_ceil(8)];
            n[0] = (0xffu16 >> (8 * n.len() - bits)) as u8;
            let m = Modulus::new(&n).unwrap();
            let l = m.n.len();
            let two_n_minus_1: Vec<u32> = {
                let mut v = m.n.clone();
                shift_left_one(&mut v, m.w, m.mask);
                v[0] -= 1;
                v.resize(l + PAD, 0);
                v
            };
            let (rev1, rev2) = (reversed(&two_n_minus_1[..l], 1), reversed(&two_n_minus_1[..l], 2));
            let (mut mm, mut sq, mut scratch) = (vec![0u32; l + PAD], vec![0u32; l + PAD], vec![0u32; l + PAD]);
            m.mont_mul(&two_n_minus_1, &rev1, &mut scratch, &mut mm);
            m.mont_sqr(&two_n_minus_1, &rev2, &mut scratch, &mut sq);
            assert_eq!(mm, sq, "bits={bits}: square and product differ");
            // (2n - 1)^2 R^-1 = R^-1 (mod n); check R * result = 1 (mod n) through pow's
            // own exit: mont_mul(result, R^2) = result * R = 1 (mod n).
            let mut out = vec![0u32; l + PAD];
            m.mont_mul(&sq, &m.r2_rev, &mut scratch, &mut out);
            let mut out = out[..l].to_vec();
            if !less_than(&out, &m.n) {
                sub_in_place(&mut out, &m.n, m.mask);
            }
            let mut one = vec![0u32; l];
            one[0] = 1;
            assert_eq!(out, one, "bits={bits}");
        }
    }

    #[test]
    fn column_bound_holds_up_to_the_largest_modulus() {
        for bits in 2..=8192 {
            let (w, limbs) = limb_width(bits);
            assert!(column_bound_holds(w, limbs), "{bits} bits");
            assert!(w as usize * limbs >= bits + 2, "{bits} bits: R > 4n");
        }
        assert_eq!(limb_width(3554), (28, 127));
        assert_eq!(limb_width(3555), (26, 137));
        // The bound is tight: one more 28-bit limb would overflow.
        assert!(!column_bound_holds(28, 128));
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

    /// R^2 mod n is 2^(2 * w * limbs) mod n, computed by the slow reference, for moduli at
    /// the edges of the start value 2^(bits - 1) (n just above it, all ones) and of the limbs
    /// (either side of a multiple of w, of the 28-bit to 26-bit switch), and random ones.
    #[test]
    fn r_squared_is_two_to_twice_the_limb_bits() {
        let mut rng = Rng(0x5eed_2025);
        for bits in [2usize, 3, 5, 27, 28, 29, 30, 55, 56, 57, 512, 1023, 2046, 2047, 2048, 2049, 3554, 3555, 4096] {
            let bytes = bits.div_ceil(8);
            let top = (bits - 1) % 8;
            let mut just_above = vec![0u8; bytes];
            just_above[0] = 1 << top;
            *just_above.last_mut().unwrap() |= 1;
            let mut all_ones = vec![0xffu8; bytes];
            all_ones[0] = ((1u16 << (top + 1)) - 1) as u8;
            for n in [just_above, all_ones, rng.modulus(bits), rng.modulus(bits)] {
                if n == [1] {
                    continue;
                }
                let m = Modulus::new(&n).unwrap();
                let (w, limbs) = limb_width(bits);
                let exponent = (2 * w as usize * limbs).to_be_bytes();
                let digits = bytes.div_ceil(4) + 1;
                let n_digits = reference::from_be(&n, digits);
                let want = reference::pow_mod(&reference::from_be(&[2], digits), &exponent, &n_digits);
                let r2: Vec<u32> = m.r2_rev[PAD..PAD + limbs].iter().rev().copied().collect();
                assert_eq!(from_limbs(&r2, w, bytes), reference::to_be(&want, bytes), "{bits}-bit n = {n:02x?}");
            }
        }
    }

    fn u128_from_be(b: &[u8]) -> u128 {
        b.iter().fold(0u128, |v, &x| (v << 8) | x as u128)
    }
}
