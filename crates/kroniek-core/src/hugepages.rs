//! A global allocator that backs large allocations with transparent huge pages.
//!
//! The models' lookup tables (NER features and gazetteer, event and syntax perceptron
//! weights) are several MB each and are probed at random: with 4 KiB pages almost every
//! probe is a TLB miss as well as a cache miss. Where the kernel gives transparent huge
//! pages only on request (`/sys/kernel/mm/transparent_hugepage/enabled` = `madvise`, a
//! common default), allocations of [`HugePageAlloc::THRESHOLD`] bytes or more are
//! 2 MiB-aligned, rounded up to whole 2 MiB (from the system allocator) and marked
//! `MADV_HUGEPAGE` before first use. Everything else goes to the allocator it wraps (the
//! system's, or a faster one for many small blocks: the `kroniek` binary wraps mimalloc).
//! It changes no result, only where memory sits; binaries opt in:
//!
//! ```
//! #[global_allocator]
//! static ALLOC: kroniek_core::hugepages::HugePageAlloc =
//!     kroniek_core::hugepages::HugePageAlloc(std::alloc::System);
//! # fn main() { let v = vec![0u8; 4 << 20]; assert_eq!(v.len(), 4 << 20); }
//! ```

use std::alloc::{GlobalAlloc, Layout, System};

/// Huge pages for large blocks, `A` for the others (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct HugePageAlloc<A = System>(pub A);

const HUGE: usize = 2 << 20;

impl<A> HugePageAlloc<A> {
    /// Allocations of at least this many bytes get huge pages.
    pub const THRESHOLD: usize = 2 << 20;

    /// The layout actually requested from the system for a large `layout`.
    #[inline]
    fn huge(layout: Layout) -> Option<Layout> {
        if layout.size() < Self::THRESHOLD {
            return None;
        }
        let size = layout.size().checked_add(HUGE - 1)? & !(HUGE - 1);
        Layout::from_size_align(size, layout.align().max(HUGE)).ok()
    }
}

#[cfg(target_os = "linux")]
fn advise(ptr: *mut u8, len: usize) {
    extern "C" {
        fn madvise(addr: *mut std::ffi::c_void, len: usize, advice: i32) -> i32;
    }
    const MADV_HUGEPAGE: i32 = 14;
    // SAFETY: `ptr..ptr + len` is a block this allocator just obtained and owns; the
    // advice changes only how the kernel backs it, never its contents. Failure is harmless.
    unsafe {
        madvise(ptr.cast(), len, MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_ptr: *mut u8, _len: usize) {}

// SAFETY: a large block is obtained from and returned to `System`, a small one to `A`,
// each with the same layout (`huge()` is a pure function of the caller's layout, and a
// `realloc` across the threshold moves the block), so their guarantees carry over.
unsafe impl<A: GlobalAlloc> GlobalAlloc for HugePageAlloc<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match Self::huge(layout) {
            None => self.0.alloc(layout),
            Some(l) => {
                let p = System.alloc(l);
                if !p.is_null() {
                    advise(p, l.size());
                }
                p
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match Self::huge(layout) {
            None => self.0.alloc_zeroed(layout),
            Some(l) => {
                let p = System.alloc(l);
                if !p.is_null() {
                    advise(p, l.size());
                    std::ptr::write_bytes(p, 0, layout.size());
                }
                p
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match Self::huge(layout) {
            None => self.0.dealloc(ptr, layout),
            Some(l) => System.dealloc(ptr, l),
        }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align_unchecked(new_size, layout.align());
        if Self::huge(layout).is_none() && Self::huge(new).is_none() {
            return self.0.realloc(ptr, layout, new_size);
        }
        let p = self.alloc(new);
        if !p.is_null() {
            std::ptr::copy_nonoverlapping(ptr, p, layout.size().min(new_size));
            self.dealloc(ptr, layout);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_round_trip() {
        let a = HugePageAlloc(System);
        for size in [1usize, 100, (2 << 20) - 1, 2 << 20, (3 << 20) + 5] {
            let l = Layout::from_size_align(size, 8).unwrap();
            // SAFETY: non-zero sizes; every block is freed with its own layout.
            unsafe {
                let p = a.alloc_zeroed(l);
                assert!(!p.is_null());
                assert!(std::slice::from_raw_parts(p, size).iter().all(|&b| b == 0));
                *p = 7;
                let q = a.realloc(p, l, size * 2);
                assert_eq!(*q, 7);
                a.dealloc(q, Layout::from_size_align(size * 2, 8).unwrap());
            }
        }
    }

    /// Counts the blocks live in the wrapped allocator.
    struct Counting(std::sync::atomic::AtomicIsize);

    // SAFETY: `System` with a counter beside it.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, l: Layout) -> *mut u8 {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            System.alloc(l)
        }
        unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
            self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            System.dealloc(p, l)
        }
    }

    #[test]
    fn small_blocks_go_to_the_wrapped_allocator_and_move_across_the_threshold() {
        let a = HugePageAlloc(Counting(std::sync::atomic::AtomicIsize::new(0)));
        let live = || a.0 .0.load(std::sync::atomic::Ordering::Relaxed);
        let big = HugePageAlloc::<System>::THRESHOLD;
        let l = |size| Layout::from_size_align(size, 8).unwrap();
        // SAFETY: non-zero sizes; every block is freed with its own layout.
        unsafe {
            let p = a.alloc(l(100));
            assert_eq!(live(), 1);
            *p = 3;
            // Growing past the threshold moves the block to huge pages...
            let q = a.realloc(p, l(100), big + 10);
            assert_eq!((live(), *q), (0, 3));
            let zeros = a.alloc_zeroed(l(big));
            assert_eq!(live(), 0);
            assert!(std::slice::from_raw_parts(zeros, big)
                .iter()
                .all(|&b| b == 0));
            a.dealloc(zeros, l(big));
            // ...and shrinking below it moves it back.
            let r = a.realloc(q, l(big + 10), 50);
            assert_eq!((live(), *r), (1, 3));
            let zeroed_small = a.alloc_zeroed(l(64));
            assert_eq!(live(), 2);
            a.dealloc(zeroed_small, l(64));
            a.dealloc(r, l(50));
            assert_eq!(live(), 0);
        }
    }
}
