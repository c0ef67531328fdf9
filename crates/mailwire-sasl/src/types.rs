//! Validated values: mechanism names and secrets.

use std::fmt;
use std::str::FromStr;

/// Why a value was refused by a constructor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// The value is empty where at least one octet is required.
    #[error("empty value")]
    Empty,
    /// The value is longer than its grammar allows.
    #[error("value longer than {max} octets")]
    TooLong {
        /// The most octets allowed.
        max: usize,
    },
    /// An octet the value may not contain.
    #[error("octet {byte:#04x} not allowed at offset {offset}")]
    Forbidden {
        /// Where the octet is, from the value's start.
        offset: usize,
        /// The octet.
        byte: u8,
    },
    /// The value is not valid UTF-8 from this offset on.
    #[error("not UTF-8 at offset {offset}")]
    NotUtf8 {
        /// Where the first invalid sequence starts.
        offset: usize,
    },
}

/// Longest SASL mechanism name (RFC 4422 §3.1: `sasl-mech = 1*20mech-char`).
const MECH_MAX: usize = 20;

/// A SASL mechanism name, such as `PLAIN` or `CRAM-MD5`.
///
/// RFC 4422 §3.1:
///
/// ```text
/// sasl-mech    = 1*20mech-char
/// mech-char    = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
/// ```
///
/// Names compare without regard to case, as the protocols that carry them
/// do (SMTP `AUTH`, POP3 `AUTH`, IMAP `AUTHENTICATE`): the constructor
/// accepts lower-case letters and stores the name upper-cased.
///
/// ```
/// use mailwire_sasl::Mechanism;
///
/// let name: Mechanism = "cram-md5".parse()?;
/// assert_eq!(name, Mechanism::CRAM_MD5);
/// assert_eq!(name.as_str(), "CRAM-MD5");
/// assert!(Mechanism::new(b"NOT A NAME").is_err());
/// # Ok::<(), mailwire_sasl::ValueError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mechanism {
    name: [u8; MECH_MAX],
    len: usize,
}

impl Mechanism {
    /// `PLAIN` (RFC 4616).
    pub const PLAIN: Self = Self::known(b"PLAIN");
    /// `LOGIN` (draft-murchison-sasl-login).
    pub const LOGIN: Self = Self::known(b"LOGIN");
    /// `CRAM-MD5` (RFC 2195).
    pub const CRAM_MD5: Self = Self::known(b"CRAM-MD5");
    /// `XOAUTH2` (Google's OAuth 2.0 mechanism).
    pub const XOAUTH2: Self = Self::known(b"XOAUTH2");
    /// `OAUTHBEARER` (RFC 7628).
    pub const OAUTHBEARER: Self = Self::known(b"OAUTHBEARER");

    /// The five mechanisms this crate implements, strongest first as a
    /// client would try them when the server offers several.
    pub const SUPPORTED: [Self; 5] = [
        Self::OAUTHBEARER,
        Self::XOAUTH2,
        Self::CRAM_MD5,
        Self::PLAIN,
        Self::LOGIN,
    ];

    /// A name known at compile time; only called on the constants above,
    /// which are valid names.
    const fn known(name: &[u8]) -> Self {
        let mut out = [0u8; MECH_MAX];
        let mut i = 0;
        while i < name.len() && i < MECH_MAX {
            out[i] = name[i];
            i += 1;
        }
        Self { name: out, len: i }
    }

    /// Validates `name` against `sasl-mech` (RFC 4422 §3.1), accepting
    /// lower-case letters, which are stored upper-cased.
    pub fn new(name: &[u8]) -> Result<Self, ValueError> {
        if name.is_empty() {
            return Err(ValueError::Empty);
        }
        if name.len() > MECH_MAX {
            return Err(ValueError::TooLong { max: MECH_MAX });
        }
        let mut out = [0u8; MECH_MAX];
        for (offset, (slot, &byte)) in out.iter_mut().zip(name).enumerate() {
            match byte {
                b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => *slot = byte,
                b'a'..=b'z' => *slot = byte.to_ascii_uppercase(),
                _ => return Err(ValueError::Forbidden { offset, byte }),
            }
        }
        Ok(Self {
            name: out,
            len: name.len(),
        })
    }

    /// The name, upper-case.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The name's octets, upper-case.
    pub fn as_bytes(&self) -> &[u8] {
        self.name.get(..self.len).unwrap_or_default()
    }

    /// Whether `name` names this mechanism, ignoring case.
    pub fn matches(&self, name: &[u8]) -> bool {
        self.as_bytes().eq_ignore_ascii_case(name)
    }
}

impl fmt::Debug for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Mechanism").field(&self.as_str()).finish()
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Mechanism {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s.as_bytes())
    }
}

impl TryFrom<&str> for Mechanism {
    type Error = ValueError;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s.as_bytes())
    }
}

impl TryFrom<&[u8]> for Mechanism {
    type Error = ValueError;

    fn try_from(s: &[u8]) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

/// A password, shared secret or token: `Debug` never shows it, equality
/// takes the same time wherever the first difference is, and the octets
/// are overwritten with zeros when the value is dropped (a best effort:
/// copies the allocator made on growth are out of reach).
///
/// ```
/// use mailwire_sasl::Secret;
///
/// let secret = Secret::from("tanstaaftanstaaf");
/// assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
/// assert_eq!(secret.expose(), b"tanstaaftanstaaf");
/// ```
#[derive(Clone, Default)]
pub struct Secret(Vec<u8>);

impl Secret {
    /// Wraps `bytes`. Any octets are allowed; each mechanism checks what it
    /// needs when it is given the secret.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The secret's octets. Named so that reading a secret is visible.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// The secret as text, when it is UTF-8.
    pub fn expose_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// How many octets the secret has.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret has no octets.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        for byte in self.0.iter_mut() {
            *byte = 0;
        }
        std::hint::black_box(&self.0);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(&self.0, &other.0)
    }
}

impl Eq for Secret {}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.as_bytes().to_vec())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s.into_bytes())
    }
}

impl From<&[u8]> for Secret {
    fn from(s: &[u8]) -> Self {
        Self(s.to_vec())
    }
}

impl From<Vec<u8>> for Secret {
    fn from(s: Vec<u8>) -> Self {
        Self(s)
    }
}

/// Compares two byte strings in time that depends on their lengths only,
/// never on where they first differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mechanism_grammar() {
        assert_eq!(Mechanism::new(b"plain"), Ok(Mechanism::PLAIN));
        assert_eq!(Mechanism::new(b"Cram-Md5"), Ok(Mechanism::CRAM_MD5));
        assert_eq!(
            Mechanism::new(b"SCRAM-SHA-256").unwrap().as_str(),
            "SCRAM-SHA-256"
        );
        assert_eq!(Mechanism::new(b"A_B-9").unwrap().as_bytes(), b"A_B-9");
        assert_eq!(Mechanism::new(b""), Err(ValueError::Empty));
        assert_eq!(
            Mechanism::new(b"ABCDEFGHIJKLMNOPQRST")
                .unwrap()
                .as_str()
                .len(),
            20
        );
        assert_eq!(
            Mechanism::new(b"ABCDEFGHIJKLMNOPQRSTU"),
            Err(ValueError::TooLong { max: 20 })
        );
        assert_eq!(
            Mechanism::new(b"PL AIN"),
            Err(ValueError::Forbidden {
                offset: 2,
                byte: b' '
            })
        );
        assert_eq!(
            Mechanism::new(b"PLAIN\r\n"),
            Err(ValueError::Forbidden {
                offset: 5,
                byte: b'\r'
            })
        );
        assert!(Mechanism::XOAUTH2.matches(b"xoauth2"));
        assert!(!Mechanism::XOAUTH2.matches(b"xoauth"));
        assert_eq!(format!("{:?}", Mechanism::LOGIN), "Mechanism(\"LOGIN\")");
        assert_eq!(Mechanism::OAUTHBEARER.to_string(), "OAUTHBEARER");
        for name in Mechanism::SUPPORTED {
            assert_eq!(Mechanism::new(name.as_bytes()), Ok(name));
        }
    }

    #[test]
    fn secrets_redact_and_compare() {
        let a = Secret::from("hunter2");
        assert_eq!(format!("{a:?}"), "Secret(<redacted>)");
        assert_eq!(a, Secret::from(b"hunter2".to_vec()));
        assert_ne!(a, Secret::from("hunter3"));
        assert_ne!(a, Secret::from("hunter"));
        assert_eq!(a.expose_str(), Some("hunter2"));
        assert_eq!(a.len(), 7);
        assert!(Secret::default().is_empty());
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(b"a", b""));
    }
}
