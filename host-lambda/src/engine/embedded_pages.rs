//! The embedded `.cwasm`'s pages in the executable, given back once the module is loaded.
//!
//! `Module::deserialize` copies the compiled module into memory of its own (wasmtime makes
//! that copy executable), which reads every page of the 1.1 MB the binary embeds: without
//! this, the process keeps both copies resident for its whole life. The embedded bytes sit in
//! the executable's read-only data, a private file mapping nothing ever writes, so dropping
//! this process's pages of it loses nothing: a later read (another `Engine::embedded`) pages
//! them in again from the file.

/// Drop the resident pages that lie wholly inside `bytes` (Linux; elsewhere nothing).
pub(super) fn release(bytes: &'static [u8]) {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: sysconf has no preconditions.
        let page = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
            p if p > 0 => p as usize,
            _ => return,
        };
        let start = (bytes.as_ptr() as usize).next_multiple_of(page);
        let end = (bytes.as_ptr() as usize + bytes.len()) / page * page;
        if end <= start {
            return;
        }
        // SAFETY: [start, end) is page-aligned and lies inside `bytes`, a `'static` slice of
        // the executable's read-only data: mapped privately from the file and never written,
        // so no page of it holds anything but the file's contents. MADV_DONTNEED on such a
        // mapping only unmaps this process's pages; the next access reads the same bytes from
        // the file, so every reference to `bytes` stays valid and sees the same values. The
        // advice can fail only for arguments outside a mapping, and is then ignored: the
        // pages just stay resident.
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
        }
    }
}
