//! Byte classes of the command grammar, as one lookup table, so that each
//! scanner tests a byte with a single load and mask.
//!
//! The classes are those of RFC 5321 §4.1.2 and §4.1.3, RFC 5322 §3.2.3,
//! RFC 3461 §4 and RFC 6531 §3.3; each constant names its rule.

/// `atext` (RFC 5322 §3.2.3), plus `UTF8-non-ascii` (RFC 6531 §3.3:
/// `atext =/ UTF8-non-ascii`).
pub(crate) const ATEXT: u16 = 1 << 0;
/// `Let-dig = ALPHA / DIGIT` (RFC 5321 §4.1.2), plus the octets of
/// `UTF8-non-ascii` for U-labels (RFC 6531 §3.3).
pub(crate) const LET_DIG: u16 = 1 << 1;
/// `Let-dig` or `-`: the octets of a domain label.
pub(crate) const LDH: u16 = 1 << 2;
/// `dcontent = %d33-90 / %d94-126` (RFC 5321 §4.1.3).
pub(crate) const DCONTENT: u16 = 1 << 3;
/// `qtextSMTP = %d32-33 / %d35-91 / %d93-126` (RFC 5321 §4.1.2), plus
/// `UTF8-non-ascii` (RFC 6531 §3.3).
pub(crate) const QTEXT: u16 = 1 << 4;
/// `xchar`: `!` to `~` except `+` and `=` (RFC 3461 §4).
pub(crate) const XCHAR: u16 = 1 << 5;
/// The octets of `esmtp-value = 1*(%d33-60 / %d62-126)` (RFC 5321
/// §4.1.2), with `esmtp-value =/ UTF8-non-ascii` (RFC 6531 §3.3).
pub(crate) const VALUE: u16 = 1 << 6;
/// The octets of `esmtp-keyword`: `ALPHA / DIGIT / "-"` (RFC 5321 §4.1.2).
pub(crate) const KEYWORD: u16 = 1 << 7;
/// The octets of `addr-type = atom` (RFC 3461 §4.2), as ASCII `atext`
/// without `=`, which an `esmtp-value` cannot hold.
pub(crate) const ADDR_TYPE: u16 = 1 << 8;
/// Control characters other than HT, and DEL: never inside a command line.
pub(crate) const FORBIDDEN: u16 = 1 << 9;
/// `HEXDIG` in upper case, as `hexchar` needs (RFC 3461 §4).
pub(crate) const UPPER_HEX: u16 = 1 << 10;

const fn classes(b: u8) -> u16 {
    let alnum = b.is_ascii_alphanumeric();
    let utf8 = b >= 0x80;
    let specials = matches!(
        b,
        b'!' | b'#'
            | b'$'
            | b'%'
            | b'&'
            | b'\''
            | b'*'
            | b'+'
            | b'-'
            | b'/'
            | b'='
            | b'?'
            | b'^'
            | b'_'
            | b'`'
            | b'{'
            | b'|'
            | b'}'
            | b'~'
    );
    let mut c = 0;
    if alnum || utf8 || specials {
        c |= ATEXT;
    }
    if alnum || utf8 {
        c |= LET_DIG | LDH;
    }
    if b == b'-' {
        c |= LDH | KEYWORD;
    }
    if matches!(b, 33..=90 | 94..=126) {
        c |= DCONTENT;
    }
    if matches!(b, 32..=33 | 35..=91 | 93..=126) || utf8 {
        c |= QTEXT;
    }
    if matches!(b, 33..=126) && b != b'+' && b != b'=' {
        c |= XCHAR;
    }
    if matches!(b, 33..=60 | 62..=126) || utf8 {
        c |= VALUE;
    }
    if alnum {
        c |= KEYWORD;
    }
    if (alnum || specials) && b != b'=' {
        c |= ADDR_TYPE;
    }
    if (b < 0x20 && b != b'\t') || b == 0x7f {
        c |= FORBIDDEN;
    }
    if matches!(b, b'0'..=b'9' | b'A'..=b'F') {
        c |= UPPER_HEX;
    }
    c
}

const fn table() -> [u16; 256] {
    let mut t = [0; 256];
    let mut i = 0;
    while i < 256 {
        // `i` is below 256.
        #[allow(clippy::cast_possible_truncation)]
        let b = i as u8;
        t[i] = classes(b);
        i += 1;
    }
    t
}

static TABLE: [u16; 256] = table();

/// True when `b` is in any of the classes of `mask`.
#[inline(always)]
pub(crate) fn is(b: u8, mask: u16) -> bool {
    TABLE[usize::from(b)] & mask != 0
}

/// The offset of the first byte at or after `start` that is not in
/// `mask`, or `s.len()`.
///
/// Four bytes a step, each tested on its own: one bounds check and one
/// loop branch per four bytes instead of per byte.
#[inline(always)]
pub(crate) fn run(s: &[u8], start: usize, mask: u16) -> usize {
    let rest = s.get(start..).unwrap_or_default();
    let mut i = start;
    let mut fours = rest.chunks_exact(4);
    for four in &mut fours {
        let &[a, b, c, d] = four else { break };
        if !is(a, mask) {
            return i;
        }
        if !is(b, mask) {
            return i + 1;
        }
        if !is(c, mask) {
            return i + 2;
        }
        if !is(d, mask) {
            return i + 3;
        }
        i += 4;
    }
    let tail = fours.remainder();
    i + tail
        .iter()
        .position(|&b| !is(b, mask))
        .unwrap_or(tail.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_matches_the_rules() {
        for b in 0..=255u8 {
            let atext =
                b.is_ascii_alphanumeric() || b >= 0x80 || b"!#$%&'*+-/=?^_`{|}~".contains(&b);
            assert_eq!(is(b, ATEXT), atext, "{b}");
            assert_eq!(is(b, LET_DIG), b.is_ascii_alphanumeric() || b >= 0x80);
            assert_eq!(
                is(b, LDH),
                b.is_ascii_alphanumeric() || b >= 0x80 || b == b'-'
            );
            assert_eq!(is(b, DCONTENT), matches!(b, 33..=90 | 94..=126));
            assert_eq!(
                is(b, QTEXT),
                matches!(b, 32..=33 | 35..=91 | 93..=126) || b >= 0x80
            );
            assert_eq!(
                is(b, XCHAR),
                (33..=126).contains(&b) && b != b'+' && b != b'='
            );
            assert_eq!(is(b, VALUE), matches!(b, 33..=60 | 62..=126) || b >= 0x80);
            assert_eq!(is(b, KEYWORD), b.is_ascii_alphanumeric() || b == b'-');
            assert_eq!(is(b, ADDR_TYPE), b.is_ascii() && atext && b != b'=');
            assert_eq!(is(b, FORBIDDEN), (b < 0x20 && b != b'\t') || b == 0x7f);
            assert_eq!(
                is(b, UPPER_HEX),
                b.is_ascii_digit() || (b'A'..=b'F').contains(&b)
            );
        }
        assert_eq!(run(b"ab-c d", 0, KEYWORD), 4);
        assert_eq!(run(b"ab", 5, KEYWORD), 5);
        // Every length, every position of the first byte outside the
        // class and every start, against a byte-at-a-time reference.
        let reference = |s: &[u8], start: usize| {
            let rest = s.get(start..).unwrap_or_default();
            start
                + rest
                    .iter()
                    .position(|&b| !is(b, KEYWORD))
                    .unwrap_or(rest.len())
        };
        let line = b"abcdefghijklmnopqrstuvwxyz";
        for len in 0..=line.len() {
            for stop in 0..=len {
                let mut s = line[..len].to_vec();
                if let Some(b) = s.get_mut(stop) {
                    *b = b' ';
                }
                for start in 0..=len + 1 {
                    assert_eq!(run(&s, start, KEYWORD), reference(&s, start));
                }
            }
        }
    }
}
