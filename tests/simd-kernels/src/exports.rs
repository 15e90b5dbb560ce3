//! The module's C ABI for host-lambda/tests/simd_kernels.rs: each export takes its inputs as
//! (pointer, length) pairs in linear memory and writes its results to a buffer the test
//! names, so that the test can place any of them where it likes, including so that they end
//! exactly at the end of linear memory, where a read or write past them traps.
//!
//! The crate's only `unsafe` besides the kernels: the exports are `no_mangle`, and their
//! arguments are raw pointers into the module's memory, which the test filled.
#![allow(unsafe_code)]

use crate::bigint::Modulus;
use crate::{b64, scan, simd};

/// `len` bytes at `ptr`, or none.
///
/// # Safety
/// `ptr..ptr + len` must lie within linear memory (every byte of which is initialised), and
/// nothing may write it while the slice lives (the module is single-threaded, and the test
/// passes output buffers that overlap no input).
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    // SAFETY: the caller's contract; an empty slice takes no pointer (0 is a valid address in
    // wasm but null in Rust).
    if len == 0 { &[] } else { unsafe { core::slice::from_raw_parts(ptr, len) } }
}

/// `len` bytes at `ptr` to write, or none.
///
/// # Safety
/// As `bytes`, and nothing else may read or write them while the slice lives.
unsafe fn bytes_mut<'a>(ptr: *mut u8, len: usize) -> &'a mut [u8] {
    // SAFETY: the caller's contract, as in `bytes`.
    if len == 0 { &mut [] } else { unsafe { core::slice::from_raw_parts_mut(ptr, len) } }
}

/// `len` `u32` limbs at `ptr`, which must be aligned to 4 (checked: a trap otherwise).
///
/// # Safety
/// As `bytes`, for `4 * len` bytes.
unsafe fn limbs<'a>(ptr: *const u32, len: usize) -> &'a [u32] {
    assert!(ptr.is_aligned());
    // SAFETY: the caller's contract, as in `bytes`; aligned (asserted), and any bits are a u32.
    if len == 0 { &[] } else { unsafe { core::slice::from_raw_parts(ptr, len) } }
}

/// A 16-byte aligned block, the unit of `alloc`.
#[derive(Clone, Copy)]
#[repr(C, align(16))]
struct Block([u8; 16]);

/// `len` bytes, aligned to 16, for the test's buffers; never freed (it takes a few at start).
#[unsafe(no_mangle)]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut buf = vec![Block([0; 16]); len.div_ceil(16).max(1)];
    let ptr = buf.as_mut_ptr().cast::<u8>();
    core::mem::forget(buf);
    ptr
}

/// `simd::base64::decode` on `text` into `out`: returns twice the characters it took, plus 1
/// if they were all in the alphabet.
///
/// # Safety
/// See `bytes` and `bytes_mut`; `out` overlaps no input.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn b64_blocks(text: *const u8, text_len: usize, out: *mut u8, out_len: usize) -> u32 {
    // SAFETY: the caller's contract, which is this function's.
    let (text, out) = unsafe { (bytes(text, text_len), bytes_mut(out, out_len)) };
    let (read, valid) = simd::base64::decode(text, out);
    2 * read as u32 + u32::from(valid)
}

/// `b64::decode` (the kernel, then the scalar loop for what it leaves) on `text`: the decoded
/// length, its bytes copied to `out` (at least that long, or a trap), or -1 if refused.
///
/// # Safety
/// See `bytes` and `bytes_mut`; `out` overlaps no input.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn b64_decode(text: *const u8, text_len: usize, out: *mut u8, out_len: usize) -> i32 {
    // SAFETY: the caller's contract, which is this function's.
    let (text, out) = unsafe { (bytes(text, text_len), bytes_mut(out, out_len)) };
    match b64::decode(text) {
        Some(decoded) => {
            out[..decoded.len()].copy_from_slice(&decoded);
            decoded.len() as i32
        }
        None => -1,
    }
}

/// `simd::dot_scan::find` for `byte` in `haystack`: `Ok(at)` as `at`, `Err(searched)` as
/// `-1 - searched`.
///
/// # Safety
/// See `bytes`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dot_scan_blocks(haystack: *const u8, len: usize, byte: u32) -> i32 {
    // SAFETY: the caller's contract, which is this function's.
    let haystack = unsafe { bytes(haystack, len) };
    match simd::dot_scan::find(haystack, byte as u8) {
        Ok(at) => at as i32,
        Err(searched) => -1 - searched as i32,
    }
}

/// `scan::find` (the kernel, then the scalar search for what it leaves): the position of the
/// first `byte` in `haystack`, or -1.
///
/// # Safety
/// See `bytes`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn scan_find(haystack: *const u8, len: usize, byte: u32) -> i32 {
    // SAFETY: the caller's contract, which is this function's.
    let haystack = unsafe { bytes(haystack, len) };
    scan::find(haystack, byte as u8).map_or(-1, |at| at as i32)
}

/// `simd::montgomery::columns` with four columns (bigint.rs's `COLS`): the four sums written
/// to `out` as little-endian `u64`s (32 bytes). The limb arrays must be aligned to 4.
///
/// # Safety
/// See `limbs` and `bytes_mut`; `out` overlaps no input.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn montgomery_columns(
    a: *const u32,
    a_len: usize,
    m: *const u32,
    m_len: usize,
    x_rev: *const u32,
    x_rev_len: usize,
    n_rev: *const u32,
    n_rev_len: usize,
    x_len: u64,
    len: usize,
    out: *mut u8,
) {
    // SAFETY: the caller's contract, which is this function's.
    let (a, m, x_rev, n_rev, out) = unsafe {
        (limbs(a, a_len), limbs(m, m_len), limbs(x_rev, x_rev_len), limbs(n_rev, n_rev_len), bytes_mut(out, 32))
    };
    // The four x lengths, 16 bits each (lowest first): wasm has no array parameters.
    let x_len = core::array::from_fn(|d| (x_len >> (16 * d) & 0xffff) as usize);
    let sums = simd::montgomery::columns::<4>(a, m, x_rev, n_rev, x_len, len);
    for (dst, sum) in out.chunks_exact_mut(8).zip(sums) {
        dst.copy_from_slice(&sum.to_le_bytes());
    }
}

/// `bigint::Modulus::new(n)` then `pow_be(base, e)` (the Montgomery code with the kernel):
/// the result's length, its bytes copied to `out` (at least that long, or a trap); -1 if the
/// modulus is refused, -2 if the base or exponent is.
///
/// # Safety
/// See `bytes` and `bytes_mut`; `out` overlaps no input.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn modexp(
    n: *const u8,
    n_len: usize,
    base: *const u8,
    base_len: usize,
    e: *const u8,
    e_len: usize,
    out: *mut u8,
    out_len: usize,
) -> i32 {
    // SAFETY: the caller's contract, which is this function's.
    let (n, base) = unsafe { (bytes(n, n_len), bytes(base, base_len)) };
    // SAFETY: the same.
    let (e, out) = unsafe { (bytes(e, e_len), bytes_mut(out, out_len)) };
    let Some(modulus) = Modulus::new(n) else { return -1 };
    match modulus.pow_be(base, e) {
        Some(result) => {
            out[..result.len()].copy_from_slice(&result);
            result.len() as i32
        }
        None => -2,
    }
}
