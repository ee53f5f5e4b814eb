//! The audit chain (issue #13): every audit row's link is SM3 (the `gm1`
//! suite) over the previous link and the row's own digest, so an edited,
//! deleted or reordered row breaks every link after it. Both sides compute
//! it with this code: the window over its rows, the platform over the
//! digests a push carries (it never sees the rows).

use sm3::Digest;

/// The link before the first row.
pub const GENESIS: [u8; 32] = [0; 32];

/// SM3 of a row's canonical bytes.
pub fn digest(row: &[u8]) -> [u8; 32] {
    sm3::Sm3::digest(row).into()
}

/// The link after `prev` for a row with `digest`.
pub fn next(prev: &[u8; 32], digest: &[u8; 32]) -> [u8; 32] {
    let mut h = sm3::Sm3::new();
    h.update(prev);
    h.update(digest);
    h.finalize().into()
}

/// Lower-case hex, as links and digests travel and are kept.
pub fn to_hex(b: &[u8; 32]) -> String {
    hex::encode(b)
}

/// 64 hex digits back to bytes.
pub fn from_hex(s: &str) -> Option<[u8; 32]> {
    let v = hex::decode(s).ok()?;
    v.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm3_is_the_standard_one_and_links_depend_on_order() {
        // GB/T 32905-2016 example 1: SM3("abc").
        assert_eq!(
            to_hex(&digest(b"abc")),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        let (a, b) = (digest(b"row 1"), digest(b"row 2"));
        let ab = next(&next(&GENESIS, &a), &b);
        let ba = next(&next(&GENESIS, &b), &a);
        assert_ne!(ab, ba);
        assert_eq!(from_hex(&to_hex(&ab)), Some(ab));
        assert_eq!(from_hex("00"), None);
    }
}
