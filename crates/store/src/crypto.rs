//! AES-256-GCM for user wallet secrets at rest. A fresh random nonce per secret is
//! stored in front of the ciphertext; the Telegram id is bound as associated data so
//! a ciphertext copied onto another user's row does not decrypt.
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use rand::RngCore;

use crate::StoreError;

const NONCE_LEN: usize = 12;

#[derive(Clone)]
pub struct SecretCipher {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretCipher([redacted])")
    }
}

impl SecretCipher {
    /// `key` is the 32-character `ENCRYPTION_KEY`, used as the 32 key bytes.
    pub fn new(key: &str) -> Result<Self, StoreError> {
        let bytes = key.as_bytes();
        if bytes.len() != 32 {
            return Err(StoreError::Config(
                "ENCRYPTION_KEY must be exactly 32 bytes".into(),
            ));
        }
        Ok(Self {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(bytes)),
        })
    }

    pub fn encrypt(&self, plaintext: &str, owner: i64) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let aad = owner.to_be_bytes();
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("AES-GCM encryption of a bounded input cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    pub fn decrypt(&self, stored: &[u8], owner: i64) -> Result<String, StoreError> {
        if stored.len() <= NONCE_LEN {
            return Err(StoreError::Decrypt);
        }
        let (nonce, sealed) = stored.split_at(NONCE_LEN);
        let aad = owner.to_be_bytes();
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map_err(|_| StoreError::Decrypt)?;
        String::from_utf8(plain).map_err(|_| StoreError::Decrypt)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trip_and_binding() {
        let c = SecretCipher::new(KEY).unwrap();
        let sealed = c.encrypt("my secret", 42);
        assert!(!sealed.windows(9).any(|w| w == b"my secret"));
        assert_eq!(c.decrypt(&sealed, 42).unwrap(), "my secret");
        assert!(c.decrypt(&sealed, 43).is_err(), "bound to its owner");
        assert_ne!(sealed, c.encrypt("my secret", 42), "fresh nonce each time");
        let other = SecretCipher::new("ffffffffffffffffffffffffffffffff").unwrap();
        assert!(other.decrypt(&sealed, 42).is_err());
    }

    #[test]
    fn key_length_checked() {
        assert!(SecretCipher::new("short").is_err());
    }
}
