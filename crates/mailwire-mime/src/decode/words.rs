//! Unfolding and RFC 2047 encoded words in `unstructured` text.

use std::borrow::Cow;

use super::charset;

/// Unfolds a field body (RFC 5322 §2.2.3: "unfolding is accomplished by
/// simply removing any CRLF that is immediately followed by WSP").
///
/// Tolerant: bare LF and bare CR are removed too, wherever they are, so no
/// line break survives into the value. (The header splitter records them as
/// [`DefectKind::BareLf`](crate::types::DefectKind::BareLf) and
/// [`DefectKind::BareCr`](crate::types::DefectKind::BareCr).) The white
/// space after a fold is kept. Borrows when there is nothing to remove.
///
/// ```
/// use mailwire_mime::decode::unfold;
/// assert_eq!(unfold(b" a\r\n  b\n\tc"), &b" a  b\tc"[..]);
/// ```
pub fn unfold(raw: &[u8]) -> Cow<'_, [u8]> {
    let Some(first) = memchr::memchr2(b'\r', b'\n', raw) else {
        return Cow::Borrowed(raw);
    };
    let mut out = Vec::with_capacity(raw.len());
    let mut from = 0;
    for j in std::iter::once(first).chain(
        memchr::memchr2_iter(b'\r', b'\n', raw.get(first + 1..).unwrap_or_default())
            .map(|j| first + 1 + j),
    ) {
        out.extend_from_slice(raw.get(from..j).unwrap_or_default());
        from = j + 1;
    }
    out.extend_from_slice(raw.get(from..).unwrap_or_default());
    Cow::Owned(out)
}

/// `bytes` as text: borrowed when UTF-8, else with U+FFFD for what is not.
pub(crate) fn lossy(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// `bytes` as text, without copying when UTF-8.
pub(crate) fn lossy_owned(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Where the first `=?` of `text[from..]` starts, counted from the start
/// of `text`.
pub(crate) fn find_word_start(text: &[u8], from: usize) -> Option<usize> {
    let rest = text.get(from..)?;
    memchr::memchr_iter(b'=', rest)
        .find(|&j| rest.get(j + 1) == Some(&b'?'))
        .map(|j| from + j)
}

/// `WSP = SP / HTAB` (RFC 5234 Appendix B.1).
fn is_wsp(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Decodes a field body read as `unstructured` (RFC 5322 §3.2.5), with the
/// RFC 2047 encoded words in it:
///
/// 1. unfolds it ([`unfold`]) and trims leading and trailing white space
///    (SP, HTAB);
/// 2. decodes every `encoded-word = "=?" charset "?" encoding "?"
///    encoded-text "?="` (RFC 2047 §2), `encoding` `B` or `Q` in either case
///    (§4), the charset matched case-insensitively with any RFC 2231 §5
///    `*language` suffix ignored;
/// 3. drops white space between two adjacent encoded words (RFC 2047 §6.2);
/// 4. joins the octets of adjacent encoded words with the same charset
///    before converting them, so a character split across two words
///    decodes;
/// 5. converts charsets as `encoding_rs` does for every WHATWG label, plus
///    UTF-7 (RFC 2152); an unknown charset reads as UTF-8 when the octets
///    are UTF-8, else as ISO-8859-1;
/// 6. passes raw UTF-8 through (RFC 6532 §3.2), and reads other raw 8-bit
///    octets lossily (U+FFFD).
///
/// Tolerant, like the mail clients people use: encoded words are
/// recognised wherever they occur, not only between white space (RFC 2047
/// §5 would have `(=?…?=)` left as is in `*text`); B text may lack padding
/// or hold stray characters; a Q `=` not followed by two hex digits stays
/// literal. A malformed encoded word is left as literal text. Encoded text
/// ends at its first `?`, so the cost is linear in the input.
///
/// Borrows when the value needs no change but trimming.
///
/// ```
/// use mailwire_mime::decode::unstructured;
/// assert_eq!(unstructured(b" =?ISO-8859-1?Q?Andr=E9?= Pirard"), "André Pirard");
/// assert_eq!(
///     unstructured(b" =?utf-8?B?w6k=?=\r\n =?UTF-8?q?t=C3=A9?="),
///     "été",
/// );
/// assert_eq!(unstructured("  déjà vu ".as_bytes()), "déjà vu");
/// ```
pub fn unstructured(raw: &[u8]) -> Cow<'_, str> {
    match unfold(raw) {
        Cow::Borrowed(b) => decode_text(trim_wsp(b)),
        Cow::Owned(mut v) => {
            let start = v.iter().position(|&b| !is_wsp(b)).unwrap_or(v.len());
            let end = v.iter().rposition(|&b| !is_wsp(b)).map_or(start, |e| e + 1);
            let t = v.get(start..end).unwrap_or_default();
            if find_word_start(t, 0).is_some() {
                return Cow::Owned(decode_text(t).into_owned());
            }
            // Nothing to decode: the unfolded octets are the text.
            v.truncate(end);
            v.drain(..start);
            Cow::Owned(lossy_owned(v))
        }
    }
}

fn trim_wsp(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_wsp(*first) {
            break;
        }
        s = rest;
    }
    while let [rest @ .., last] = s {
        if !is_wsp(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// One encoded word, parsed.
#[derive(Debug)]
struct Word<'a> {
    /// The charset name, any `*language` suffix removed.
    charset: &'a [u8],
    /// `B` (true) or `Q` (false).
    base64: bool,
    /// The encoded text.
    text: &'a [u8],
    /// Offset just past the closing `?=`.
    end: usize,
}

/// `encoded-word = "=?" charset "?" encoding "?" encoded-text "?="`
/// (RFC 2047 §2), with `charset [ "*" language ]` (RFC 2231 §5), at
/// `input[at..]`, which starts with `=?`.
///
/// `charset` is read as any run of printable ASCII but `?`; `encoding` is
/// one of `B b Q q`; `encoded-text` is any run of bytes other than `?`, SP,
/// HTAB, CR and LF. Scanning stops at the third `?` after `at`, which keeps
/// the total cost of all attempts linear.
fn encoded_word(input: &[u8], at: usize) -> Option<Word<'_>> {
    let cs_start = at + 2;
    let cs_len = input
        .get(cs_start..)?
        .iter()
        .position(|&b| !(b.is_ascii_graphic() && b != b'?'))?;
    if cs_len == 0 {
        return None;
    }
    let q1 = cs_start + cs_len;
    let (enc, q2) = (*input.get(q1 + 1)?, q1 + 2);
    if input[q1] != b'?' || input.get(q2) != Some(&b'?') {
        return None;
    }
    let base64 = match enc {
        b'B' | b'b' => true,
        b'Q' | b'q' => false,
        _ => return None,
    };
    let text_start = q2 + 1;
    let text_len = input
        .get(text_start..)?
        .iter()
        .position(|&b| matches!(b, b'?' | b' ' | b'\t' | b'\r' | b'\n'))?;
    let q3 = text_start + text_len;
    if input[q3] != b'?' || input.get(q3 + 1) != Some(&b'=') {
        return None;
    }
    let charset = &input[cs_start..q1];
    let charset = match memchr::memchr(b'*', charset) {
        Some(star) => &charset[..star],
        None => charset,
    };
    Some(Word {
        charset,
        base64,
        text: &input[text_start..q3],
        end: q3 + 2,
    })
}

/// The offset just past the encoded word that starts at `input[at..]`, if
/// one does (see [`encoded_word`]).
pub(crate) fn encoded_word_end(input: &[u8], at: usize) -> Option<usize> {
    encoded_word(input, at).map(|w| w.end)
}

/// True when `text` is exactly one encoded word.
pub(crate) fn is_encoded_word(text: &[u8]) -> bool {
    text.starts_with(b"=?") && encoded_word_end(text, 0) == Some(text.len())
}

/// The `B` encoding (RFC 2047 §4.1, the base64 of RFC 2045 §6.8), read
/// tolerantly: characters outside the alphabet (padding included) are
/// skipped, and trailing bits that do not make an octet are dropped.
fn decode_b(text: &[u8], out: &mut Vec<u8>) {
    let mut bits: u32 = 0;
    let mut nbits = 0u32;
    for &c in text {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => continue,
        };
        bits = (bits << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push(u8::try_from((bits >> nbits) & 0xFF).unwrap_or(0));
            bits &= (1 << nbits) - 1;
        }
    }
}

/// The `Q` encoding (RFC 2047 §4.2): `_` is SP, `=` and two hex digits (in
/// either case) is that octet, anything else stands for itself. A `=` not
/// followed by two hex digits stays literal.
fn decode_q(text: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = |j: usize| text.get(j).and_then(|&h| char::from(h).to_digit(16));
                if let (Some(h), Some(l)) = (hex(i + 1), hex(i + 2)) {
                    out.push(u8::try_from(h * 16 + l).unwrap_or(b'='));
                    i += 3;
                    continue;
                }
                out.push(b'=');
            }
            c => out.push(c),
        }
        i += 1;
    }
}

/// Decodes the encoded words of already unfolded and trimmed text.
pub(crate) fn decode_text(text: &[u8]) -> Cow<'_, str> {
    let Some(first) = find_word_start(text, 0) else {
        return lossy(text);
    };
    let mut out = String::with_capacity(text.len());
    // Octets of the adjacent encoded words seen so far, and their charset.
    let mut pending: Vec<u8> = Vec::new();
    let mut pending_charset: Option<&[u8]> = None;
    // Start of the literal text not yet written.
    let mut literal = 0;
    let mut next = Some(first);
    while let Some(i) = next {
        let Some(word) = encoded_word(text, i) else {
            next = find_word_start(text, i + 1);
            continue;
        };
        let between = &text[literal..i];
        let adjacent = pending_charset.is_some() && between.iter().all(|&b| is_wsp(b));
        let same =
            adjacent && pending_charset.is_some_and(|c| c.eq_ignore_ascii_case(word.charset));
        if !same {
            flush(&mut out, &mut pending, pending_charset.take());
            if !adjacent {
                out.push_str(&lossy(between));
            }
        }
        pending_charset = Some(word.charset);
        if word.base64 {
            decode_b(word.text, &mut pending);
        } else {
            decode_q(word.text, &mut pending);
        }
        literal = word.end;
        next = find_word_start(text, word.end);
    }
    flush(&mut out, &mut pending, pending_charset);
    out.push_str(&lossy(&text[literal..]));
    Cow::Owned(out)
}

/// Converts the pending octets from their charset and appends them.
fn flush(out: &mut String, pending: &mut Vec<u8>, charset: Option<&[u8]>) {
    if let Some(charset) = charset {
        out.push_str(&charset::decode(charset, pending));
    }
    pending.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfold_removes_every_line_break() {
        assert_eq!(unfold(b"a"), &b"a"[..]);
        assert_eq!(unfold(b"\r\n"), &b""[..]);
        assert_eq!(unfold(b"\r\n a\r\n\tb\n c\rd\r\n\r\n"), &b" a\tb cd"[..]);
        let long: Vec<u8> = b"word\r\n ".repeat(50);
        assert_eq!(unfold(&long).into_owned(), b"word ".repeat(50));
        assert_eq!(
            unstructured(b"  Re:\r\n  long\r\n\tsubject  "),
            "Re:  long\tsubject"
        );
    }

    #[test]
    fn rfc2047_section8_headers() {
        assert_eq!(
            unstructured(b" =?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>"),
            "Keith Moore <moore@cs.utk.edu>"
        );
        assert_eq!(
            unstructured(b" =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>"),
            "Keld Jørn Simonsen <keld@dkuug.dk>"
        );
        assert_eq!(
            unstructured(b" =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>"),
            "André Pirard <PIRARD@vm1.ulg.ac.be>"
        );
        assert_eq!(
            unstructured(b" =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?="),
            "If you can read this you understand the example."
        );
        assert_eq!(
            unstructured(b" =?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>"),
            "Olle Järnefors <ojarnef@admin.kth.se>"
        );
        assert_eq!(
            unstructured(b" =?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?= <paf@nada.kth.se>"),
            "Patrik Fältström <paf@nada.kth.se>"
        );
        assert_eq!(
            unstructured(b" Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)"),
            "Nathaniel Borenstein <nsb@thumper.bellcore.com>    (\u{5dd}\u{5d5}\u{5dc}\u{5e9} \u{5df}\u{5d1} \u{5d9}\u{5dc}\u{5d8}\u{5e4}\u{5e0})"
        );
        // Fields without encoded words are untouched.
        assert_eq!(unstructured(b" Time for ISO 10646?"), "Time for ISO 10646?");
        assert_eq!(
            unstructured(b" Re: RFC-HDR care and feeding"),
            "Re: RFC-HDR care and feeding"
        );
    }

    #[test]
    fn rfc2047_section8_display_table() {
        let cases: [(&[u8], &str); 9] = [
            (b"(=?ISO-8859-1?Q?a?=)", "(a)"),
            (b"(=?ISO-8859-1?Q?a?= b)", "(a b)"),
            (b"(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"),
            (b"(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"),
            (b"(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"),
            (b"(=?ISO-8859-1?Q?a_b?=)", "(a b)"),
            (b"(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"),
            // The same, with the words not joined to parentheses.
            (b"=?ISO-8859-1?Q?a?= b", "a b"),
            (b"=?ISO-8859-1?Q?a?=\t=?ISO-8859-1?Q?b?=", "ab"),
        ];
        for (raw, want) in cases {
            assert_eq!(
                unstructured(raw),
                want,
                "{:?}",
                String::from_utf8_lossy(raw)
            );
        }
    }

    #[test]
    fn split_multibyte_character_is_joined() {
        // "é" is C3 A9; each word carries one octet.
        assert_eq!(unstructured(b"=?utf-8?q?caf=C3?= =?UTF-8?Q?=A9?="), "café");
        // Unpadded B words: "w6" is C3, "kK" is 90.
        assert_eq!(unstructured(b"=?utf-8?b?w6?= =?utf-8?b?kK?="), "\u{d0}");
        // Different charsets are converted apart.
        assert_eq!(
            unstructured(b"=?utf-8?q?=C3?= =?iso-8859-1?q?=A9?="),
            "\u{fffd}©"
        );
        // Joined across B and Q words.
        assert_eq!(
            unstructured(b"=?utf-8?b?w6k=?==?utf-8?q?=C3?= =?utf-8?b?qQ?="),
            "éé"
        );
    }

    #[test]
    fn language_suffix_and_case() {
        assert_eq!(
            unstructured(b"=?US-ASCII*EN?Q?Keith_Moore?="),
            "Keith Moore"
        );
        assert_eq!(unstructured(b"=?utf-8*fr?q?=C3?= =?UTF-8*de?Q?=A9?="), "é");
        assert_eq!(unstructured(b"=?iso-8859-1?b?6Q==?="), "é");
    }

    #[test]
    fn b_tolerance() {
        assert_eq!(unstructured(b"=?utf-8?B?w6k?="), "é");
        assert_eq!(unstructured(b"=?utf-8?B?w6k==?="), "é");
        assert_eq!(unstructured(b"=?utf-8?B?w!6.k?="), "é");
        assert_eq!(unstructured(b"=?utf-8?B??="), "");
        assert_eq!(unstructured(b"=?utf-8?B?QUJD?=x"), "ABCx");
    }

    #[test]
    fn q_tolerance() {
        assert_eq!(unstructured(b"=?utf-8?Q?a=ZZb=4?="), "a=ZZb=4");
        assert_eq!(unstructured(b"=?utf-8?Q?a=e9?="), "a\u{fffd}");
        assert_eq!(unstructured(b"=?iso-8859-1?Q?a=e9?="), "aé");
        assert_eq!(unstructured(b"=?utf-8?Q?a=3F=3D?="), "a?=");
    }

    #[test]
    fn malformed_words_stay_literal() {
        for raw in [
            &b"=?utf-8?x?abc?="[..],
            b"=??q?abc?=",
            b"=?utf-8?q?abc",
            b"=?utf-8?q?a b?=",
            b"=?utf-8?q?a?b?=",
            b"=?utf-8",
            b"=?",
            b"=?=?=?",
        ] {
            assert_eq!(unstructured(raw), String::from_utf8_lossy(raw));
        }
        assert_eq!(unstructured(b"=?=?utf-8?q?a?="), "=?a");
        // A literal between two words keeps the words apart.
        assert_eq!(unstructured(b"=?utf-8?q?a?= x =?utf-8?q?b?="), "a x b");
        assert_eq!(unstructured(b"[x]=?utf-8?b?w6k=?="), "[x]é");
    }

    #[test]
    fn charsets() {
        assert_eq!(unstructured(b"=?utf-7?q?+AOk-?="), "é");
        assert_eq!(unstructured(b"=?x-nonsense?q?caf=E9?="), "café");
        assert_eq!(unstructured(b"=?x-nonsense?q?caf=C3=A9?="), "café");
        assert_eq!(unstructured(b"=?windows-1252?q?=80?="), "€");
        assert_eq!(unstructured(b"=?ISO-2022-JP?B?GyRCJCIbKEI=?="), "あ");
    }

    #[test]
    fn raw_text() {
        assert_eq!(unstructured("  Grüße, 世界 ".as_bytes()), "Grüße, 世界");
        assert!(matches!(unstructured(b" plain"), Cow::Borrowed("plain")));
        assert_eq!(unstructured(b"a\xffb"), "a\u{fffd}b");
        assert_eq!(unstructured(b" a\r\n b\r\n\tc"), "a b\tc");
        assert_eq!(unstructured(b""), "");
        assert_eq!(unstructured(b" \r\n "), "");
    }

    #[test]
    fn unfold_is_borrowed_without_breaks() {
        assert!(matches!(unfold(b"a b"), Cow::Borrowed(_)));
        assert_eq!(unfold(b"a\r\n b"), &b"a b"[..]);
        assert_eq!(unfold(b"a\rb\nc"), &b"abc"[..]);
    }
}
