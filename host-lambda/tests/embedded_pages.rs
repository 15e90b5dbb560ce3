//! The embedded `.cwasm` is not kept resident twice: once `Engine::embedded` has loaded it
//! (wasmtime runs its own copy), the executable's pages of it are given back, and reading
//! them again still gives the same bytes. Residency is read from /proc/self/pagemap (bit 63 of
//! a page's entry: present in RAM), one entry per page of this process's address space. Its
//! own process (an integration test file), so no other test touches the bytes meanwhile.
#![cfg(target_os = "linux")]

use jwtgate_lambda::engine::{EMBEDDED_CWASM, Engine};
use std::fs::File;
use std::os::unix::fs::FileExt;

fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions.
    usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).expect("a page size")
}

/// The pages wholly inside `bytes`, as page numbers first..last.
fn whole_pages(bytes: &[u8]) -> (usize, usize) {
    let page = page_size();
    ((bytes.as_ptr() as usize).div_ceil(page), (bytes.as_ptr() as usize + bytes.len()) / page)
}

/// How many of the pages wholly inside `bytes` are present in this process's memory.
fn resident_pages(bytes: &[u8]) -> usize {
    let pagemap = File::open("/proc/self/pagemap").expect("/proc/self/pagemap is readable");
    let (first, last) = whole_pages(bytes);
    let mut entries = vec![0u8; (last - first) * 8];
    pagemap.read_exact_at(&mut entries, (first * 8) as u64).expect("the pagemap entries");
    entries.chunks_exact(8).filter(|e| u64::from_le_bytes((*e).try_into().unwrap()) >> 63 == 1).count()
}

fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |h, &b| h.wrapping_mul(0x100_0000_01b3) ^ u64::from(b))
}

#[test]
fn the_embedded_module_is_not_kept_resident_after_loading() {
    let (first, last) = whole_pages(EMBEDDED_CWASM);
    let pages = last - first;
    assert!(pages > 200, "the embedded module spans {pages} pages");
    // Read every byte: all its pages are present (the measure sees residency).
    let before = checksum(std::hint::black_box(EMBEDDED_CWASM));
    assert_eq!(resident_pages(EMBEDDED_CWASM), pages, "after reading the bytes");

    let engine = Engine::embedded().expect("the embedded module loads");
    let left = resident_pages(EMBEDDED_CWASM);
    assert!(left <= pages / 100, "{left} of {pages} pages still resident after loading");

    // Paged in again from the file, unchanged: a second load reads them as the first did.
    assert_eq!(checksum(std::hint::black_box(EMBEDDED_CWASM)), before);
    drop(engine);
    Engine::embedded().expect("the embedded module loads again");
}
