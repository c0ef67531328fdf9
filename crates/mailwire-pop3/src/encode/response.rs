//! Encoding what a server sends: status lines, challenges and dot-stuffed
//! multi-line bodies.

use std::sync::LazyLock;

use bytes::BufMut;
use memchr::memmem::Finder;

use super::Encode;
use crate::types::{
    Body, Capability, Challenge, Expiry, Greeting, Language, MultiLine, Reply, Response,
    ScanListing, UniqueIdListing,
};

/// LF followed by the termination octet: where stuffing is needed.
static LF_DOT: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(b"\n.").into_owned());

/// Dot-stuffs a multi-line body fed in chunks of any size (RFC 1939 §3):
/// "If any line of the multi-line response begins with the termination
/// octet, the line is byte-stuffed by pre-pending the termination octet to
/// that line". Lines start after every LF (a bare LF too, as the decoder
/// reads them), and at the start of the body.
///
/// State carries across chunks, so a line start split between two chunks is
/// still stuffed. [`finish`](Self::finish) ends the last line with CRLF if
/// it does not end with LF, then writes the terminating `.` CRLF, so the
/// body can never end the response early or smuggle one.
///
/// ```
/// use mailwire_pop3::encode::BodyEncoder;
/// let mut out = Vec::new();
/// let mut body = BodyEncoder::new();
/// body.push(b"a\r\n", &mut out);
/// body.push(b".\r\n", &mut out); // a line that would end the response
/// body.push(b"b", &mut out);
/// body.finish(&mut out);
/// assert_eq!(out, b"a\r\n..\r\nb\r\n.\r\n");
///
/// let mut empty = Vec::new();
/// BodyEncoder::new().finish(&mut empty);
/// assert_eq!(empty, b".\r\n");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyEncoder {
    /// The last octet written, `None` before any.
    last: Option<u8>,
}

impl Default for BodyEncoder {
    fn default() -> Self {
        Self::new()
    }
}

impl BodyEncoder {
    /// An encoder at the start of a body.
    pub const fn new() -> Self {
        Self { last: None }
    }

    fn at_line_start(&self) -> bool {
        matches!(self.last, None | Some(b'\n'))
    }

    /// Writes the next `chunk` of the body, stuffed.
    pub fn push<B: BufMut>(&mut self, chunk: &[u8], out: &mut B) {
        let Some(&last) = chunk.last() else {
            return;
        };
        if self.at_line_start() && chunk.first() == Some(&b'.') {
            out.put_u8(b'.');
        }
        let mut rest = chunk;
        while let Some(i) = LF_DOT.find(rest) {
            let (line, next) = rest.split_at(i + 1);
            out.put_slice(line);
            out.put_u8(b'.');
            rest = next;
        }
        out.put_slice(rest);
        self.last = Some(last);
    }

    /// Ends the body: CRLF if the last line is not ended (LF alone after a
    /// final CR), then `.` CRLF.
    pub fn finish<B: BufMut>(self, out: &mut B) {
        match self.last {
            None | Some(b'\n') => {}
            Some(b'\r') => out.put_u8(b'\n'),
            Some(_) => out.put_slice(b"\r\n"),
        }
        out.put_slice(b".\r\n");
    }
}

/// `single-line = status [SP text] CRLF` with the text as
/// `resp-code *CHAR` when there is a code (RFC 1939 §3, RFC 2449 §3): the
/// status, ` [CODE]` if any, ` text` if any, CRLF.
impl Encode for Response<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(self.status().as_str().as_bytes());
        if let Some(code) = self.code() {
            out.put_slice(b" [");
            out.put_slice(code.as_bytes());
            out.put_u8(b']');
        }
        if !self.text().is_empty() {
            out.put_u8(b' ');
            out.put_slice(self.text().as_bytes());
        }
        out.put_slice(b"\r\n");
    }
}

/// The greeting's line (RFC 1939 §4).
impl Encode for Greeting<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        self.response().encode(out);
    }
}

/// `continue-req = "+" SP [base64] CRLF` (RFC 5034 §5).
impl Encode for Challenge<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(b"+ ");
        out.put_slice(self.data().as_bytes());
        out.put_slice(b"\r\n");
    }
}

fn number<B: BufMut>(out: &mut B, n: u64) {
    // u64::MAX has 20 digits.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut n = n;
    for d in digits.iter_mut().rev() {
        *d = b'0' + u8::try_from(n % 10).unwrap_or_default();
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_slice(digits.get(start..).unwrap_or_default());
}

/// `capability = capa-tag *(SP param)` (RFC 2449 §3), without the line end,
/// each typed capability as its RFC writes it.
fn capability(c: &Capability<'_>, out: &mut Vec<u8>) {
    let per_user = |out: &mut Vec<u8>, yes: bool| {
        if yes {
            out.put_slice(b" USER");
        }
    };
    match c {
        Capability::Top => out.put_slice(b"TOP"),
        Capability::User => out.put_slice(b"USER"),
        Capability::Sasl(mechs) => {
            out.put_slice(b"SASL");
            for m in mechs {
                out.put_u8(b' ');
                out.put_slice(m.as_str().as_bytes());
            }
        }
        Capability::RespCodes => out.put_slice(b"RESP-CODES"),
        Capability::LoginDelay {
            seconds,
            per_user: u,
        } => {
            out.put_slice(b"LOGIN-DELAY ");
            number(out, u64::from(*seconds));
            per_user(out, *u);
        }
        Capability::Pipelining => out.put_slice(b"PIPELINING"),
        Capability::Expire {
            expiry,
            per_user: u,
        } => {
            out.put_slice(b"EXPIRE ");
            match expiry {
                Expiry::Days(d) => number(out, u64::from(*d)),
                Expiry::Never => out.put_slice(b"NEVER"),
            }
            per_user(out, *u);
        }
        Capability::Uidl => out.put_slice(b"UIDL"),
        Capability::Implementation(text) => {
            out.put_slice(b"IMPLEMENTATION");
            if !text.is_empty() {
                out.put_u8(b' ');
                out.put_slice(text.as_bytes());
            }
        }
        Capability::Stls => out.put_slice(b"STLS"),
        Capability::Utf8 { user } => {
            out.put_slice(b"UTF8");
            per_user(out, *user);
        }
        Capability::Lang => out.put_slice(b"LANG"),
        Capability::Other(other) => {
            out.put_slice(other.tag().as_bytes());
            for p in other.params() {
                out.put_u8(b' ');
                out.put_slice(p.as_bytes());
            }
        }
    }
}

fn scan(s: &ScanListing, out: &mut Vec<u8>) {
    number(out, u64::from(s.msg.get()));
    out.put_u8(b' ');
    number(out, s.size);
}

fn unique_id(u: &UniqueIdListing<'_>, out: &mut Vec<u8>) {
    number(out, u64::from(u.msg.get()));
    out.put_u8(b' ');
    out.put_slice(u.uid.as_bytes());
}

fn language(l: &Language<'_>, out: &mut Vec<u8>) {
    out.put_slice(l.tag.as_bytes());
    if !l.description.is_empty() {
        out.put_u8(b' ');
        out.put_slice(l.description.as_bytes());
    }
}

/// Writes listing lines, each stuffed and ended with CRLF.
fn lines<T, B: BufMut>(items: &[T], out: &mut B, write: impl Fn(&T, &mut Vec<u8>)) {
    let mut line = Vec::new();
    for item in items {
        line.clear();
        write(item, &mut line);
        if line.first() == Some(&b'.') {
            out.put_u8(b'.');
        }
        out.put_slice(&line);
        out.put_slice(b"\r\n");
    }
}

/// `multi-line = single-line *dot-stuffed "." CRLF` (RFC 1939 §3,
/// RFC 2449 §3): the `+OK` line, the body's lines, stuffed, and the
/// terminating line. A message that does not end with a line end gets CRLF
/// added ([`BodyEncoder::finish`]).
impl Encode for MultiLine<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        self.response().encode(out);
        match self.body() {
            Body::Capa(v) => lines(v, out, capability),
            Body::Scan(v) => lines(v, out, scan),
            Body::UniqueIds(v) => lines(v, out, unique_id),
            Body::Languages(v) => lines(v, out, language),
            Body::Mechanisms(v) => lines(v, out, |m, line| {
                line.put_slice(m.as_str().as_bytes());
            }),
            Body::Message(bytes) => {
                let mut body = BodyEncoder::new();
                body.push(bytes, out);
                body.finish(out);
                return;
            }
        }
        out.put_slice(b".\r\n");
    }
}

/// Any reply, as its variant encodes.
impl Encode for Reply<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Reply::Greeting(g) => g.encode(out),
            Reply::Single(r) => r.encode(out),
            Reply::Challenge(c) => c.encode(out),
            Reply::Multi(m) => m.encode(out),
        }
    }
}
