//! Modified UTF-7, the IMAP4rev1 convention for international mailbox names
//! (RFC 3501 §5.1.3, RFC 9051 §5.1.3 and Appendix A).
//!
//! Printable US-ASCII (0x20–0x7E) stands for itself, except `&`, written
//! `&-`. Everything else is UTF-16 in a modified base64 (`,` instead of `/`,
//! no padding) between `&` and `-`.
//!
//! [`encode`] writes the one canonical form. [`decode`] accepts only that
//! form and says where the input breaks it; [`decode_lossy`] reads anything,
//! keeps what it cannot decode as it came, and lists the problems.
//!
//! ```
//! use mailwire_imap::types::utf7;
//! // The example of RFC 3501 §5.1.3.
//! assert_eq!(utf7::decode(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(), "~peter/mail/台北/日本語");
//! assert_eq!(utf7::encode("Entwürfe & Co"), "Entw&APw-rfe &- Co");
//! let err = utf7::decode(b"&Jjo!").unwrap_err(); // RFC 3501: no shift back to US-ASCII
//! assert_eq!(err.offset, 4);
//! ```

/// Where and why input is not valid modified UTF-7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at byte {offset}")]
#[non_exhaustive]
pub struct Utf7Error {
    /// Offset of the offending byte in the input.
    pub offset: usize,
    /// What is wrong.
    pub kind: Utf7ErrorKind,
}

/// What is wrong with modified UTF-7 input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Utf7ErrorKind {
    /// A byte outside printable US-ASCII, which must be base64-encoded.
    #[error("byte 0x{byte:02x} must be encoded")]
    Unencoded {
        /// The byte.
        byte: u8,
    },
    /// A byte inside `&…-` that is not modified base64.
    #[error("byte 0x{byte:02x} is not modified base64")]
    InvalidBase64 {
        /// The byte.
        byte: u8,
    },
    /// The input ends inside `&…` without the closing `-`.
    #[error("base64 section not closed with '-'")]
    Unterminated,
    /// The base64 section's length does not match whole UTF-16 code units,
    /// or its unused bits are not zero.
    #[error("base64 section has stray bits")]
    StrayBits,
    /// A UTF-16 surrogate without its pair.
    #[error("unpaired UTF-16 surrogate")]
    UnpairedSurrogate,
    /// A printable US-ASCII character encoded in base64, which must stand for
    /// itself.
    #[error("printable character {ch:?} encoded in base64")]
    EncodedPrintable {
        /// The character.
        ch: char,
    },
    /// A base64 section right after another (`-&`), which must be one.
    #[error("base64 section follows another ('-&')")]
    NullShift,
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

fn sextet(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b',' => Some(63),
        _ => None,
    }
}

const fn is_direct(c: u32) -> bool {
    c >= 0x20 && c <= 0x7e
}

/// Encodes `name` in modified UTF-7. Every string has exactly one encoding,
/// and [`decode`] gives `name` back.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    let mut bits: u32 = 0;
    let mut nbits: u32 = 0;
    let mut in_base64 = false;
    let flush = |out: &mut String, bits: u32, nbits: &mut u32| {
        if *nbits > 0 {
            let idx = (bits << (6 - *nbits)) & 0x3f;
            out.push(char::from(ALPHABET[idx as usize]));
            *nbits = 0;
        }
        out.push('-');
    };
    for c in name.chars() {
        if is_direct(u32::from(c)) {
            if in_base64 {
                flush(&mut out, bits, &mut nbits);
                bits = 0;
                in_base64 = false;
            }
            out.push(c);
            if c == '&' {
                out.push('-');
            }
            continue;
        }
        if !in_base64 {
            out.push('&');
            in_base64 = true;
        }
        let mut units = [0u16; 2];
        for &unit in c.encode_utf16(&mut units).iter() {
            bits = (bits << 16) | u32::from(unit);
            nbits += 16;
            while nbits >= 6 {
                nbits -= 6;
                let idx = (bits >> nbits) & 0x3f;
                out.push(char::from(ALPHABET[idx as usize]));
            }
            bits &= (1 << nbits) - 1;
        }
    }
    if in_base64 {
        flush(&mut out, bits, &mut nbits);
    }
    out
}

/// Decodes a modified UTF-7 name, accepting only the canonical form that
/// [`encode`] writes; the error gives the offset of the first problem.
pub fn decode(input: &[u8]) -> Result<String, Utf7Error> {
    let mut first = None;
    let out = run(input, &mut |e| {
        first.get_or_insert(e);
        false
    });
    match first {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

/// The result of [`decode_lossy`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lossy {
    /// The decoded name. A base64 section that does not decode is kept as
    /// its raw characters; a byte outside US-ASCII becomes U+FFFD.
    pub name: String,
    /// Every problem found, in input order; empty when the input was valid.
    pub errors: Vec<Utf7Error>,
}

/// Decodes a modified UTF-7 name tolerantly: never fails, keeps what it cannot
/// decode, and reports every problem with its offset.
///
/// ```
/// use mailwire_imap::types::utf7;
/// let lossy = utf7::decode_lossy(b"Sent &Jjo!");
/// assert_eq!(lossy.name, "Sent &Jjo!");
/// assert_eq!(lossy.errors.len(), 1);
/// ```
pub fn decode_lossy(input: &[u8]) -> Lossy {
    let mut errors = Vec::new();
    let name = run(input, &mut |e| {
        errors.push(e);
        true
    });
    Lossy { name, errors }
}

/// The decoder. `report` receives each problem and says whether to go on;
/// when it says stop, the returned string is incomplete.
fn run(input: &[u8], report: &mut dyn FnMut(Utf7Error) -> bool) -> String {
    let mut out = String::with_capacity(input.len());
    let mut i = 0;
    // Offset just past the `-` that closed the last base64 section.
    let mut closed_at = None;
    while i < input.len() {
        let b = input[i];
        if b != b'&' {
            if is_direct(u32::from(b)) {
                out.push(char::from(b));
            } else {
                let err = Utf7Error {
                    offset: i,
                    kind: Utf7ErrorKind::Unencoded { byte: b },
                };
                if !report(err) {
                    return out;
                }
                out.push(if b.is_ascii() {
                    char::from(b)
                } else {
                    char::REPLACEMENT_CHARACTER
                });
            }
            i += 1;
            continue;
        }
        if input.get(i + 1) == Some(&b'-') {
            out.push('&');
            i += 2;
            continue;
        }
        if closed_at == Some(i) {
            let err = Utf7Error {
                offset: i,
                kind: Utf7ErrorKind::NullShift,
            };
            if !report(err) {
                return out;
            }
        }
        let (end, result) = section(input, i);
        match result {
            Ok(text) => {
                out.push_str(&text);
                closed_at = Some(end);
            }
            Err(err) => {
                if !report(err) {
                    return out;
                }
                // Keep the raw characters of the section (all ASCII: `&`,
                // base64 and the closing `-`).
                out.extend(input[i..end].iter().map(|&b| char::from(b)));
                closed_at = None;
            }
        }
        i = end;
    }
    out
}

/// Decodes the base64 section starting with the `&` at `start`. Returns the
/// offset just past the section (its `-`, or where it stops being base64)
/// and its text or first problem.
fn section(input: &[u8], start: usize) -> (usize, Result<String, Utf7Error>) {
    let mut text = String::new();
    let mut bits: u32 = 0;
    let mut nbits: u32 = 0;
    let mut high: Option<(u16, usize)> = None;
    let mut error: Option<Utf7Error> = None;
    let mut i = start + 1;
    let fail = |error: &mut Option<Utf7Error>, offset, kind| {
        error.get_or_insert(Utf7Error { offset, kind });
    };
    loop {
        let Some(&b) = input.get(i) else {
            fail(&mut error, start, Utf7ErrorKind::Unterminated);
            return (
                i,
                Err(error.unwrap_or(Utf7Error {
                    offset: start,
                    kind: Utf7ErrorKind::Unterminated,
                })),
            );
        };
        if b == b'-' {
            if let Some((_, at)) = high {
                fail(&mut error, at, Utf7ErrorKind::UnpairedSurrogate);
            }
            if nbits >= 6 || bits & ((1 << nbits) - 1) != 0 {
                fail(&mut error, i, Utf7ErrorKind::StrayBits);
            }
            return (i + 1, error.map_or(Ok(text), Err));
        }
        let Some(v) = sextet(b) else {
            fail(&mut error, i, Utf7ErrorKind::InvalidBase64 { byte: b });
            return (
                i,
                Err(error.unwrap_or(Utf7Error {
                    offset: i,
                    kind: Utf7ErrorKind::InvalidBase64 { byte: b },
                })),
            );
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 16 {
            nbits -= 16;
            // The top 16 bits form one UTF-16 unit.
            let unit = u16::try_from((bits >> nbits) & 0xffff).unwrap_or(u16::MAX);
            bits &= (1 << nbits) - 1;
            // The unit's first character is the one whose bits completed it.
            let at = i;
            match unit {
                0xd800..=0xdbff => {
                    if let Some((_, at)) = high {
                        fail(&mut error, at, Utf7ErrorKind::UnpairedSurrogate);
                    }
                    high = Some((unit, at));
                }
                0xdc00..=0xdfff => match high.take() {
                    Some((h, _)) => {
                        let c =
                            0x10000 + ((u32::from(h) - 0xd800) << 10) + (u32::from(unit) - 0xdc00);
                        text.extend(char::from_u32(c));
                    }
                    None => fail(&mut error, at, Utf7ErrorKind::UnpairedSurrogate),
                },
                _ => {
                    if let Some((_, at)) = high.take() {
                        fail(&mut error, at, Utf7ErrorKind::UnpairedSurrogate);
                    }
                    let c = u32::from(unit);
                    if is_direct(c) {
                        let ch = char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER);
                        fail(&mut error, at, Utf7ErrorKind::EncodedPrintable { ch });
                    }
                    text.extend(char::from_u32(c));
                }
            }
        }
        i += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(input: &[u8]) -> (usize, Utf7ErrorKind) {
        let e = decode(input).unwrap_err();
        (e.offset, e.kind)
    }

    #[test]
    fn rfc3501_example() {
        let name = "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}";
        assert_eq!(encode(name), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(decode(b"~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(), name);
    }

    #[test]
    fn ampersand_and_ascii() {
        assert_eq!(encode("&"), "&-");
        assert_eq!(encode("a&b"), "a&-b");
        assert_eq!(decode(b"a&-b&-").unwrap(), "a&b&");
        assert_eq!(encode(""), "");
        assert_eq!(encode("\u{e9}&"), "&AOk-&-");
        assert_eq!(decode(b"&AOk-&-").unwrap(), "\u{e9}&");
    }

    #[test]
    fn controls_and_astral() {
        assert_eq!(encode("a\tb"), "a&AAk-b");
        assert_eq!(decode(b"a&AAk-b").unwrap(), "a\tb");
        let s = "\u{1f600}x\u{0}";
        assert_eq!(decode(encode(s).as_bytes()).unwrap(), s);
    }

    #[test]
    fn errors_have_offsets() {
        // RFC 3501 §5.1.3: "&Jjo!" lacks the shift back to US-ASCII.
        assert_eq!(
            err(b"&Jjo!"),
            (4, Utf7ErrorKind::InvalidBase64 { byte: b'!' })
        );
        assert_eq!(err(b"ab&Jjo"), (2, Utf7ErrorKind::Unterminated));
        assert_eq!(
            err(b"a\xc3\xa9"),
            (1, Utf7ErrorKind::Unencoded { byte: 0xc3 })
        );
        assert_eq!(err(b"a\tb"), (1, Utf7ErrorKind::Unencoded { byte: b'\t' }));
        // "&AGE-" is "a", which must stand for itself.
        assert_eq!(
            err(b"x&AGE-"),
            (4, Utf7ErrorKind::EncodedPrintable { ch: 'a' })
        );
        assert_eq!(err(b"&AOk-&AOk-"), (5, Utf7ErrorKind::NullShift));
        assert_eq!(err(b"&AOkA-"), (5, Utf7ErrorKind::StrayBits));
        assert_eq!(err(b"&AOl-"), (4, Utf7ErrorKind::StrayBits));
        assert_eq!(err(b"&A-"), (2, Utf7ErrorKind::StrayBits));
        // A lone high surrogate (U+D83D).
        assert_eq!(err(b"&2D0-"), (3, Utf7ErrorKind::UnpairedSurrogate));
        // A lone low surrogate (U+DE00).
        assert_eq!(err(b"&3gA-"), (3, Utf7ErrorKind::UnpairedSurrogate));
    }

    #[test]
    fn lossy_keeps_what_it_cannot_read() {
        let l = decode_lossy(b"a&Jjo!b&AOk-\xff");
        assert_eq!(l.name, "a&Jjo!b\u{e9}\u{fffd}");
        assert_eq!(l.errors.len(), 2);
        assert_eq!(l.errors[0].offset, 5);
        assert_eq!(l.errors[1].offset, 12);
        let l = decode_lossy(b"&AGE-");
        assert_eq!(l.name, "&AGE-");
        assert_eq!(l.errors.len(), 1);
        assert!(decode_lossy(b"INBOX/&AOk-").errors.is_empty());
    }
}
