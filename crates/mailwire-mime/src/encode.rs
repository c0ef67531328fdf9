//! Encoding: values in, bytes out, into a caller's buffer.
//!
//! The encoder is strict: it writes only what RFC 5322 and RFC 2047 allow,
//! and it cannot write a field that the decoder would read as something
//! else. The name is a validated [`HeaderName`]; the value is any text, and
//! every character that may not appear raw in a header (non-ASCII, control
//! characters, CR and LF among them) goes inside an RFC 2047 encoded word.
//! The only line breaks written are folds (CRLF before white space) and the
//! CRLF that ends the field.

use base64::Engine as _;
use bytes::BufMut;

use crate::types::HeaderName;

/// Lines are folded to at most this many characters, CRLF excluded
/// (RFC 5322 §2.1.1: "SHOULD be no more than 78").
pub const LINE_LEN: usize = 78;
/// The hard limit on a line, CRLF excluded (RFC 5322 §2.1.1).
pub const MAX_LINE_LEN: usize = 998;
/// The longest encoded word written (RFC 2047 §2).
pub const MAX_ENCODED_WORD_LEN: usize = 75;
/// `=?utf-8?q?` and `?=`.
const OVERHEAD: usize = 12;
/// The shortest encoded word worth starting on a line: its overhead and the
/// longest encoding of one character (four octets in `Q`).
const MIN_WORD: usize = OVERHEAD + 12;

/// Writes `name ": " value CRLF`, the value being `text` as `unstructured`
/// (RFC 5322 §3.2.5), encoded and folded:
///
/// - leading and trailing white space (SP, HTAB) of `text` is not written,
///   as [`decode::unstructured`](crate::decode::unstructured) would trim it;
/// - a word (a run of characters between SP/HTAB) of printable US-ASCII is
///   written as is, unless it contains `=?` or cannot fit a line;
/// - every other word, with the white space between such words, goes into
///   `encoded-word`s (RFC 2047 §2, §5(1)) in UTF-8, using `Q` or `B`,
///   whichever is shorter; no encoded word is longer than 75 characters
///   nor splits a character;
/// - the field is folded (RFC 5322 §2.2.3) before white space so that no
///   line exceeds 78 characters, unless the name itself is longer, or a
///   single printable word of up to 997 characters is; no line exceeds
///   998. The first word is never folded away from the colon (a printable
///   word too long for the first line is encoded).
///
/// So `decode::unstructured` of the written value gives back `text` with
/// its leading and trailing SP/HTAB removed.
///
/// ```
/// use mailwire_mime::encode::header_field;
/// use mailwire_mime::types::HeaderName;
///
/// let mut out = Vec::new();
/// header_field(&HeaderName::new("Subject").unwrap(), "Hello Andréa", &mut out);
/// assert_eq!(out, b"Subject: Hello =?utf-8?q?Andr=C3=A9a?=\r\n");
///
/// let mut out = Vec::new();
/// header_field(&HeaderName::new("X-Note").unwrap(), "line\r\nBcc: injected", &mut out);
/// assert_eq!(out, b"X-Note: =?utf-8?q?line=0D=0ABcc=3A?= injected\r\n");
/// ```
pub fn header_field<B: BufMut>(name: &HeaderName<'_>, text: &str, out: &mut B) {
    field_with(name, text, false, out);
}

/// Writes `name ": " value CRLF` as [`header_field`] does, except that
/// non-ASCII characters are written as raw UTF-8 (RFC 6532 §3.2), for a
/// message sent only where UTF-8 headers are accepted (SMTPUTF8,
/// RFC 6531). Control characters, words that contain `=?`, and words too
/// long for a line still go into encoded words; lines are folded at 78
/// octets.
///
/// ```
/// use mailwire_mime::encode::header_field_utf8;
/// use mailwire_mime::types::HeaderName;
///
/// let mut out = Vec::new();
/// header_field_utf8(&HeaderName::new("Subject").unwrap(), "Hello Andréa", &mut out);
/// assert_eq!(out, "Subject: Hello Andréa\r\n".as_bytes());
/// ```
pub fn header_field_utf8<B: BufMut>(name: &HeaderName<'_>, text: &str, out: &mut B) {
    field_with(name, text, true, out);
}

fn field_with<B: BufMut>(name: &HeaderName<'_>, text: &str, utf8: bool, out: &mut B) {
    out.put_slice(name.as_str().as_bytes());
    out.put_u8(b':');
    let mut folder = Folder {
        out,
        col: name.as_str().len() + 1,
    };
    unstructured(text, utf8, &mut folder);
    folder.out.put_slice(b"\r\n");
}

/// Writes items to a line, folding before one that does not fit.
pub(crate) struct Folder<'o, B> {
    pub(crate) out: &'o mut B,
    /// Octets on the current line so far.
    pub(crate) col: usize,
}

impl<B: BufMut> Folder<'_, B> {
    /// Starts a new line; what follows must begin with white space.
    pub(crate) fn fold(&mut self) {
        self.out.put_slice(b"\r\n");
        self.col = 0;
    }

    /// Writes white space `ws` (never empty) and a word.
    pub(crate) fn put(&mut self, ws: &str, word: &[u8]) {
        self.out.put_slice(ws.as_bytes());
        self.out.put_slice(word);
        self.col += ws.len() + word.len();
    }

    /// Writes `ws` and `word`, folding first when they do not fit (and
    /// when there is white space to fold at).
    pub(crate) fn item(&mut self, ws: &str, word: &[u8]) {
        if !ws.is_empty() && self.col + ws.len() + word.len() > LINE_LEN {
            self.fold();
        }
        self.put(ws, word);
    }
}

/// A word of the text and the white space before it.
#[derive(Debug, Clone, Copy)]
struct Token<'t> {
    ws: &'t str,
    word: &'t str,
    encode: bool,
}

fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// True for a word that may stand raw in a header: printable US-ASCII,
/// or with `utf8` also non-ASCII characters other than controls
/// (RFC 6532 §3.2).
pub(crate) fn is_raw_word(word: &str, utf8: bool) -> bool {
    if utf8 {
        word.chars()
            .all(|c| c.is_ascii_graphic() || (!c.is_ascii() && !c.is_control()))
    } else {
        word.bytes().all(|b| b.is_ascii_graphic())
    }
}

/// Splits trimmed text into words and decides which need encoding.
fn tokens(text: &str, utf8: bool) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let word_start = rest.find(|c| !is_wsp(c)).unwrap_or(rest.len());
        let (ws, after) = rest.split_at(word_start);
        let word_end = after.find(is_wsp).unwrap_or(after.len());
        let (word, tail) = after.split_at(word_end);
        let literal = is_raw_word(word, utf8)
            && !word.contains("=?")
            && word.len() < MAX_LINE_LEN
            && (ws.len() <= 1 || ws.len() + word.len() <= LINE_LEN);
        out.push(Token {
            ws,
            word,
            encode: !literal,
        });
        rest = tail;
    }
    out
}

/// Writes the encoded and folded value.
fn unstructured<B: BufMut>(text: &str, utf8: bool, folder: &mut Folder<'_, B>) {
    let mut toks = tokens(text.trim_matches(is_wsp), utf8);
    // The first word goes on the field's first line: readers differ on
    // the white space of a fold right after the colon (Python's `email`
    // keeps it as part of the value). A raw word that cannot fit there
    // is encoded.
    if let Some(first) = toks.first_mut()
        && !first.encode
        && folder.col + 1 + first.word.len() > MAX_LINE_LEN
    {
        first.encode = true;
    }
    let mut i = 0;
    while let Some(t) = toks.get(i) {
        i += 1;
        // White space before the first word is not part of the value: one
        // SP after the colon, removed again by the decoder's trimming.
        let (lead, inner) = if t.ws.is_empty() {
            (" ", "")
        } else {
            t.ws.split_at(1)
        };
        if !t.encode {
            if i == 1 {
                folder.put(lead, t.word.as_bytes());
                continue;
            }
            let ws = if t.ws.is_empty() { lead } else { t.ws };
            folder.item(ws, t.word.as_bytes());
            continue;
        }
        // A run of words to encode, with the white space between them: the
        // decoder drops white space between encoded words, so it must be
        // inside them.
        let mut run = String::from(inner);
        run.push_str(t.word);
        while let Some(next) = toks.get(i).filter(|n| n.encode) {
            run.push_str(next.ws);
            run.push_str(next.word);
            i += 1;
        }
        encoded_words(lead, &run, folder);
    }
}

/// How a character costs in `Q`: letters, digits and `! * + - /` (the set
/// RFC 2047 §5(3) allows everywhere) and SP (as `_`) take one character,
/// every other octet three (`=XX`).
fn q_len(s: &str) -> usize {
    s.bytes()
        .map(|b| if q_literal(b) || b == b' ' { 1 } else { 3 })
        .sum()
}

fn q_literal(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'!' | b'*' | b'+' | b'-' | b'/')
}

fn b_len(octets: usize) -> usize {
    octets.div_ceil(3) * 4
}

/// Writes `run` as encoded words, the first after `lead`, the others after
/// one SP, each filling what is left of its line.
pub(crate) fn encoded_words<B: BufMut>(lead: &str, run: &str, folder: &mut Folder<'_, B>) {
    let base64 = b_len(run.len()) < q_len(run);
    let mut ws = lead;
    let mut pos = 0;
    while pos < run.len() {
        let room = LINE_LEN.saturating_sub(folder.col + ws.len());
        let limit = if room >= MIN_WORD {
            room.min(MAX_ENCODED_WORD_LEN)
        } else {
            folder.fold();
            MAX_ENCODED_WORD_LEN.min(LINE_LEN - ws.len())
        };
        let end = word_end(run, pos, base64, limit);
        let word = encode_word(&run[pos..end], base64);
        folder.put(ws, &word);
        pos = end;
        ws = " ";
    }
}

/// Where the encoded word starting at `pos` ends: as many whole characters
/// as fit in `limit` characters (at least one).
fn word_end(run: &str, pos: usize, base64: bool, limit: usize) -> usize {
    let mut q = 0;
    let mut end = pos;
    for c in run[pos..].chars() {
        let next = end + c.len_utf8();
        let len = if base64 {
            b_len(next - pos)
        } else {
            q + q_len(&run[end..next])
        };
        if OVERHEAD + len > limit && end > pos {
            break;
        }
        q = len;
        end = next;
    }
    end
}

/// `encoded-word` (RFC 2047 §2) for `text` in UTF-8.
fn encode_word(text: &str, base64: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAX_ENCODED_WORD_LEN);
    if base64 {
        out.extend_from_slice(b"=?utf-8?b?");
        out.extend_from_slice(
            base64::engine::general_purpose::STANDARD
                .encode(text)
                .as_bytes(),
        );
    } else {
        out.extend_from_slice(b"=?utf-8?q?");
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        for b in text.bytes() {
            if q_literal(b) {
                out.push(b);
            } else if b == b' ' {
                out.push(b'_');
            } else {
                out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
            }
        }
    }
    out.extend_from_slice(b"?=");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode;

    fn field(name: &str, text: &str) -> String {
        let mut out = Vec::new();
        header_field(&HeaderName::new(name).unwrap(), text, &mut out);
        String::from_utf8(out).unwrap()
    }

    fn roundtrip(text: &str) -> String {
        let encoded = field("Subject", text);
        let value = encoded.strip_prefix("Subject:").unwrap();
        decode::unstructured(value.as_bytes()).into_owned()
    }

    #[test]
    fn ascii_stays_as_is() {
        assert_eq!(
            field("Subject", "Saying Hello"),
            "Subject: Saying Hello\r\n"
        );
        assert_eq!(field("Subject", "  padded\t"), "Subject: padded\r\n");
        assert_eq!(field("Subject", ""), "Subject:\r\n");
        assert_eq!(field("Subject", " \t "), "Subject:\r\n");
        assert_eq!(field("Subject", "a  b\tc"), "Subject: a  b\tc\r\n");
    }

    #[test]
    fn encoded_words_only_where_needed() {
        assert_eq!(
            field("Subject", "Grüße aus Köln"),
            "Subject: =?utf-8?b?R3LDvMOfZQ==?= aus =?utf-8?b?S8O2bG4=?=\r\n"
        );
        // Adjacent words to encode share one encoded word, space included.
        assert_eq!(
            field("To", "日本 語"),
            "To: =?utf-8?b?5pel5pysIOiqng==?=\r\n"
        );
        // Text that looks like an encoded word is protected.
        assert_eq!(
            field("Subject", "=?utf-8?q?x?="),
            "Subject: =?utf-8?b?PT91dGYtOD9xP3g/PQ==?=\r\n"
        );
        assert_eq!(roundtrip("=?utf-8?q?x?="), "=?utf-8?q?x?=");
    }

    #[test]
    fn folds_at_78() {
        let text =
            "The quick brown fox jumps over the lazy dog, again and again and again and again.";
        let out = field("Subject", text);
        assert_eq!(
            out,
            "Subject: The quick brown fox jumps over the lazy dog, again and again and\r\n again and again.\r\n"
        );
        assert_eq!(roundtrip(text), text);
    }

    #[test]
    fn long_encoded_text_is_split_on_characters() {
        let text = "é".repeat(100);
        let out = field("Subject", &text);
        for line in out.split("\r\n") {
            assert!(line.len() <= LINE_LEN, "{line}");
        }
        for word in out.split([' ', '\r', '\n']).filter(|w| w.starts_with("=?")) {
            assert!(word.len() <= MAX_ENCODED_WORD_LEN, "{word}");
        }
        assert_eq!(roundtrip(&text), text);
    }

    #[test]
    fn long_ascii_word() {
        let long = "x".repeat(200);
        let out = field("Subject", &format!("see {long}"));
        assert_eq!(out, format!("Subject: see\r\n {long}\r\n"));
        let huge = "y".repeat(1500);
        let out = field("Subject", &huge);
        assert!(out.split("\r\n").all(|l| l.len() <= LINE_LEN));
        assert_eq!(roundtrip(&huge), huge);
    }

    #[test]
    fn long_white_space_runs() {
        let text = format!("a{}b", " ".repeat(300));
        let out = field("Subject", &text);
        assert!(out.split("\r\n").all(|l| l.len() <= LINE_LEN), "{out}");
        assert_eq!(roundtrip(&text), text);
    }

    #[test]
    fn control_characters_are_encoded() {
        for text in ["a\r\nb", "a\nb", "\0", "x\u{7f}", "tab\tin middle\u{1}"] {
            let out = field("X-Test", text);
            let body = &out[..out.len() - 2];
            assert!(!body.contains(['\0', '\u{7f}', '\u{1}']));
            assert!(
                body.split("\r\n")
                    .skip(1)
                    .all(|l| l.starts_with([' ', '\t']))
            );
            assert_eq!(roundtrip(text), text.trim_matches(is_wsp));
        }
    }

    #[test]
    fn long_name() {
        let name = "X".repeat(100);
        let out = field(&name, "value");
        assert_eq!(out, format!("{name}: value\r\n"));
        // A first word that cannot share the first line is encoded, not
        // folded away from the colon.
        let word = "y".repeat(990);
        let out = field("Subject", &word);
        assert!(out.starts_with("Subject: =?utf-8?"), "{out}");
        assert!(out.split("\r\n").all(|l| l.len() <= LINE_LEN));
        assert_eq!(roundtrip(&word), word);
    }
}
