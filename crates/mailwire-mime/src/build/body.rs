//! Bodies: line endings, the choice of a transfer encoding, and the
//! encoders (RFC 2045 §6).

use std::io::Read;

use base64::Engine as _;

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
    /// A CR or LF not in a CRLF pair.
    bare: bool,
    max_line: usize,
}

fn stats(b: &[u8]) -> Stats {
    let mut s = Stats {
        non_ascii: 0,
        nul: false,
        bare: false,
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
            b'\r' | b'\n' => s.bare = true,
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

/// Encodes text (any line breaks, made CRLF): `7bit` when it is US-ASCII
/// in lines of at most 998 octets, `8bit` when it only fails by holding
/// non-ASCII and `allow_8bit`, else quoted-printable, or base64 when more
/// than a third of its octets are not ASCII. An encoding that would show a
/// line starting with `--` and one of `forbidden` gives way to base64.
pub(crate) fn encode_text(text: &str, allow_8bit: bool, forbidden: &[String]) -> (Cte, Vec<u8>) {
    let crlf = to_crlf(text.as_bytes());
    let s = stats(&crlf);
    if !s.nul && s.max_line <= MAX_LINE && (s.non_ascii == 0 || allow_8bit) {
        if has_delimiter(&crlf, forbidden) {
            return (Cte::Base64, base64_lines(&crlf));
        }
        let cte = if s.non_ascii == 0 {
            Cte::SevenBit
        } else {
            Cte::EightBit
        };
        return (cte, crlf);
    }
    if s.non_ascii * 3 <= crlf.len() {
        let q = quoted_printable(&crlf);
        if !has_delimiter(&q, forbidden) {
            return (Cte::QuotedPrintable, q);
        }
    }
    (Cte::Base64, base64_lines(&crlf))
}

/// Encodes octets kept exactly: `7bit` (or `8bit` when `allow_8bit`) when
/// they already are lines of at most 998 octets ended by CRLF without NUL,
/// else base64.
pub(crate) fn encode_bytes(data: &[u8], allow_8bit: bool, forbidden: &[String]) -> (Cte, Vec<u8>) {
    let s = stats(data);
    if !s.nul
        && !s.bare
        && s.max_line <= MAX_LINE
        && (s.non_ascii == 0 || allow_8bit)
        && !has_delimiter(data, forbidden)
    {
        let cte = if s.non_ascii == 0 {
            Cte::SevenBit
        } else {
            Cte::EightBit
        };
        return (cte, data.to_vec());
    }
    (Cte::Base64, base64_lines(data))
}

/// Base64 in lines of 76 characters separated by CRLF, no CRLF after the
/// last.
pub(crate) fn base64_lines(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 57 * 78 + 80);
    for (i, chunk) in data.chunks(B64_LINE_OCTETS).enumerate() {
        if i > 0 {
            out.extend_from_slice(b"\r\n");
        }
        let mut buf = [0u8; 76];
        let n = base64::engine::general_purpose::STANDARD
            .encode_slice(chunk, &mut buf)
            .unwrap_or(0);
        out.extend_from_slice(buf.get(..n).unwrap_or_default());
    }
    out
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

/// Streams `reader` as base64 lines into `put`, holding one buffer.
pub(crate) fn base64_stream(
    reader: &mut dyn Read,
    put: &mut dyn FnMut(&[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    const LINES: usize = 64;
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
        let mut lines = base64_lines(buf.get(..filled).unwrap_or_default());
        if !first {
            lines.splice(0..0, *b"\r\n");
        }
        first = false;
        put(&lines)?;
        if filled < buf.len() {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(encode_text("hi\n", false, &[]).0, Cte::SevenBit);
        assert_eq!(
            encode_text("café au lait", false, &[]).0,
            Cte::QuotedPrintable
        );
        assert_eq!(encode_text("café", true, &[]).0, Cte::EightBit);
        assert_eq!(encode_text("日本語", false, &[]).0, Cte::Base64);
        assert_eq!(
            encode_text(&"a".repeat(999), false, &[]).0,
            Cte::QuotedPrintable
        );
        assert_eq!(encode_text("x\n--b\n", false, &["b".into()]).0, Cte::Base64);
        assert_eq!(encode_bytes(b"a\nb", false, &[]).0, Cte::Base64);
        assert_eq!(encode_bytes(b"a\r\nb", false, &[]).0, Cte::SevenBit);
    }
}
