//! The algorithm suites. Every value a suite produces carries the suite's
//! id, so that readers pick the right algorithms and a newer suite can be
//! introduced without rewriting old data.

use std::fmt;

use hmac::{KeyInit, Mac};

use crate::SecretError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SuiteId {
    /// SHA-256, HMAC-SHA-256, 256-bit keys from the OS random source.
    Std1,
    /// 国密: SM3, HMAC-SM3, 256-bit keys from the OS random source. SM4 field
    /// encryption joins this suite when the first encrypted field does.
    Gm1,
}

impl SuiteId {
    pub fn as_str(self) -> &'static str {
        match self {
            SuiteId::Std1 => "std1",
            SuiteId::Gm1 => "gm1",
        }
    }

    pub fn parse(s: &str) -> Option<SuiteId> {
        match s {
            "std1" => Some(SuiteId::Std1),
            "gm1" => Some(SuiteId::Gm1),
            _ => None,
        }
    }
}

impl fmt::Display for SuiteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hash or MAC tagged with the suite that made it: `std1:<hex>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Tagged {
    pub suite: SuiteId,
    pub bytes: Vec<u8>,
}

impl fmt::Display for Tagged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.suite, hex::encode(&self.bytes))
    }
}

impl Tagged {
    pub fn parse(s: &str) -> Option<Tagged> {
        let (suite, hex_part) = s.split_once(':')?;
        Some(Tagged {
            suite: SuiteId::parse(suite)?,
            bytes: hex::decode(hex_part).ok()?,
        })
    }
}

/// One suite of algorithms. Callers hold a `Suite` and never name an
/// algorithm themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    pub id: SuiteId,
}

impl Suite {
    /// The suite new data is written with.
    pub const CURRENT: Suite = Suite { id: SuiteId::Std1 };

    pub fn new(id: SuiteId) -> Suite {
        Suite { id }
    }

    /// 32 bytes from the operating system's random source.
    pub fn random_bytes(&self) -> Result<[u8; 32], SecretError> {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).map_err(|e| SecretError::Random(e.to_string()))?;
        Ok(b)
    }

    pub fn hash(&self, data: &[u8]) -> Tagged {
        use sha2::Digest;
        let bytes = match self.id {
            SuiteId::Std1 => sha2::Sha256::digest(data).to_vec(),
            SuiteId::Gm1 => sm3::Sm3::digest(data).to_vec(),
        };
        Tagged {
            suite: self.id,
            bytes,
        }
    }

    pub fn mac(&self, key: &[u8], data: &[u8]) -> Tagged {
        let bytes = match self.id {
            SuiteId::Std1 => {
                let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(key)
                    .expect("HMAC takes any key length");
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
            SuiteId::Gm1 => {
                let mut m =
                    hmac::Hmac::<sm3::Sm3>::new_from_slice(key).expect("HMAC takes any key length");
                m.update(data);
                m.finalize().into_bytes().to_vec()
            }
        };
        Tagged {
            suite: self.id,
            bytes,
        }
    }

    /// Check a tagged hash with the suite named in the tag (constant-time
    /// comparison is not needed for public hashes).
    pub fn verify_hash(tagged: &Tagged, data: &[u8]) -> bool {
        Suite::new(tagged.suite).hash(data) == *tagged
    }

    /// Check a tagged MAC with the suite named in the tag.
    pub fn verify_mac(tagged: &Tagged, key: &[u8], data: &[u8]) -> bool {
        let expected = Suite::new(tagged.suite).mac(key, data);
        expected.bytes.len() == tagged.bytes.len()
            && expected
                .bytes
                .iter()
                .zip(&tagged.bytes)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }

    /// A fresh database key.
    pub fn new_db_key(&self) -> Result<DbKey, SecretError> {
        Ok(DbKey {
            suite: self.id,
            bytes: self.random_bytes()?,
        })
    }
}

/// The key of the encrypted local database. Kept in the OS keyring as
/// `wcdb1:<suite>:<hex>`: format version, the suite that generated it, the key.
#[derive(Clone, PartialEq, Eq)]
pub struct DbKey {
    pub suite: SuiteId,
    bytes: [u8; 32],
}

impl fmt::Debug for DbKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbKey({}, …)", self.suite)
    }
}

impl DbKey {
    const PREFIX: &'static str = "wcdb1";

    pub fn to_stored(&self) -> Vec<u8> {
        format!(
            "{}:{}:{}",
            Self::PREFIX,
            self.suite,
            hex::encode(self.bytes)
        )
        .into_bytes()
    }

    pub fn from_stored(name: &str, stored: &[u8]) -> Result<DbKey, SecretError> {
        let bad = |why: &str| SecretError::Malformed {
            name: name.to_owned(),
            why: why.to_owned(),
        };
        let s = std::str::from_utf8(stored).map_err(|_| bad("not text"))?;
        let mut parts = s.split(':');
        if parts.next() != Some(Self::PREFIX) {
            return Err(bad("unknown format"));
        }
        let suite = parts
            .next()
            .and_then(SuiteId::parse)
            .ok_or_else(|| bad("unknown suite"))?;
        let raw = hex::decode(parts.next().ok_or_else(|| bad("no key"))?)
            .map_err(|_| bad("key is not hex"))?;
        let bytes: [u8; 32] = raw.try_into().map_err(|_| bad("key is not 32 bytes"))?;
        if parts.next().is_some() {
            return Err(bad("trailing data"));
        }
        Ok(DbKey { suite, bytes })
    }

    /// The statement that keys a SQLCipher connection with the raw 256-bit
    /// key (`PRAGMA key = "x'…'"`), so no passphrase derivation runs at
    /// every open.
    pub fn sqlcipher_pragma(&self) -> String {
        format!("PRAGMA key = \"x'{}'\";", hex::encode(self.bytes))
    }

    /// A short public fingerprint of the key (for logs and support).
    pub fn fingerprint(&self) -> String {
        let t = Suite::new(self.suite).hash(&self.bytes);
        hex::encode(&t.bytes[..4])
    }

    #[doc(hidden)]
    pub fn from_bytes_for_tests(suite: SuiteId, bytes: [u8; 32]) -> DbKey {
        DbKey { suite, bytes }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // SHA-256("abc") and SM3("abc") (GB/T 32905-2016 example 1).
        assert_eq!(
            Suite::new(SuiteId::Std1).hash(b"abc").to_string(),
            "std1:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            Suite::new(SuiteId::Gm1).hash(b"abc").to_string(),
            "gm1:66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        // RFC 4231 test case 2.
        assert_eq!(
            Suite::new(SuiteId::Std1)
                .mac(b"Jefe", b"what do ya want for nothing?")
                .to_string(),
            "std1:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tags_round_trip_and_pick_their_suite() {
        for id in [SuiteId::Std1, SuiteId::Gm1] {
            let t = Suite::new(id).hash(b"3201-K7QM-000123-H");
            let back = Tagged::parse(&t.to_string()).unwrap();
            assert_eq!(back, t);
            assert!(Suite::verify_hash(&back, b"3201-K7QM-000123-H"));
            assert!(!Suite::verify_hash(&back, b"3201-K7QM-000124-H"));
            let m = Suite::new(id).mac(b"k", b"d");
            assert!(Suite::verify_mac(
                &Tagged::parse(&m.to_string()).unwrap(),
                b"k",
                b"d"
            ));
            assert!(!Suite::verify_mac(&m, b"k2", b"d"));
        }
        assert!(Tagged::parse("md5:00").is_none());
    }

    #[test]
    fn db_key_round_trips_and_rejects_garbage() {
        let k = Suite::CURRENT.new_db_key().unwrap();
        let stored = k.to_stored();
        assert!(String::from_utf8(stored.clone())
            .unwrap()
            .starts_with("wcdb1:std1:"));
        assert_eq!(DbKey::from_stored("db", &stored).unwrap(), k);
        assert_ne!(Suite::CURRENT.new_db_key().unwrap(), k, "keys are random");
        for bad in [
            "",
            "wcdb1:std1:00",
            "wcdb2:std1:",
            "wcdb1:md5:00",
            "plain password",
        ] {
            assert!(DbKey::from_stored("db", bad.as_bytes()).is_err(), "{bad}");
        }
        assert!(
            !format!("{k:?}").contains(&hex::encode(&stored)),
            "Debug never prints the key"
        );
    }
}
