//! Base64 as the protocols carry SASL data on the wire.
//!
//! SMTP (RFC 4954 §4), POP3 (RFC 5034 §4) and IMAP (RFC 3501 §6.2.2,
//! RFC 4959 §3) send each challenge and response as one line of Base64
//! (RFC 4648 §4), and an initial response as a command argument in which a
//! single `=` stands for an empty response. A line that is empty stands for
//! an empty challenge or response.
//!
//! Decoding is strict, as RFC 4954 §4 requires of both sides: any octet
//! outside the alphabet, a pad character anywhere but at the end, a length
//! that is not a multiple of four, or non-zero bits left over in the last
//! symbol is an error, with the offset of the octet at fault.
//!
//! ```
//! use mailwire_sasl::wire;
//!
//! assert_eq!(wire::encode_initial(b""), "=");
//! assert_eq!(wire::decode_initial(b"=")?, b"");
//! assert_eq!(wire::decode(b"dGVzdAB0ZXN0ADEyMzQ=")?, b"test\0test\x001234");
//! assert_eq!(wire::decode(b"")?, b"");
//! let err = wire::decode(b"AAA=BBBB").unwrap_err();
//! assert_eq!(err.offset, 3);
//! # Ok::<(), wire::WireError>(())
//! ```
//!
//! A line holding only `*` cancels the exchange; see [`is_cancel`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// The line a client sends to cancel an exchange (RFC 4954 §4,
/// RFC 5034 §4, RFC 3501 §6.2.2).
pub const CANCEL: &[u8] = b"*";

/// A Base64 line that could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid Base64 at offset {offset}: {kind}")]
#[non_exhaustive]
pub struct WireError {
    /// Offset of the octet at fault, from the start of the given line (for
    /// a bad length: the line's length).
    pub offset: usize,
    /// What is wrong.
    pub kind: WireErrorKind,
}

/// What is wrong with a Base64 line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WireErrorKind {
    /// An octet outside the Base64 alphabet.
    #[error("octet {0:#04x} is not in the Base64 alphabet")]
    InvalidByte(u8),
    /// A pad character (`=`) before the end of the data.
    #[error("padding before the end")]
    Padding,
    /// The length is not a multiple of four.
    #[error("length is not a multiple of four")]
    Length,
    /// The last symbol carries bits that no encoder would set.
    #[error("non-zero bits after the last octet")]
    TrailingBits,
    /// An initial response that is empty; RFC 4954 §4 sends `=` for that.
    #[error("empty initial response (an empty one is sent as \"=\")")]
    Empty,
}

/// Encodes a challenge or response for a continuation line; empty data
/// gives an empty line (RFC 4954 §4: `334 ` followed by nothing).
pub fn encode(data: &[u8]) -> String {
    STANDARD.encode(data)
}

/// Encodes an initial response for the `AUTH`/`AUTHENTICATE` command line:
/// Base64, or `=` when the response is empty (RFC 4954 §4, RFC 5034 §4,
/// RFC 4959 §3).
pub fn encode_initial(data: &[u8]) -> String {
    if data.is_empty() {
        "=".to_owned()
    } else {
        STANDARD.encode(data)
    }
}

/// Decodes a challenge or response line, CRLF already removed. An empty
/// line is empty data.
///
/// RFC 4648 §4 (the grammar RFC 4954 §4 refers to):
///
/// ```text
/// base64      = *(4base64-char) [base64-terminal]
/// base64-char = ALPHA / DIGIT / "+" / "/"
/// base64-terminal = (2base64-char "==") / (3base64-char "=")
/// ```
pub fn decode(line: &[u8]) -> Result<Vec<u8>, WireError> {
    let err = |offset, kind| WireError { offset, kind };
    if !line.len().is_multiple_of(4) {
        // Point at the octet at fault when there is one: it is the more
        // useful message.
        let mut octets = line.iter().enumerate();
        if let Some((offset, &b)) = octets.find(|&(_, &b)| b != b'=' && value(b).is_none()) {
            return Err(err(offset, WireErrorKind::InvalidByte(b)));
        }
        for (offset, &b) in line.iter().enumerate() {
            let next = line.get(offset + 1);
            if b == b'=' && (offset % 4 < 2 || next.is_some_and(|&n| n != b'=')) {
                return Err(err(offset, WireErrorKind::Padding));
            }
        }
        return Err(err(line.len(), WireErrorKind::Length));
    }
    let mut out = Vec::with_capacity(line.len() / 4 * 3);
    let last = line.len().saturating_sub(4);
    for (index, quad) in line.chunks_exact(4).enumerate() {
        let start = index * 4;
        let mut v = [0u8; 4];
        let mut pads = 0;
        for (i, (&b, slot)) in quad.iter().zip(v.iter_mut()).enumerate() {
            let offset = start + i;
            if b == b'=' {
                // Only the last one or two symbols of the last quad.
                if start != last || i < 2 {
                    return Err(err(offset, WireErrorKind::Padding));
                }
                pads += 1;
            } else if pads > 0 {
                // "xx=y": a symbol after the padding.
                return Err(err(offset - 1, WireErrorKind::Padding));
            } else {
                match value(b) {
                    Some(x) => *slot = x,
                    None => return Err(err(offset, WireErrorKind::InvalidByte(b))),
                }
            }
        }
        let [a, b, c, d] = v;
        out.push((a << 2) | (b >> 4));
        match pads {
            0 => {
                out.push((b << 4) | (c >> 2));
                out.push((c << 6) | d);
            }
            1 => {
                if c & 0b11 != 0 {
                    return Err(err(start + 2, WireErrorKind::TrailingBits));
                }
                out.push((b << 4) | (c >> 2));
            }
            _ => {
                if b & 0b1111 != 0 {
                    return Err(err(start + 1, WireErrorKind::TrailingBits));
                }
            }
        }
    }
    Ok(out)
}

/// Decodes an initial response given on the `AUTH`/`AUTHENTICATE` command
/// line: `=` is the empty response, anything else is strict Base64 (RFC
/// 4954 §4, RFC 5034 §4, RFC 4959 §3):
///
/// ```text
/// initial-response = base64 / "="
/// ```
///
/// An empty argument is an error ([`WireErrorKind::Empty`]): an absent
/// initial response is the protocol's business, not an empty one.
pub fn decode_initial(arg: &[u8]) -> Result<Vec<u8>, WireError> {
    match arg {
        b"=" => Ok(Vec::new()),
        b"" => Err(WireError {
            offset: 0,
            kind: WireErrorKind::Empty,
        }),
        _ => decode(arg),
    }
}

/// Whether a client line (CRLF removed) cancels the exchange: `*` alone.
pub fn is_cancel(line: &[u8]) -> bool {
    line == CANCEL
}

/// The value of a Base64 symbol (RFC 4648 §4, Table 1).
fn value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(line: &[u8]) -> (usize, WireErrorKind) {
        let e = decode(line).unwrap_err();
        (e.offset, e.kind)
    }

    #[test]
    fn rfc4648_vectors() {
        // RFC 4648 §10.
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes()), encoded);
            assert_eq!(decode(encoded.as_bytes()).unwrap(), plain.as_bytes());
        }
    }

    #[test]
    fn strictness() {
        assert_eq!(kind(b"=AAA"), (0, WireErrorKind::Padding));
        assert_eq!(kind(b"AAA=BBBB"), (3, WireErrorKind::Padding));
        assert_eq!(kind(b"A==="), (1, WireErrorKind::Padding));
        assert_eq!(kind(b"AA=A"), (2, WireErrorKind::Padding));
        assert_eq!(kind(b"="), (0, WireErrorKind::Padding));
        assert_eq!(kind(b"Zm9vY=g"), (5, WireErrorKind::Padding));
        assert_eq!(kind(b"Zg="), (3, WireErrorKind::Length));
        assert_eq!(kind(b"Zg"), (2, WireErrorKind::Length));
        assert_eq!(kind(b"Zm9v Yg=="), (4, WireErrorKind::InvalidByte(b' ')));
        assert_eq!(
            kind(b"Zm9vYg==\r\n"),
            (8, WireErrorKind::InvalidByte(b'\r'))
        );
        assert_eq!(kind(b"Zm9-"), (3, WireErrorKind::InvalidByte(b'-')));
        assert_eq!(kind(b"Zh=="), (1, WireErrorKind::TrailingBits));
        assert_eq!(kind(b"Zm9="), (2, WireErrorKind::TrailingBits));
        assert_eq!(kind(b"*"), (0, WireErrorKind::InvalidByte(b'*')));
    }

    #[test]
    fn initial_responses() {
        assert_eq!(encode_initial(b""), "=");
        assert_eq!(encode_initial(b"\0"), "AA==");
        assert_eq!(decode_initial(b"=").unwrap(), b"");
        assert_eq!(decode_initial(b"AA==").unwrap(), b"\0");
        assert_eq!(
            decode_initial(b""),
            Err(WireError {
                offset: 0,
                kind: WireErrorKind::Empty
            })
        );
        assert_eq!(decode_initial(b"==").unwrap_err().offset, 0);
        assert!(is_cancel(b"*"));
        assert!(!is_cancel(b"**"));
    }
}
