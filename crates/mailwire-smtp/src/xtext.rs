//! `xtext` (RFC 3461 §4): the encoding that carries arbitrary octets in an
//! ESMTP parameter value, used by `ENVID`, `ORCPT` and `AUTH=`.
//!
//! ```text
//! xtext   = *( xchar / hexchar )
//! xchar   = any ASCII CHAR between "!" (33) and "~" (126) inclusive,
//!           except for "+" and "=".
//! hexchar = ASCII "+" immediately followed by two upper case
//!           hexadecimal digits
//! ```
//!
//! ```
//! use mailwire_smtp::xtext;
//! let mut wire = Vec::new();
//! xtext::encode(b"a+b=c d", &mut wire);
//! assert_eq!(wire, b"a+2Bb+3Dc+20d");
//! assert_eq!(xtext::decode(&wire).unwrap(), &b"a+b=c d"[..]);
//! assert!(xtext::decode(b"a+2b").is_err()); // hex digits are upper case
//! ```

use std::borrow::Cow;

use crate::types::class;

/// Why bytes are not valid `xtext`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XtextError {
    /// A byte that is neither an `xchar` nor the start of a `hexchar`.
    #[error("byte 0x{byte:02x} not allowed in xtext at offset {offset}")]
    ForbiddenByte {
        /// Offset of the byte.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// A `+` not followed by two upper-case hexadecimal digits.
    #[error("'+' at offset {offset} not followed by two upper-case hex digits")]
    BadEscape {
        /// Offset of the `+`.
        offset: usize,
    },
}

/// `xchar`: `!` to `~` except `+` and `=`.
pub(crate) fn is_xchar(b: u8) -> bool {
    class::is(b, class::XCHAR)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// True when each of the eight octets of `w` is an `xchar`: `!` to `~`,
/// neither `+` nor `=`. Each test flags the high bit of an octet it
/// matches, with false flags only above a true one, so the answer is
/// exact.
fn all_xchar(w: u64) -> bool {
    const ONES: u64 = u64::from_le_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);
    let zero = |x: u64| x.wrapping_sub(ONES) & !x;
    // Below `!` (SP and controls): a borrow out of the octet.
    let low = w.wrapping_sub(ONES * 0x21) & !w;
    let del = zero(w ^ (ONES * 0x7f));
    let plus = zero(w ^ (ONES * u64::from(b'+')));
    let equals = zero(w ^ (ONES * u64::from(b'=')));
    (w | low | del | plus | equals) & HIGHS == 0
}

/// Checks that `wire` is `xtext`; on failure says where.
pub fn validate(wire: &[u8]) -> Result<(), XtextError> {
    let i = valid_prefix(wire);
    match wire.get(i) {
        None => Ok(()),
        Some(b'+') => Err(XtextError::BadEscape { offset: i }),
        Some(&byte) => Err(XtextError::ForbiddenByte { offset: i, byte }),
    }
}

/// The length of the longest prefix of `wire` that is `xtext`: it ends
/// at the first octet that is neither an `xchar` nor the start of a
/// `hexchar`.
pub(crate) fn valid_prefix(wire: &[u8]) -> usize {
    // Most values have no `+XX` escape: eight octets at a time while they
    // are all `xchar`, then one at a time from the first word that is not.
    let mut i = 0;
    while let Some(chunk) = wire.get(i..i + 8) {
        let mut octets = [0u8; 8];
        octets.copy_from_slice(chunk);
        if !all_xchar(u64::from_le_bytes(octets)) {
            break;
        }
        i += 8;
    }
    loop {
        // Runs of `xchar` at table speed; a `+` or the end stops them.
        i = class::run(wire, i, class::XCHAR);
        match (wire.get(i), wire.get(i + 1), wire.get(i + 2)) {
            (Some(b'+'), Some(&h), Some(&l))
                if class::is(h, class::UPPER_HEX) && class::is(l, class::UPPER_HEX) =>
            {
                i += 3;
            }
            _ => return i,
        }
    }
}

/// The octets that `wire` encodes. Borrows when there is no `+XX` escape.
pub fn decode(wire: &[u8]) -> Result<Cow<'_, [u8]>, XtextError> {
    validate(wire)?;
    if !wire.contains(&b'+') {
        return Ok(Cow::Borrowed(wire));
    }
    let mut out = Vec::with_capacity(wire.len());
    let mut rest = wire;
    while let Some((&b, tail)) = rest.split_first() {
        match (b, tail) {
            (b'+', [h, l, tail @ ..]) => {
                // `validate` has checked both digits.
                let v = hex_value(*h).unwrap_or(0) << 4 | hex_value(*l).unwrap_or(0);
                out.push(v);
                rest = tail;
            }
            _ => {
                out.push(b);
                rest = tail;
            }
        }
    }
    Ok(Cow::Owned(out))
}

/// Appends the `xtext` form of `octets` to `out`: `xchar`s as they are,
/// every other octet as `+` and two upper-case hex digits.
pub fn encode(octets: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in octets {
        if is_xchar(b) {
            out.push(b);
        } else {
            out.push(b'+');
            out.push(HEX[usize::from(b >> 4)]);
            out.push(HEX[usize::from(b & 0x0f)]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3461_examples() {
        // RFC 3461 §4.2: an ORCPT address with a '+' in its local part.
        assert_eq!(
            decode(b"Bob+2BSmith@example.com").unwrap(),
            &b"Bob+Smith@example.com"[..]
        );
        let mut out = Vec::new();
        encode(b"Bob+Smith@example.com", &mut out);
        assert_eq!(out, b"Bob+2BSmith@example.com");
    }

    #[test]
    fn every_octet_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        let mut wire = Vec::new();
        encode(&all, &mut wire);
        assert!(wire.iter().all(|&b| (33..=126).contains(&b) && b != b'='));
        assert_eq!(decode(&wire).unwrap(), &all[..]);
    }

    #[test]
    fn word_test_matches_the_table() {
        // Every octet in every position, among xchar neighbours.
        for b in 0..=255u8 {
            for pos in 0..8 {
                let mut w = *b"abcdefgh";
                w[pos] = b;
                assert_eq!(
                    all_xchar(u64::from_le_bytes(w)),
                    is_xchar(b),
                    "{b} at {pos}"
                );
            }
        }
        // Neighbouring octets that borrow from each other.
        for a in 0..=255u8 {
            for b in [
                0u8, 0x20, 0x21, 0x2a, 0x2b, 0x2c, 0x3d, 0x7e, 0x7f, 0x80, 0xff,
            ] {
                let w = u64::from_le_bytes([a, b, b'x', b'x', b'x', b'x', b'x', b'x']);
                assert_eq!(all_xchar(w), is_xchar(a) && is_xchar(b), "{a} {b}");
            }
        }
    }

    #[test]
    fn errors() {
        assert_eq!(decode(b"a+"), Err(XtextError::BadEscape { offset: 1 }));
        assert_eq!(decode(b"a+4"), Err(XtextError::BadEscape { offset: 1 }));
        assert_eq!(decode(b"+4g"), Err(XtextError::BadEscape { offset: 0 }));
        assert_eq!(
            decode(b"a=b"),
            Err(XtextError::ForbiddenByte {
                offset: 1,
                byte: b'='
            })
        );
        assert_eq!(
            decode(b"a b"),
            Err(XtextError::ForbiddenByte {
                offset: 1,
                byte: b' '
            })
        );
        assert_eq!(decode(b"").unwrap(), &b""[..]);
    }
}
