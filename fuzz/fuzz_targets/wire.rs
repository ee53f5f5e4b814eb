//! What a window or a client sends the platform: a push body, a pull
//! cursor, a Range header. Never a panic; a cursor that parses is one
//! the platform could have made; a range lies within the blob.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<platform_api::PushRequest>(data);
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some((epoch, seq, office)) = platform_api::cursor::parse(s) {
            let again = platform_api::cursor::make(&epoch, seq, &office);
            assert_eq!(platform_api::cursor::parse(&again), Some((epoch, seq, office)));
        }
        for size in [0u64, 1, 100, u64::MAX] {
            if let Some((a, b)) = platform_api::tus::parse_range(s, size) {
                assert!(a <= b && b < size, "{s:?} {size}: {a}-{b}");
            }
        }
    }
});
