//! Streaming the literals of `FETCH` body sections past the response
//! decoder ([`ClientConfig::stream_bodies`](super::ClientConfig)).
//!
//! The streamer stands between the socket's bytes and the
//! [`ResponseDecoder`](crate::decode::ResponseDecoder). It frames the
//! responses with the decoder's own framer (the same lines, the same
//! literals, the same recovery from over-long lines), holding only the
//! line being read. When a line of a `FETCH` response announces the
//! literal of a body section that a command in flight asked for, the
//! decoder gets the line with an empty literal (`{0}`) instead, and the
//! literal's octets come out as they arrive. Everything else passes
//! through unchanged.

use std::borrow::Cow;

use crate::Limits;
use crate::frame::{Framed, ResponseFramer, trailing_literal};

/// A body section's literal, announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Announced {
    /// The message sequence number of the `FETCH` response.
    pub(super) seq: u32,
    /// The item as sent (`BODY[1.2]<0>`, `BINARY[1]`, `RFC822`).
    pub(super) item: String,
    /// The literal's size.
    pub(super) size: u64,
}

/// What the streamer made of the input.
#[derive(Debug)]
pub(super) enum Step<'a> {
    /// Bytes for the response decoder. Let it decode what they complete
    /// before the next step, so that the next literal is judged against
    /// the commands in flight then.
    Decode(Cow<'a, [u8]>),
    /// A body literal is streamed from here; `line`, the announcing line
    /// with an empty literal, goes to the decoder.
    Start(Announced, Vec<u8>),
    /// Octets of the streamed literal.
    Chunk(&'a [u8]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Reading a line of a response.
    Line,
    /// Passing a literal's octets to the decoder.
    Literal(u64),
    /// Streaming a literal's octets.
    Stream(u64),
    /// Passing an over-long line to the decoder (which skips it) up to
    /// its LF.
    Skip,
}

/// See the module's documentation.
#[derive(Debug)]
pub(super) struct BodyStreamer {
    framer: ResponseFramer,
    /// The line being read; never longer than the line limit.
    line: Vec<u8>,
    /// The next line is the first of a response.
    first: bool,
    /// The sequence number when the response is `* n FETCH`.
    fetch: Option<u32>,
    mode: Mode,
}

impl BodyStreamer {
    pub(super) fn new() -> Self {
        Self {
            framer: ResponseFramer::new(),
            line: Vec::new(),
            first: true,
            fetch: None,
            mode: Mode::Line,
        }
    }

    /// Bytes received and not yet given out: the start of a line.
    pub(super) fn buffered(&self) -> &[u8] {
        &self.line
    }

    /// The next step, taking what it uses from the front of `input`;
    /// `None` when `input` is used up. `wanted` says whether a command in
    /// flight asked for an announced item (by its name as sent).
    pub(super) fn next<'a>(
        &mut self,
        input: &mut &'a [u8],
        limits: &Limits,
        wanted: impl Fn(&str) -> bool,
    ) -> Option<Step<'a>> {
        loop {
            match self.mode {
                Mode::Stream(left) | Mode::Literal(left) => {
                    if left == 0 {
                        self.mode = Mode::Line;
                        continue;
                    }
                    if input.is_empty() {
                        return None;
                    }
                    let take = usize::try_from(left).map_or(input.len(), |l| l.min(input.len()));
                    let (now, rest) = input.split_at(take);
                    *input = rest;
                    let streamed = matches!(self.mode, Mode::Stream(_));
                    let left = left - take as u64;
                    self.mode = if streamed {
                        Mode::Stream(left)
                    } else {
                        Mode::Literal(left)
                    };
                    return Some(if streamed {
                        Step::Chunk(now)
                    } else {
                        Step::Decode(Cow::Borrowed(now))
                    });
                }
                Mode::Skip => {
                    if input.is_empty() {
                        return None;
                    }
                    let take = memchr::memchr(b'\n', input).map_or(input.len(), |i| i + 1);
                    let (now, rest) = input.split_at(take);
                    *input = rest;
                    if now.last() == Some(&b'\n') {
                        self.reset();
                        self.mode = Mode::Line;
                    }
                    return Some(Step::Decode(Cow::Borrowed(now)));
                }
                Mode::Line => {
                    if input.is_empty() {
                        return None;
                    }
                    let take = memchr::memchr(b'\n', input).map_or(input.len(), |i| i + 1);
                    let (now, rest) = input.split_at(take);
                    *input = rest;
                    self.line.extend_from_slice(now);
                    match self.framer.advance(&self.line, limits, false) {
                        Framed::Partial if now.last() != Some(&b'\n') => {}
                        Framed::Partial => return Some(self.literal(&wanted)),
                        Framed::Complete { .. } => {
                            self.reset();
                            return Some(Step::Decode(Cow::Owned(std::mem::take(&mut self.line))));
                        }
                        Framed::Error(_) => {
                            // An over-long line (the only error without
                            // size checks): the decoder reports and skips
                            // it, then starts a new response.
                            if now.last() == Some(&b'\n') {
                                self.reset();
                            } else {
                                self.mode = Mode::Skip;
                            }
                            return Some(Step::Decode(Cow::Owned(std::mem::take(&mut self.line))));
                        }
                    }
                }
            }
        }
    }

    /// The step after a complete line that announces a literal.
    fn literal<'a>(&mut self, wanted: &impl Fn(&str) -> bool) -> Step<'a> {
        let line = std::mem::take(&mut self.line);
        let content_end = line.len() - if line.ends_with(b"\r\n") { 2 } else { 1 };
        if self.first {
            self.first = false;
            self.fetch = fetch_seq(&line[..content_end]);
        }
        // The rest of the response is framed after the literal, which the
        // streamer counts itself.
        self.framer = ResponseFramer::in_literal(0);
        let Some((open, size)) = trailing_literal(&line[..content_end]) else {
            // The framer found one: cannot happen.
            self.mode = Mode::Line;
            return Step::Decode(Cow::Owned(line));
        };
        let announced = self.fetch.and_then(|seq| {
            let item = body_item(&line[..open])?;
            wanted(&item).then_some(Announced { seq, item, size })
        });
        match announced {
            Some(announced) if size > 0 => {
                self.mode = Mode::Stream(size);
                let mut rewritten = line[..open].to_vec();
                rewritten.extend_from_slice(b"{0}");
                rewritten.extend_from_slice(&line[content_end..]);
                Step::Start(announced, rewritten)
            }
            _ => {
                self.mode = Mode::Literal(size);
                Step::Decode(Cow::Owned(line))
            }
        }
    }

    /// Ready for the next response.
    fn reset(&mut self) {
        self.framer = ResponseFramer::new();
        self.first = true;
        self.fetch = None;
    }
}

/// The sequence number of a `* n FETCH` line.
fn fetch_seq(line: &[u8]) -> Option<u32> {
    let rest = line.strip_prefix(b"* ")?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    let (number, rest) = rest.split_at(digits);
    let rest = rest.strip_prefix(b" ")?;
    let word = rest.get(..5)?;
    if !word.eq_ignore_ascii_case(b"FETCH") || rest.get(5).is_some_and(|&b| b != b' ') {
        return None;
    }
    std::str::from_utf8(number).ok()?.parse().ok()
}

/// The body item whose value is the literal announced after `head` (the
/// line up to the literal's `{`, `~` included): `BODY[…]`, `BINARY[…]`
/// (maybe with an origin `<n>`), `RFC822`, `RFC822.HEADER` or
/// `RFC822.TEXT`, standing as the last token; `None` for anything else
/// (a string inside `ENVELOPE`, say).
fn body_item(head: &[u8]) -> Option<String> {
    let head = head.strip_suffix(b"~").unwrap_or(head);
    let head = head.strip_suffix(b" ")?;
    let mut end = head.len();
    if head.ends_with(b">") {
        end = memchr::memrchr(b'<', head)?;
    }
    let token_end = end;
    let name_end = if head[..end].ends_with(b"]") {
        memchr::memrchr(b'[', &head[..end])?
    } else {
        end
    };
    let name_start = head[..name_end]
        .iter()
        .rposition(|&b| b == b' ' || b == b'(')
        .map_or(0, |i| i + 1);
    let name = &head[name_start..name_end];
    let sectioned = name_end < token_end;
    let ok = if sectioned {
        name.eq_ignore_ascii_case(b"BODY") || name.eq_ignore_ascii_case(b"BINARY")
    } else {
        [&b"RFC822"[..], b"RFC822.HEADER", b"RFC822.TEXT"]
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name))
    };
    if !ok || name_start == 0 {
        return None;
    }
    String::from_utf8(head[name_start..].to_vec()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items() {
        assert_eq!(
            body_item(b"* 1 FETCH (UID 4 BODY[] ").as_deref(),
            Some("BODY[]")
        );
        assert_eq!(
            body_item(b"* 1 FETCH (BODY[HEADER.FIELDS (A B)]<0> ").as_deref(),
            Some("BODY[HEADER.FIELDS (A B)]<0>")
        );
        assert_eq!(body_item(b" BINARY[1] ~").as_deref(), Some("BINARY[1]"));
        assert_eq!(body_item(b" rfc822.text ").as_deref(), Some("rfc822.text"));
        assert_eq!(body_item(b"* 1 FETCH (ENVELOPE (NIL "), None);
        assert_eq!(body_item(b"* 1 FETCH (X-THING "), None);
        assert_eq!(fetch_seq(b"* 12 FETCH (BODY[] {3}"), Some(12));
        assert_eq!(fetch_seq(b"* 12 FETCHX"), None);
        assert_eq!(fetch_seq(b"* LIST () \"/\" {3}"), None);
    }
}
