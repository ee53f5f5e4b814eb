//! Receipt numbers: what parses prints back the same.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    if let Ok(r) = clerk_core::receipt::ReceiptNo::parse(s) {
        let again = r.to_string();
        assert_eq!(
            clerk_core::receipt::ReceiptNo::parse(&again).map(|r| r.to_string()),
            Ok(again)
        );
    }
});
