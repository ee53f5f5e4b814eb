//! Citizen IDs (GB 11643 and the permits), USCC (GB 32100), organisation
//! codes (GB 11714): any text gives an answer, never a panic, and a number
//! found valid keeps its check character.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let today = clerk_core::date::Date::parse_iso("2026-03-02").unwrap();
    if let Ok(id) = clerk_core::ids::check_citizen_id(s, today) {
        let _ = id;
        let n = s.trim().to_uppercase();
        if n.len() == 18 {
            assert_eq!(
                clerk_core::ids::citizen_id_check_char(&n[..17]),
                n.chars().last()
            );
        }
    }
    let _ = clerk_core::ids::upgrade_15_digit(s);
    let _ = clerk_core::ids::check_uscc(s);
    let _ = clerk_core::ids::uscc_embedded_org_code_ok(s);
    let _ = clerk_core::ids::check_org_code(s);
    let _ = clerk_core::ids::mask_id(s);
    let _ = clerk_core::ids::mask_phone(s);
});
