//! A year's holiday schedule or a whole calendar file: checked, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|s: &str| {
    let _ = clerk_core::calendar::YearSchedule::parse(s);
    let _ = clerk_core::calendar::WorkCalendar::parse(s);
});
