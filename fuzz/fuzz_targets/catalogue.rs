//! A catalogue version from the platform or a file: checked, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = clerk_core::catalogue::Catalogue::parse(s);
});
