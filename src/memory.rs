//! When freed memory goes back to the system.
//!
//! The `listmerge` binary allocates with mimalloc, which hands memory that has stayed
//! free for a while back to the system and takes fresh pages when it needs more. At two
//! points of a run that round trip is wasted work, because what one step frees the next
//! needs again straight away:
//!
//! - normalising frees each wave's raw values and (on large runs) its parked contacts
//!   while the next wave allocates as much again;
//! - on runs that park the contacts, the match keys (about a third of a KB per record)
//!   are freed just before the contacts are read back.
//!
//! A fresh page costs a page fault and zeroing; on a virtual machine that reports its
//! free memory to the host, as this project's benchmark machine does, a fault on the
//! host as well. A [`Hold`] keeps freed memory in the process while it lives and hands
//! back whatever is still free when it ends, so the peak does not grow: on 10M generated
//! records the kernel's share of the run fell and the peak stayed where it was (see
//! BENCHMARKS.md).
//!
//! Where mimalloc is not the global allocator (the library's own tests, a program that
//! embeds the library) a hold changes the setting of an allocator nobody uses, which
//! costs nothing.

use std::os::raw::c_long;
use std::sync::Mutex;

/// mimalloc's `mi_option_purge_delay` (its position in `mi_option_t`, the same in
/// mimalloc 2 and 3; the Rust bindings leave it out): milliseconds a freed page waits
/// before it goes back to the system.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The purge delay while held: an hour, longer than any run's hold. Not "never"
/// (-1): pages freed under "never" are not queued for purging at all, so the end of
/// the hold could not hand them back.
const HOLD_MS: c_long = 3_600_000;

/// Holds open, and the delay to put back when the last one ends. Runs in one process
/// (the tests) may overlap; the first hold sets the delay and the last one restores it.
static HOLDS: Mutex<(usize, c_long)> = Mutex::new((0, 0));

/// Freed memory stays in the process until this is dropped.
#[must_use = "memory is held only while the Hold lives"]
pub struct Hold(());

impl Hold {
    /// Starts holding freed memory.
    pub fn start() -> Hold {
        let mut holds = HOLDS.lock().unwrap_or_else(|e| e.into_inner());
        if holds.0 == 0 {
            holds.1 = purge_delay();
            set_purge_delay(HOLD_MS);
        }
        holds.0 += 1;
        Hold(())
    }
}

impl Drop for Hold {
    /// Puts the delay back and, when no other hold is open, hands back what is free.
    fn drop(&mut self) {
        let mut holds = HOLDS.lock().unwrap_or_else(|e| e.into_inner());
        holds.0 -= 1;
        if holds.0 == 0 {
            set_purge_delay(holds.1);
            // SAFETY: mi_collect takes no pointers; it frees and purges what mimalloc
            // itself holds unused.
            unsafe { libmimalloc_sys::mi_collect(true) };
        }
    }
}

fn purge_delay() -> c_long {
    // SAFETY: reading an option takes no pointers; an unset option is read from the
    // environment (MIMALLOC_PURGE_DELAY) or its default first.
    unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }
}

fn set_purge_delay(ms: c_long) {
    // SAFETY: setting an option takes no pointers. mimalloc calls option changes not
    // thread safe because its own threads read the value without a lock while they
    // free: such a thread sees the old delay or the new one, and either is a valid
    // delay. Holds are started and ended between pipeline stages, when the worker
    // threads are idle.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, ms) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Option 15 is the purge delay: mimalloc's default for it (1000 ms in mimalloc 3)
    /// unless something holds or the environment sets it; holds nest and the last one
    /// puts the delay back.
    #[test]
    fn holds_set_the_purge_delay_and_put_it_back() {
        {
            let holds = HOLDS.lock().unwrap_or_else(|e| e.into_inner());
            if holds.0 == 0 && std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
                assert_eq!(purge_delay(), 1000, "option 15 is not the purge delay");
            }
        }
        let outer = Hold::start();
        let inner = Hold::start();
        assert_eq!(purge_delay(), HOLD_MS);
        drop(outer);
        assert_eq!(purge_delay(), HOLD_MS, "another hold is still open");
        drop(inner);
        let holds = HOLDS.lock().unwrap_or_else(|e| e.into_inner());
        if holds.0 == 0 {
            assert_eq!(purge_delay(), holds.1);
            assert_ne!(holds.1, HOLD_MS);
        }
    }
}
