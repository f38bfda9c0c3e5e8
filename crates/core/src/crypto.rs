//! Commercial cryptography (国密): SM4-GCM for fields at rest, HMAC-SM3 for the
//! audit chain and blind indexes, argon2id for passwords (PHC strings, so a
//! PBKDF2-HMAC-SM3 scheme can be added later without a migration).

use std::collections::BTreeMap;

use aes_gcm::aead::consts::U12;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{AesGcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sm3::{Digest, Sm3};
use sm4::Sm4;

use crate::error::Error;

type Sm4Gcm = AesGcm<Sm4, U12>;
type HmacSm3 = Hmac<Sm3>;

/// SM3 digest as lowercase hex.
pub fn sm3_hex(data: &[u8]) -> String {
    hex::encode(Sm3::digest(data))
}

/// HMAC-SM3 as lowercase hex.
pub fn hmac_sm3_hex(key: &[u8], data: &[u8]) -> String {
    let mut mac = <HmacSm3 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    hex::encode(mac.finalize().into_bytes())
}

/// Constant-time comparison of two hex MACs.
pub fn hmac_sm3_verify(key: &[u8], data: &[u8], expected_hex: &str) -> bool {
    let Ok(expected) = hex::decode(expected_hex) else { return false };
    let mut mac = <HmacSm3 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac.verify_slice(&expected).is_ok()
}

/// A 16-byte key from 32 hex characters.
/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn parse_key(hex_key: &str) -> Result<[u8; 16], Error> {
    let bytes = hex::decode(hex_key.trim()).map_err(|_| Error::Crypto("密钥应为32位十六进制字符".into()))?;
    bytes.try_into().map_err(|_| Error::Crypto("SM4 密钥应为16字节（32位十六进制字符）".into()))
}

/// Random bytes as hex, for keys and tokens.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// Encrypts protected fields with SM4-GCM. Several keys may be loaded: the
/// current one encrypts, any known one decrypts, so keys can be rotated.
/// Ciphertexts read `kid:base64(nonce | ciphertext | tag)`.
#[derive(Clone)]
pub struct FieldCipher {
    /// Initialized ciphers by key id (key schedule and GHASH key computed once).
    keys: BTreeMap<String, Sm4Gcm>,
    current: String,
    /// HMAC-SM3 keyed with the blind-index key once: each index clones it
    /// instead of hashing the key blocks again (half the compressions).
    index_mac: HmacSm3,
}

impl std::fmt::Debug for FieldCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FieldCipher").field("current", &self.current).finish_non_exhaustive()
    }
}

impl FieldCipher {
    /// `keys` maps key ids to 16-byte keys; `current` must be one of them.
    /// The blind-index key is derived from the first key ever used (`index_key`).
    pub fn new(keys: BTreeMap<String, [u8; 16]>, current: &str, index_key: [u8; 16]) -> Result<Self, Error> {
        if !keys.contains_key(current) {
            return Err(Error::Crypto(format!("当前密钥编号 {current} 未配置")));
        }
        if current.contains(':') || current.is_empty() {
            return Err(Error::Crypto("密钥编号不能为空或包含冒号".into()));
        }
        let keys = keys.into_iter().map(|(id, k)| (id, Sm4Gcm::new_from_slice(&k).expect("16-byte key"))).collect();
        let index_mac = <HmacSm3 as Mac>::new_from_slice(&index_key).expect("HMAC takes any key length");
        Ok(Self { keys, current: current.to_string(), index_mac })
    }

    pub fn current_key_id(&self) -> &str {
        &self.current
    }

    pub fn encrypt(&self, plain: &str) -> String {
        let cipher = &self.keys[&self.current];
        let mut nonce = [0u8; 12];
        // ThreadRng: a ChaCha CSPRNG seeded and reseeded from the OS, without a syscall per nonce.
        rand::thread_rng().fill_bytes(&mut nonce);
        let ct = cipher.encrypt(Nonce::from_slice(&nonce), plain.as_bytes()).expect("SM4-GCM encrypts");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        format!("{}:{}", self.current, B64.encode(out))
    }

    pub fn decrypt(&self, stored: &str) -> Result<String, Error> {
        let (kid, body) = stored.split_once(':').ok_or_else(|| Error::Crypto("密文格式错误".into()))?;
        let cipher = self.keys.get(kid).ok_or_else(|| Error::Crypto(format!("缺少密钥 {kid}")))?;
        let raw = B64.decode(body).map_err(|_| Error::Crypto("密文格式错误".into()))?;
        if raw.len() < 12 + 16 {
            return Err(Error::Crypto("密文长度错误".into()));
        }
        let plain = cipher
            .decrypt(Nonce::from_slice(&raw[..12]), &raw[12..])
            .map_err(|_| Error::Crypto("密文校验失败（数据或密钥不匹配）".into()))?;
        String::from_utf8(plain).map_err(|_| Error::Crypto("解密结果不是文本".into()))
    }

    /// The key id a stored ciphertext was made with.
    pub fn key_id_of(stored: &str) -> Option<&str> {
        stored.split_once(':').map(|(k, _)| k)
    }

    /// A keyed hash for equality look-ups (duplicate ID numbers) without decrypting.
    /// 128 bits of HMAC-SM3 (32 hex characters): ample to tell ID numbers
    /// apart, and a shorter key for the index that imports maintain.
    pub fn blind_index(&self, plain: &str) -> String {
        let mut mac = self.index_mac.clone();
        mac.update(plain.trim().to_uppercase().as_bytes());
        let mut h = hex::encode(mac.finalize().into_bytes());
        h.truncate(32);
        h
    }
}

/// Hashes a password with argon2id into a PHC string.
pub fn hash_password(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2::Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashes").to_string()
}

/// Verifies a password against a PHC string; unknown schemes never verify.
pub fn verify_password(password: &str, phc: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    let Ok(parsed) = PasswordHash::new(phc) else { return false };
    match parsed.algorithm.as_str() {
        "argon2id" => argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        _ => false,
    }
}

/// A random temporary password that satisfies the default policy.
/// Half of an activation code: 8 characters without look-alikes, shown as
/// `K7QM-3XPA`.
pub fn activation_code() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    let c: Vec<u8> = (0..8).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())]).collect();
    format!("{}-{}", String::from_utf8_lossy(&c[..4]), String::from_utf8_lossy(&c[4..]))
}

/// An activation code as typed (lower case, full-width, with or without the
/// dash or spaces) in its one canonical form, for hashing.
pub fn normalize_code(typed: &str) -> String {
    crate::text::to_halfwidth(typed)
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

pub fn temporary_password() -> String {
    use rand::Rng;
    const LOWER: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
    const UPPER: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ";
    const DIGIT: &[u8] = b"23456789";
    const SYMBOL: &[u8] = b"#%+=@";
    let mut rng = rand::rngs::OsRng;
    let mut chars: Vec<u8> = Vec::new();
    for set in [LOWER, UPPER, DIGIT, SYMBOL] {
        for _ in 0..3 {
            chars.push(set[rng.gen_range(0..set.len())]);
        }
    }
    use rand::seq::SliceRandom;
    chars.shuffle(&mut rng);
    String::from_utf8(chars).expect("ascii")
}

#[cfg(test)]
mod tests {
    #[test]
    fn activation_codes_read_back_however_typed() {
        let c = super::activation_code();
        assert_eq!(c.len(), 9);
        assert_eq!(&c[4..5], "-");
        let typed = format!(" {} ", c.to_lowercase().replace('-', " "));
        assert_eq!(super::normalize_code(&typed), c.replace('-', ""));
        assert_eq!(super::normalize_code("ｋ７ｑｍ－３ｘｐａ"), "K7QM3XPA");
        assert_ne!(super::activation_code(), super::activation_code());
    }

    use super::*;
    use sm4::cipher::{BlockEncrypt, generic_array::GenericArray};

    #[test]
    fn sm3_known_answer() {
        assert_eq!(sm3_hex(b"abc"), "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0");
    }

    #[test]
    fn sm4_known_answer() {
        let key = hex::decode("0123456789abcdeffedcba9876543210").unwrap();
        let cipher = Sm4::new(GenericArray::from_slice(&key));
        let mut block = GenericArray::clone_from_slice(&key);
        cipher.encrypt_block(&mut block);
        assert_eq!(hex::encode(block), "681edf34d206965e86b3e94f536e4246");
    }

    fn cipher(keys: &[(&str, &str)], current: &str) -> FieldCipher {
        let map = keys.iter().map(|(k, v)| (k.to_string(), parse_key(v).unwrap())).collect();
        FieldCipher::new(map, current, [7u8; 16]).unwrap()
    }

    #[test]
    fn round_trip_and_rotation() {
        let old = cipher(&[("k1", "00112233445566778899aabbccddeeff")], "k1");
        let ct = old.encrypt("52010219900101131X");
        assert!(ct.starts_with("k1:"));
        assert!(!ct.contains("5201021990"));
        let rotated =
            cipher(&[("k1", "00112233445566778899aabbccddeeff"), ("k2", "ffeeddccbbaa99887766554433221100")], "k2");
        assert_eq!(rotated.decrypt(&ct).unwrap(), "52010219900101131X");
        let ct2 = rotated.encrypt("x");
        assert_eq!(FieldCipher::key_id_of(&ct2), Some("k2"));
        assert!(old.decrypt(&ct2).is_err());
    }

    #[test]
    fn tampered_ciphertext_is_refused() {
        let c = cipher(&[("k1", "00112233445566778899aabbccddeeff")], "k1");
        let ct = c.encrypt("13812345678");
        let mut bytes = ct.into_bytes();
        let last = bytes.len() - 2;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        assert!(c.decrypt(&String::from_utf8(bytes).unwrap()).is_err());
    }

    #[test]
    fn blind_index_is_stable() {
        let c = cipher(&[("k1", "00112233445566778899aabbccddeeff")], "k1");
        assert_eq!(c.blind_index("11010519491231002x"), c.blind_index("11010519491231002X"));
        // The pre-keyed MAC gives exactly what stored indexes were made with:
        // the first 32 hex characters of HMAC-SM3 over the upper-cased number.
        let full = hmac_sm3_hex(&[7u8; 16], b"11010519491231002X");
        assert_eq!(c.blind_index(" 11010519491231002x "), full[..32]);
    }

    #[test]
    fn passwords() {
        let h = hash_password("Abcdef12!");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Abcdef12!", &h));
        assert!(!verify_password("Abcdef12?", &h));
        assert!(!verify_password("x", "not a hash"));
        let t = temporary_password();
        assert!(crate::auth::check_password(&crate::rules::SecurityPolicy::default(), "operator_1", &t).is_ok());
    }

    #[test]
    fn hmac_verify() {
        let tag = hmac_sm3_hex(b"key", b"data");
        assert!(hmac_sm3_verify(b"key", b"data", &tag));
        assert!(!hmac_sm3_verify(b"key", b"datb", &tag));
    }
}
