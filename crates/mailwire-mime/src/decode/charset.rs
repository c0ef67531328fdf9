//! Charset conversion: every WHATWG encoding label through `encoding_rs`,
//! UTF-7 (RFC 2152) by hand, and a fallback for unknown names.

use std::borrow::Cow;

/// Decodes `bytes` written in `charset` (a MIME charset name, RFC 2045
/// §5.1 / RFC 2047 §2, matched case-insensitively) to UTF-8: what
/// [`Part::text`](crate::Part::text) does with a text body, for bodies
/// read with [`MessageParser`](super::MessageParser).
///
/// ```
/// use mailwire_mime::decode::to_utf8;
///
/// assert_eq!(to_utf8(b"iso-8859-1", b"caf\xe9"), "café");
/// assert_eq!(to_utf8(b"utf-7", b"caf+AOk-"), "café");
/// ```
///
/// - UTF-7 (`utf-7`, `unicode-1-1-utf-7`, `csunicode11utf7`) is decoded
///   per RFC 2152;
/// - any label the WHATWG Encoding Standard knows goes through
///   `encoding_rs`, without BOM sniffing; malformed sequences become
///   U+FFFD;
/// - US-ASCII labels accept UTF-8, which mislabelled mail often holds;
/// - an unknown name, or one that maps to the WHATWG "replacement"
///   encoding, decodes as UTF-8 when the bytes are UTF-8, else as
///   ISO-8859-1, so that no byte is lost.
pub fn decode<'a>(charset: &[u8], bytes: &'a [u8]) -> Cow<'a, str> {
    let label = trim_ascii(charset);
    // The usual names first, without a lookup.
    if is_utf8(label) {
        return encoding_rs::UTF_8.decode_without_bom_handling(bytes).0;
    }
    if label.is_empty() || is_us_ascii(label) {
        return fallback(bytes);
    }
    if is_utf7(label) {
        return Cow::Owned(utf7(bytes));
    }
    match lookup(label) {
        // ASCII means ASCII in every ASCII-compatible charset.
        Some(enc) if !(bytes.is_ascii() && enc.is_ascii_compatible()) => {
            enc.decode_without_bom_handling(bytes).0
        }
        _ => fallback(bytes),
    }
}

/// Labels mail uses most, with the encoding the WHATWG Encoding Standard
/// gives them (`iso-8859-1` and `us-ascii` are `windows-1252` there).
const COMMON: [(&str, &encoding_rs::Encoding); 8] = [
    ("iso-8859-1", encoding_rs::WINDOWS_1252),
    ("windows-1252", encoding_rs::WINDOWS_1252),
    ("iso-8859-15", encoding_rs::ISO_8859_15),
    ("iso-8859-2", encoding_rs::ISO_8859_2),
    ("windows-1251", encoding_rs::WINDOWS_1251),
    ("koi8-r", encoding_rs::KOI8_R),
    ("iso-2022-jp", encoding_rs::ISO_2022_JP),
    ("shift_jis", encoding_rs::SHIFT_JIS),
];

/// The encoding of a WHATWG label (the "replacement" encoding excepted):
/// the common ones without the general lookup.
fn lookup(label: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if is_utf8(label) {
        return Some(encoding_rs::UTF_8);
    }
    COMMON
        .iter()
        .find(|(name, _)| label.eq_ignore_ascii_case(name.as_bytes()))
        .map(|&(_, enc)| enc)
        .or_else(|| encoding_rs::Encoding::for_label_no_replacement(label))
}

/// True when [`decode`] knows `charset` (rather than guessing through its
/// fallback); an empty name counts as known (US-ASCII).
pub(crate) fn is_known(charset: &[u8]) -> bool {
    let label = trim_ascii(charset);
    label.is_empty()
        || is_utf8(label)
        || is_us_ascii(label)
        || lookup(label).is_some()
        || is_utf7(label)
}

fn trim_ascii(s: &[u8]) -> &[u8] {
    let s = s.trim_ascii();
    // A quoted name: `"utf-8"`.
    match s {
        [b'"', inner @ .., b'"'] => inner.trim_ascii(),
        _ => s,
    }
}

// The names are told apart by their length first: one comparison at most.

fn is_utf8(label: &[u8]) -> bool {
    match label.len() {
        5 => label.eq_ignore_ascii_case(b"utf-8"),
        4 => label.eq_ignore_ascii_case(b"utf8"),
        _ => false,
    }
}

fn is_utf7(label: &[u8]) -> bool {
    match label.len() {
        5 => label.eq_ignore_ascii_case(b"utf-7"),
        17 => label.eq_ignore_ascii_case(b"unicode-1-1-utf-7"),
        15 => label.eq_ignore_ascii_case(b"csunicode11utf7"),
        7 => label.eq_ignore_ascii_case(b"x-utf-7"),
        _ => false,
    }
}

fn is_us_ascii(label: &[u8]) -> bool {
    match label.len() {
        8 => label.eq_ignore_ascii_case(b"us-ascii"),
        5 => label.eq_ignore_ascii_case(b"ascii"),
        2 => label.eq_ignore_ascii_case(b"us"),
        14 => label.eq_ignore_ascii_case(b"ansi_x3.4-1968"),
        9 => label.eq_ignore_ascii_case(b"iso646-us"),
        7 => label.eq_ignore_ascii_case(b"csascii"),
        _ => false,
    }
}

/// UTF-8 when valid, else ISO-8859-1: every byte becomes one character.
fn fallback(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// The value of a modified-base64 digit (RFC 2152: the base64 alphabet of
/// RFC 2045, without `=`).
fn b64_value(b: u8) -> Option<u32> {
    match b {
        b'A'..=b'Z' => Some(u32::from(b - b'A')),
        b'a'..=b'z' => Some(u32::from(b - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(b - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// UTF-7 (RFC 2152 §"Definition of the UTF-7 encoding"):
/// direct and optional-direct characters stand for themselves; `+` starts a
/// run of modified base64 holding UTF-16 code units, ended by the first
/// byte outside the alphabet (a `-` there is absorbed); `+-` is `+`.
///
/// Tolerant: bytes above 0x7F and unpaired surrogates become U+FFFD; a `+`
/// followed by neither base64 nor `-` stays a literal `+`; leftover bits of
/// a run are dropped.
pub(crate) fn utf7(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != b'+' {
            out.push(if b.is_ascii() {
                char::from(b)
            } else {
                char::REPLACEMENT_CHARACTER
            });
            i += 1;
            continue;
        }
        i += 1;
        match bytes.get(i) {
            Some(b'-') => {
                out.push('+');
                i += 1;
                continue;
            }
            Some(&c) if b64_value(c).is_some() => {}
            _ => {
                out.push('+');
                continue;
            }
        }
        let mut bits: u32 = 0;
        let mut nbits = 0u32;
        let mut high: Option<u16> = None;
        while let Some(v) = bytes.get(i).copied().and_then(b64_value) {
            i += 1;
            bits = (bits << 6) | v;
            nbits += 6;
            if nbits >= 16 {
                nbits -= 16;
                let unit = u16::try_from((bits >> nbits) & 0xFFFF).unwrap_or(0xFFFD);
                bits &= (1 << nbits) - 1;
                push_utf16(&mut out, &mut high, unit);
            }
        }
        if high.take().is_some() {
            out.push(char::REPLACEMENT_CHARACTER);
        }
        if bytes.get(i) == Some(&b'-') {
            i += 1;
        }
    }
    out
}

/// Appends one UTF-16 code unit, pairing surrogates through `high`.
fn push_utf16(out: &mut String, high: &mut Option<u16>, unit: u16) {
    match (high.take(), unit) {
        (Some(h), 0xDC00..=0xDFFF) => {
            let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(unit) - 0xDC00);
            out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
        (prev, 0xD800..=0xDBFF) => {
            if prev.is_some() {
                out.push(char::REPLACEMENT_CHARACTER);
            }
            *high = Some(unit);
        }
        (prev, _) => {
            if prev.is_some() {
                out.push(char::REPLACEMENT_CHARACTER);
            }
            out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_labels_are_the_whatwg_ones() {
        for (name, enc) in COMMON {
            assert_eq!(
                encoding_rs::Encoding::for_label_no_replacement(name.as_bytes()),
                Some(enc),
                "{name}"
            );
            assert_eq!(lookup(name.to_uppercase().as_bytes()), Some(enc));
        }
        assert_eq!(lookup(b"UTF-8"), Some(encoding_rs::UTF_8));
        assert_eq!(lookup(b"latin2"), Some(encoding_rs::ISO_8859_2));
        assert_eq!(lookup(b"x-unknown"), None);
        assert_eq!(decode(b"ISO-8859-1", b"caf\xe9"), "café");
        assert_eq!(decode(b"utf-16le", b"a\0"), "a");
    }

    #[test]
    fn whatwg_labels() {
        assert_eq!(decode(b"ISO-8859-1", b"J\xf8rn"), "Jørn");
        assert_eq!(decode(b"iso-8859-2", b"\xb1"), "ą");
        assert_eq!(decode(b"windows-1251", b"\xcf\xf0"), "Пр");
        assert_eq!(decode(b"Shift_JIS", b"\x82\xa0"), "あ");
        assert_eq!(decode(b"ks_c_5601-1987", b"\xc7\xd1"), "한");
        assert_eq!(decode(b"gb2312", b"\xc4\xe3"), "你");
        assert_eq!(decode(b"koi8-r", b"\xf0"), "П");
        assert_eq!(decode(b"\"utf-8\"", "é".as_bytes()), "é");
        assert_eq!(decode(b"utf-16be", b"\x00A\x00\xe9"), "Aé");
    }

    #[test]
    fn iso_2022_jp_uses_escapes() {
        // ASCII bytes that are not ASCII characters in this charset.
        assert_eq!(decode(b"iso-2022-jp", b"\x1b$B$\"\x1b(B"), "あ");
    }

    #[test]
    fn ascii_and_unknown() {
        assert_eq!(decode(b"us-ascii", "café".as_bytes()), "café");
        assert_eq!(decode(b"x-unknown", "café".as_bytes()), "café");
        assert_eq!(decode(b"x-unknown", b"caf\xe9"), "café");
        // "iso-2022-kr" is a WHATWG "replacement" label: no data is lost.
        assert_eq!(decode(b"iso-2022-kr", b"abc"), "abc");
    }

    #[test]
    fn utf7_rfc2152_examples() {
        assert_eq!(utf7(b"Hi Mom -+Jjo--!"), "Hi Mom -\u{263A}-!");
        assert_eq!(utf7(b"+ZeVnLIqe-"), "日本語");
        assert_eq!(utf7(b"A+ImIDkQ."), "A\u{2262}\u{0391}.");
        assert_eq!(utf7(b"1 +- 1"), "1 + 1");
        assert_eq!(utf7(b"+AKM."), "£.");
        assert_eq!(utf7(b"x +AKM y"), "x £ y");
        assert_eq!(utf7(b"+AKM, then"), "£, then");
        // A surrogate pair: U+1F600.
        assert_eq!(utf7(b"+2D3eAA-"), "\u{1F600}");
        assert_eq!(decode(b"UTF-7", b"+AOk-"), "é");
    }

    #[test]
    fn utf7_tolerance() {
        assert_eq!(utf7(b"a+"), "a+");
        assert_eq!(utf7(b"+."), "+.");
        assert_eq!(utf7(b"\xff"), "\u{FFFD}");
        // A lone high surrogate.
        assert_eq!(utf7(b"+2D0-x"), "\u{FFFD}x");
        // A lone low surrogate.
        assert_eq!(utf7(b"+3gA-"), "\u{FFFD}");
    }
}
