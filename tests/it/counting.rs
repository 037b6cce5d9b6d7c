//! The system allocator with a hook on every change of the live heap: the
//! one `GlobalAlloc` both test binaries install, each with its own count
//! (`alloc.rs` per thread, `tests/resources.rs` for the whole process).

use std::alloc::{GlobalAlloc, Layout, System};

/// Forwards to `System`, then tells `.0` by how many bytes the live heap
/// changed.
pub struct Counting(pub fn(isize));

// SAFETY: every call is forwarded unchanged to `System`; only counters move.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            (self.0)(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            (self.0)(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        (self.0)(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            (self.0)(new_size as isize - layout.size() as isize);
        }
        p
    }
}
