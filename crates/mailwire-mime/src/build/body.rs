//! Bodies: line endings, the choice of a transfer encoding, and the
//! encoders (RFC 2045 §6).

use std::io::Read;

use bytes::Bytes;
use encodify::base64::MIME;

/// The longest line of a body, CRLF excluded (RFC 5322 §2.1.1).
pub(crate) const MAX_LINE: usize = 998;
/// Octets per base64 line: 57 octets make 76 characters (RFC 2045 §6.8).
const B64_LINE_OCTETS: usize = 57;
/// Characters per quoted-printable line before the soft break
/// (RFC 2045 §6.7 rule 5: at most 76 with the `=`).
const QP_LINE: usize = 75;

/// A Content-Transfer-Encoding the builder writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cte {
    SevenBit,
    EightBit,
    QuotedPrintable,
    Base64,
}

impl Cte {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::SevenBit => "7bit",
            Self::EightBit => "8bit",
            Self::QuotedPrintable => "quoted-printable",
            Self::Base64 => "base64",
        }
    }
}

/// Every line break of `text` (CRLF, bare LF, bare CR) as CRLF.
pub(crate) fn to_crlf(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + text.len() / 32);
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        match b {
            b'\r' => {
                out.extend_from_slice(b"\r\n");
                if text.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
            }
            b'\n' => out.extend_from_slice(b"\r\n"),
            _ => out.push(b),
        }
        i += 1;
    }
    out
}

/// What the choice of an encoding depends on.
struct Stats {
    non_ascii: usize,
    nul: bool,
    max_line: usize,
}

fn stats(b: &[u8]) -> Stats {
    let mut s = Stats {
        non_ascii: 0,
        nul: false,
        max_line: 0,
    };
    let mut line = 0usize;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'\r' if b.get(i + 1) == Some(&b'\n') => {
                s.max_line = s.max_line.max(line);
                line = 0;
                i += 2;
                continue;
            }
            0 => s.nul = true,
            c if c >= 0x80 => s.non_ascii += 1,
            _ => {}
        }
        line += 1;
        i += 1;
    }
    s.max_line = s.max_line.max(line);
    s
}

/// True when a line of `body` starts with `--` and one of `boundaries`
/// (RFC 2046 §5.1.1: a boundary may not appear inside an encapsulated
/// part).
pub(crate) fn has_delimiter(body: &[u8], boundaries: &[String]) -> bool {
    dash_lines(body).any(|line| {
        boundaries
            .iter()
            .any(|b| line.get(2..).is_some_and(|l| l.starts_with(b.as_bytes())))
    })
}

/// The lines of `body` that start with `--`.
pub(crate) fn dash_lines(body: &[u8]) -> impl Iterator<Item = &[u8]> {
    let starts = std::iter::once(0).chain(memchr::memchr_iter(b'\n', body).map(|i| i + 1));
    starts.filter_map(move |s| {
        let rest = body.get(s..)?;
        if !rest.starts_with(b"--") {
            return None;
        }
        let end = memchr::memchr2(b'\r', b'\n', rest).unwrap_or(rest.len());
        rest.get(..end)
    })
}

/// A leaf's content as it will be written.
#[derive(Debug)]
pub(crate) enum Encoded {
    /// Octets written as they are, in `7bit`, `8bit` or quoted-printable.
    Ready(Cte, Bytes),
    /// Octets written in base64 ([`base64_append`]) while the message is
    /// written, so the encoding goes straight into the output.
    Base64(Bytes),
}

impl Encoded {
    pub(crate) fn cte(&self) -> Cte {
        match self {
            Self::Ready(cte, _) => *cte,
            Self::Base64(_) => Cte::Base64,
        }
    }
}

/// Encodes text (any line breaks, made CRLF): `7bit` when it is US-ASCII
/// in lines of at most 998 octets, `8bit` when it only fails by holding
/// non-ASCII and `allow_8bit`, else quoted-printable, or base64 when more
/// than a third of its octets are not ASCII. An encoding that would show a
/// line starting with `--` and one of `forbidden` gives way to base64.
pub(crate) fn encode_text(text: &str, allow_8bit: bool, forbidden: &[String]) -> Encoded {
    let crlf = to_crlf(text.as_bytes());
    let s = stats(&crlf);
    if !s.nul && s.max_line <= MAX_LINE && (s.non_ascii == 0 || allow_8bit) {
        if has_delimiter(&crlf, forbidden) {
            return Encoded::Base64(crlf.into());
        }
        let cte = if s.non_ascii == 0 {
            Cte::SevenBit
        } else {
            Cte::EightBit
        };
        return Encoded::Ready(cte, crlf.into());
    }
    if s.non_ascii * 3 <= crlf.len() {
        let q = quoted_printable(&crlf);
        if !has_delimiter(&q, forbidden) {
            return Encoded::Ready(Cte::QuotedPrintable, q.into());
        }
    }
    Encoded::Base64(crlf.into())
}

/// The transfer encoding `data` may travel in as it is: `7bit` (or `8bit`
/// when `allow_8bit`) when it is lines of at most 998 octets ended by CRLF
/// without NUL; `None` otherwise, found at the first octet that rules it
/// out (binary data is rejected within its first few octets).
fn as_is(data: &[u8], allow_8bit: bool) -> Option<Cte> {
    let mut eight = false;
    let mut line = 0usize;
    let mut after_cr = false;
    for &c in data {
        if after_cr {
            if c != b'\n' {
                return None;
            }
            after_cr = false;
            line = 0;
            continue;
        }
        match c {
            b'\r' => {
                after_cr = true;
                continue;
            }
            b'\n' | 0 => return None,
            0x80.. if !allow_8bit => return None,
            0x80.. => eight = true,
            _ => {}
        }
        line += 1;
        if line > MAX_LINE {
            return None;
        }
    }
    if after_cr {
        return None;
    }
    Some(if eight { Cte::EightBit } else { Cte::SevenBit })
}

/// Encodes octets kept exactly: `7bit` (or `8bit` when `allow_8bit`) when
/// they already are lines of at most 998 octets ended by CRLF without NUL,
/// else base64.
pub(crate) fn encode_bytes(data: Bytes, allow_8bit: bool, forbidden: &[String]) -> Encoded {
    match as_is(&data, allow_8bit) {
        Some(cte) if !has_delimiter(&data, forbidden) => Encoded::Ready(cte, data),
        _ => Encoded::Base64(data),
    }
}

/// Base64 in lines of 76 characters separated by CRLF, no CRLF after the
/// last.
pub(crate) fn base64_lines(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(base64_len(data.len()));
    base64_append(data, false, &mut out);
    out
}

/// The length of [`base64_lines`] of `n` octets.
pub(crate) fn base64_len(n: usize) -> usize {
    let lines = n.div_ceil(B64_LINE_OCTETS);
    n.div_ceil(3) * 4 + lines.saturating_sub(1) * 2
}

/// Appends the base64 of `data` to `out` in lines of 76 characters
/// separated by CRLF (RFC 2045 §6.8), with a CRLF before the first line
/// when `lead`, none after the last. `out` grows once; the lines are
/// encoded in place by SIMD kernels (SSSE3/AVX2 or NEON, chosen at run
/// time), each line with its CRLF, no intermediate buffer.
pub(crate) fn base64_append(data: &[u8], lead: bool, out: &mut Vec<u8>) {
    if data.is_empty() {
        return;
    }
    out.reserve(base64_len(data.len()) + 4);
    if lead {
        out.extend_from_slice(b"\r\n");
    }
    MIME.encode_append(data, out);
    // The engine ends the last line with CRLF too.
    if out.ends_with(b"\r\n") {
        out.truncate(out.len() - 2);
    }
}

/// Quoted-printable (RFC 2045 §6.7) of octets whose CRLF pairs are line
/// breaks: every other CR or LF, `=`, controls and non-ASCII octets as
/// `=XX`, white space at the end of a line as `=XX`, lines soft-broken
/// before 76 characters.
pub(crate) fn quoted_printable(data: &[u8]) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(data.len() + data.len() / 8);
    let mut col = 0;
    let mut i = 0;
    while let Some(&b) = data.get(i) {
        if b == b'\r' && data.get(i + 1) == Some(&b'\n') {
            out.extend_from_slice(b"\r\n");
            col = 0;
            i += 2;
            continue;
        }
        let at_line_end = data.get(i + 1).is_none() || data.get(i + 1..i + 3) == Some(&b"\r\n"[..]);
        let literal = match b {
            b' ' | b'\t' => !at_line_end,
            b'=' => false,
            33..=126 => true,
            _ => false,
        };
        let len = if literal { 1 } else { 3 };
        if col + len > QP_LINE {
            out.extend_from_slice(b"=\r\n");
            col = 0;
        }
        if literal {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        col += len;
        i += 1;
    }
    out
}

/// Reads `reader` in pieces of 256 lines' octets (14,592 octets, the last
/// piece possibly shorter) and hands each to `put`, with `true` for every
/// piece after the first: `put` writes it as base64 lines
/// ([`base64_append`]), a CRLF before them when it follows another piece.
/// The memory held is that one piece, whatever the reader's length.
pub(crate) fn base64_stream(
    reader: &mut dyn Read,
    put: &mut dyn FnMut(&[u8], bool) -> std::io::Result<()>,
) -> std::io::Result<()> {
    const LINES: usize = 256;
    let mut buf = vec![0u8; B64_LINE_OCTETS * LINES];
    let mut first = true;
    loop {
        let mut filled = 0;
        while filled < buf.len() {
            match reader.read(buf.get_mut(filled..).unwrap_or_default()) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        if filled == 0 {
            return Ok(());
        }
        put(buf.get(..filled).unwrap_or_default(), !first)?;
        first = false;
        if filled < buf.len() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    #[test]
    fn base64_matches_reference() {
        let data: Vec<u8> = (0..2000u32)
            .map(|i| u8::try_from(i * 131 % 256).unwrap())
            .collect();
        for n in (0..200).chain([455, 456, 457, 1140, 1141, 2000]) {
            let d = &data[..n];
            let want: Vec<u8> = base64::engine::general_purpose::STANDARD
                .encode(d)
                .into_bytes()
                .chunks(76)
                .collect::<Vec<_>>()
                .join(&b"\r\n"[..]);
            let got = base64_lines(d);
            assert_eq!(got, want, "{n}");
            assert_eq!(base64_len(n), want.len(), "{n}");
            let mut lead = b"x".to_vec();
            base64_append(d, true, &mut lead);
            if n > 0 {
                assert_eq!(&lead[..3], b"x\r\n");
                assert_eq!(&lead[3..], &want[..]);
            }
        }
    }

    #[test]
    fn base64_stream_matches_lines() {
        let data: Vec<u8> = (0..200_000u32)
            .map(|i| u8::try_from(i * 7 % 253).unwrap())
            .collect();
        for n in [0, 1, 57 * 256, 57 * 256 + 1, 57 * 512, 200_000] {
            let mut out = Vec::new();
            base64_stream(&mut &data[..n], &mut |b, lead| {
                assert!(b.len() % B64_LINE_OCTETS == 0 || b.len() < 57 * 256);
                base64_append(b, lead, &mut out);
                Ok(())
            })
            .unwrap();
            assert_eq!(out, base64_lines(&data[..n]), "{n}");
        }
    }

    #[test]
    fn crlf() {
        assert_eq!(to_crlf(b"a\nb\rc\r\nd\n\r"), b"a\r\nb\r\nc\r\nd\r\n\r\n");
    }

    #[test]
    fn qp_soft_breaks_and_trailing_space() {
        let line = "x".repeat(100) + " \r\nend\t";
        let q = quoted_printable(line.as_bytes());
        let (decoded, _) =
            crate::decode::transfer_decode(&crate::types::TransferEncoding::QuotedPrintable, &q);
        assert_eq!(decoded, line.as_bytes());
        assert!(q.split(|&b| b == b'\n').all(|l| l.len() <= 77));
        assert!(q.ends_with(b"end=09"));
    }

    #[test]
    fn choices() {
        let text = |t: &str, eight| encode_text(t, eight, &[]).cte();
        assert_eq!(text("hi\n", false), Cte::SevenBit);
        assert_eq!(text("café au lait", false), Cte::QuotedPrintable);
        assert_eq!(text("café", true), Cte::EightBit);
        assert_eq!(text("日本語", false), Cte::Base64);
        assert_eq!(text(&"a".repeat(999), false), Cte::QuotedPrintable);
        assert_eq!(
            encode_text("x\n--b\n", false, &["b".into()]).cte(),
            Cte::Base64
        );
        let bytes = |b: &[u8], eight| encode_bytes(Bytes::copy_from_slice(b), eight, &[]).cte();
        assert_eq!(bytes(b"a\nb", false), Cte::Base64);
        assert_eq!(bytes(b"a\r\nb", false), Cte::SevenBit);
        assert_eq!(bytes(b"a\rb", false), Cte::Base64);
        assert_eq!(bytes(b"a\r", false), Cte::Base64);
        assert_eq!(bytes(b"a\0", false), Cte::Base64);
        assert_eq!(bytes("é\r\n".as_bytes(), false), Cte::Base64);
        assert_eq!(bytes("é\r\n".as_bytes(), true), Cte::EightBit);
        assert_eq!(bytes(&[b'a'; 998], false), Cte::SevenBit);
        assert_eq!(bytes(&[b'a'; 999], false), Cte::Base64);
        let mut long = vec![b'a'; 998];
        long.extend_from_slice(b"\r\n");
        long.extend_from_slice(&[b'b'; 998]);
        assert_eq!(bytes(&long, false), Cte::SevenBit);
    }
}
