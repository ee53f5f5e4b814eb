//! Password verifiers (issue #12): Argon2id in the PHC string format
//! (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), the only thing kept of a
//! password. Used for local users (单机模式) and for the offline sign-in of
//! platform users: the app keeps a verifier made at the last online sign-in,
//! never the password.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::SecretError;

/// A password held in memory: wiped when dropped.
pub type Password = Zeroizing<String>;

/// OWASP's Argon2id minimum (m = 19 MiB, t = 2, p = 1): about 50 ms per
/// check in a release build on a hall PC, so a stolen database does not
/// give passwords away cheaply, and sign-in stays instant.
fn hasher() -> Argon2<'static> {
    Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(19 * 1024, 2, 1, None).expect("constant Argon2 parameters are valid"),
    )
}

/// A new verifier for `password` (fresh random salt).
pub fn make_verifier(password: &str) -> Result<String, SecretError> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| SecretError::Random(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| SecretError::Random(e.to_string()))?;
    hasher()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| SecretError::Malformed {
            name: "password verifier".into(),
            why: e.to_string(),
        })
}

/// Whether `password` fits `verifier`. A verifier that cannot be read is a
/// "no" (and says so in the log of whoever calls).
pub fn verify(password: &str, verifier: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(verifier) else {
        return false;
    };
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    // The parameters come from the verifier itself, so a verifier made
    // with older parameters still checks.
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verifier_checks_its_password_and_nothing_else() {
        let v = make_verifier("柜台-密码-2026").unwrap();
        assert!(v.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{v}");
        assert!(!v.contains("柜台"));
        assert!(verify("柜台-密码-2026", &v));
        assert!(!verify("柜台-密码-2027", &v));
        assert!(!verify("", &v));
    }

    #[test]
    fn two_verifiers_of_one_password_differ_by_their_salt() {
        let a = make_verifier("secret-pass").unwrap();
        let b = make_verifier("secret-pass").unwrap();
        assert_ne!(a, b);
        assert!(verify("secret-pass", &a) && verify("secret-pass", &b));
    }

    #[test]
    fn an_unreadable_or_foreign_verifier_is_a_no() {
        assert!(!verify("x", ""));
        assert!(!verify("x", "s1:salt:abcd"));
        // A valid PHC string of another algorithm (Argon2i) is refused.
        let i = Argon2::new(Algorithm::Argon2i, Version::V0x13, Params::default())
            .hash_password(b"x", &SaltString::encode_b64(b"0123456789abcdef").unwrap())
            .unwrap()
            .to_string();
        assert!(!verify("x", &i));
    }
}
