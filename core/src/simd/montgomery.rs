//! Montgomery multiplication's kernel: the dot products of `COLS` neighbouring columns, four
//! limbs at a time, for `crypto::bigint` (`dot::columns` there states the sums, and holds the
//! scalar form other targets run). `COLS` is a parameter so that this file needs nothing of
//! the crate; bigint.rs calls it with its own.
#![allow(unsafe_code)]

use core::arch::wasm32::*;

/// `bigint::dot::columns` for wasm32: four limbs per step, one 128-bit load of u32 limbs per
/// operand, two widening multiplies (i64x2.extmul_{low,high}_i32x4_u), sums kept in u64 lanes,
/// one per column. It reads whole groups of four: `len` rounded up to four, plus `COLS - 1`
/// for the reversed operands (asserted here), and the x terms past `x_len[d]` are masked.
pub fn columns<const COLS: usize>(
    a: &[u32],
    m: &[u32],
    x_rev: &[u32],
    n_rev: &[u32],
    x_len: [usize; COLS],
    len: usize,
) -> [u64; COLS] {
    let end = 4 * len.div_ceil(4);
    assert!(x_len.iter().all(|&x| x <= len));
    assert!(a.len().min(m.len()) >= end && x_rev.len().min(n_rev.len()) >= end + COLS - 1);
    let (a, m, x_rev, n_rev) = (a.as_ptr(), m.as_ptr(), x_rev.as_ptr(), n_rev.as_ptr());
    // SAFETY: `load` is called only below, with a multiple of four j < end (every loop stops
    // there: x_min <= x_max <= len <= end), so j + 4 <= end: the 16 bytes read from a or m at
    // j, and from x_rev or n_rev at j + COLS - 1 - d (d < COLS), are within the slices, whose
    // lengths are asserted above and which stay borrowed for the whole call; unaligned v128
    // loads are allowed in wasm.
    let load = |p: *const u32, j: usize| unsafe { v128_load(p.add(j) as *const v128) };
    let prod = |p: v128, q: v128| u64x2_add(u64x2_extmul_low_u32x4(p, q), u64x2_extmul_high_u32x4(p, q));
    let mut acc = [u64x2_splat(0); COLS];
    // One group of four limbs of the x and y sums, and of the y sums only.
    let xy = |acc: &mut [v128; COLS], j: usize| {
        let (va, vm) = (load(a, j), load(m, j));
        for (d, acc) in acc.iter_mut().enumerate() {
            let off = j + COLS - 1 - d;
            let s = u64x2_add(prod(va, load(x_rev, off)), prod(vm, load(n_rev, off)));
            *acc = u64x2_add(*acc, s);
        }
    };
    let y = |acc: &mut [v128; COLS], j: usize| {
        let vm = load(m, j);
        for (d, acc) in acc.iter_mut().enumerate() {
            *acc = u64x2_add(*acc, prod(vm, load(n_rev, j + COLS - 1 - d)));
        }
    };
    let (x_min, x_max) = (*x_len.iter().min().unwrap(), *x_len.iter().max().unwrap());
    // Two groups per iteration where possible: fewer loop branches and fuel checks per
    // product, which wasmtime (Cranelift, fuel) gains from; V8 loses a little (its register
    // allocator spills two of the sums in the longer body), and wasmtime is the slower host.
    let mut j = 0;
    while j + 8 <= x_min {
        xy(&mut acc, j);
        xy(&mut acc, j + 4);
        j += 8;
    }
    if j + 4 <= x_min {
        xy(&mut acc, j);
        j += 4;
    }
    // The groups where some x terms stop: keep the first x_len[d] - j lanes of a.
    while j < x_max {
        let (va, vm) = (load(a, j), load(m, j));
        for (d, acc) in acc.iter_mut().enumerate() {
            let off = j + COLS - 1 - d;
            let keep = u32x4_lt(u32x4(0, 1, 2, 3), u32x4_splat(x_len[d].saturating_sub(j) as u32));
            let px = prod(v128_and(va, keep), load(x_rev, off));
            *acc = u64x2_add(*acc, u64x2_add(px, prod(vm, load(n_rev, off))));
        }
        j += 4;
    }
    while j + 8 <= end {
        y(&mut acc, j);
        y(&mut acc, j + 4);
        j += 8;
    }
    if j < end {
        y(&mut acc, j);
    }
    acc.map(|s| u64x2_extract_lane::<0>(s) + u64x2_extract_lane::<1>(s))
}
