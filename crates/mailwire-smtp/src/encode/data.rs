//! Message data for `DATA`: dot-stuffing and the end-of-data line.

use bytes::BufMut;

/// What the [`DataEncoder`] does with a CR or LF that is not part of a
/// CRLF.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum BareLineEnds {
    /// Write CRLF in its place (a CR directly followed by LF is one CRLF).
    #[default]
    Normalise,
    /// Fail with [`DataEncodeError::BareCr`] or [`DataEncodeError::BareLf`].
    Refuse,
}

/// What the [`DataEncoder`] does with a line longer than
/// [`DataOptions::max_line`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum LongLines {
    /// Break it with a CRLF after `max_line` octets (the content changes).
    #[default]
    Wrap,
    /// Fail with [`DataEncodeError::LineTooLong`].
    Refuse,
    /// Write it as it is: for a server that announced `BINARYMIME`
    /// (RFC 3030) or longer lines.
    Allow,
}

/// Options of the [`DataEncoder`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DataOptions {
    /// Bare CR and bare LF.
    pub bare_line_ends: BareLineEnds,
    /// Lines over `max_line`.
    pub long_lines: LongLines,
    /// Longest line, CRLF and a stuffed dot not counted: 998
    /// (RFC 5321 §4.5.3.1.6 allows 1000 with the CRLF).
    pub max_line: usize,
}

impl Default for DataOptions {
    fn default() -> Self {
        Self {
            bare_line_ends: BareLineEnds::default(),
            long_lines: LongLines::default(),
            max_line: 998,
        }
    }
}

/// Why a body cannot be written under the [`DataOptions`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DataEncodeError {
    /// A CR not followed by LF, at this offset of the body.
    #[error("bare CR at body offset {0}")]
    BareCr(u64),
    /// An LF not preceded by CR, at this offset of the body.
    #[error("bare LF at body offset {0}")]
    BareLf(u64),
    /// A line longer than the limit; the offset of its first octet past it.
    #[error("line longer than the limit at body offset {0}")]
    LineTooLong(u64),
}

/// Writes a message body as `DATA` sends it (RFC 5321 §4.5.2,
/// §4.1.1.4), fed in chunks of any size:
///
/// - a `.` is added before every line that starts with `.`, the first
///   line and lines after a wrap included;
/// - bare CR and LF become CRLF, or are refused;
/// - lines over 998 octets are wrapped or refused, unless allowed;
/// - [`finish`](Self::finish) ends the last line with CRLF when the body
///   does not, and writes `.` CRLF.
///
/// The output can hold `<CRLF>.<CRLF>` only at its very end, whatever the
/// body: no input can end the data early.
///
/// ```
/// use mailwire_smtp::encode::DataEncoder;
/// let mut out = Vec::new();
/// let mut encoder = DataEncoder::default();
/// encoder.push(b".hidden\r\n.\r", &mut out)?;
/// encoder.push(b"\nlast line\nno end", &mut out)?;
/// encoder.finish(&mut out)?;
/// assert_eq!(out, b"..hidden\r\n..\r\nlast line\r\nno end\r\n.\r\n");
/// # Ok::<(), mailwire_smtp::encode::DataEncodeError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct DataEncoder {
    options: DataOptions,
    /// Nothing of the current line written yet.
    line_start: bool,
    /// The previous chunk ended in a CR, not yet written.
    pending_cr: bool,
    /// Octets of the current line written so far.
    line_len: usize,
    /// Body octets read so far.
    offset: u64,
    started: bool,
}

impl DataEncoder {
    /// An encoder with `options`.
    pub fn new(options: DataOptions) -> Self {
        Self {
            options,
            ..Self::default()
        }
    }

    fn line_end<B: BufMut>(&mut self, out: &mut B) {
        out.put_slice(b"\r\n");
        self.line_start = true;
        self.line_len = 0;
    }

    /// Writes the next chunk of the body. After an error the output is
    /// incomplete and the encoder must not be used further.
    pub fn push<B: BufMut>(&mut self, chunk: &[u8], out: &mut B) -> Result<(), DataEncodeError> {
        if !self.started {
            self.started = true;
            self.line_start = true;
        }
        let mut rest = chunk;
        loop {
            if self.pending_cr {
                match rest.first() {
                    None => return Ok(()),
                    Some(b'\n') => {
                        rest = rest.get(1..).unwrap_or_default();
                        self.offset += 1;
                    }
                    Some(_) => self.bare(DataEncodeError::BareCr(self.offset - 1))?,
                }
                self.pending_cr = false;
                self.line_end(out);
                continue;
            }
            let Some(&first) = rest.first() else {
                return Ok(());
            };
            if self.line_start && first != b'\r' && first != b'\n' {
                if first == b'.' {
                    out.put_u8(b'.');
                }
                self.line_start = false;
            }
            let brk = memchr::memchr2(b'\r', b'\n', rest);
            let text_len = brk.unwrap_or(rest.len());
            self.text(rest.get(..text_len).unwrap_or_default(), out)?;
            let Some(i) = brk else {
                return Ok(());
            };
            let is_cr = rest.get(i) == Some(&b'\r');
            rest = rest.get(i + 1..).unwrap_or_default();
            self.offset += 1;
            if is_cr {
                self.pending_cr = true;
            } else {
                self.bare(DataEncodeError::BareLf(self.offset - 1))?;
                self.line_end(out);
            }
        }
    }

    fn bare(&self, error: DataEncodeError) -> Result<(), DataEncodeError> {
        match self.options.bare_line_ends {
            BareLineEnds::Normalise => Ok(()),
            BareLineEnds::Refuse => Err(error),
        }
    }

    /// Writes text without line ends, wrapping as the options say.
    fn text<B: BufMut>(&mut self, mut text: &[u8], out: &mut B) -> Result<(), DataEncodeError> {
        loop {
            let room = match self.options.long_lines {
                LongLines::Allow => usize::MAX,
                _ => self.options.max_line.saturating_sub(self.line_len),
            };
            if text.len() <= room {
                out.put_slice(text);
                self.line_len = self.line_len.saturating_add(text.len());
                self.offset += text.len() as u64;
                return Ok(());
            }
            if self.options.long_lines == LongLines::Refuse || self.options.max_line == 0 {
                return Err(DataEncodeError::LineTooLong(self.offset + room as u64));
            }
            let (head, tail) = text.split_at(room);
            out.put_slice(head);
            self.offset += room as u64;
            self.line_end(out);
            if tail.first() == Some(&b'.') {
                out.put_u8(b'.');
            }
            self.line_start = false;
            text = tail;
        }
    }

    /// Ends the body: a CRLF when its last line has none, then `.` CRLF.
    /// The encoder is then ready for the next body.
    pub fn finish<B: BufMut>(&mut self, out: &mut B) -> Result<(), DataEncodeError> {
        if self.pending_cr {
            self.bare(DataEncodeError::BareCr(self.offset - 1))?;
            self.pending_cr = false;
            self.line_end(out);
        }
        if self.started && !self.line_start {
            self.line_end(out);
        }
        out.put_slice(b".\r\n");
        *self = Self::new(self.options);
        Ok(())
    }
}

/// Writes all of `body` as `DATA` sends it, end-of-data line included
/// (see [`DataEncoder`]).
///
/// ```
/// use mailwire_smtp::encode::{encode_data, DataOptions};
/// let mut out = Vec::new();
/// encode_data(b"\n.\n", DataOptions::default(), &mut out)?;
/// assert_eq!(out, b"\r\n..\r\n.\r\n");
/// # Ok::<(), mailwire_smtp::encode::DataEncodeError>(())
/// ```
pub fn encode_data<B: BufMut>(
    body: &[u8],
    options: DataOptions,
    out: &mut B,
) -> Result<(), DataEncodeError> {
    let mut encoder = DataEncoder::new(options);
    encoder.push(body, out)?;
    encoder.finish(out)
}

#[cfg(test)]
#[allow(clippy::field_reassign_with_default)]
mod tests {
    use super::*;

    fn enc(body: &[u8], options: DataOptions) -> Result<Vec<u8>, DataEncodeError> {
        let mut out = Vec::new();
        encode_data(body, options, &mut out).map(|()| out)
    }

    #[test]
    fn stuffing_and_ends() {
        let o = DataOptions::default();
        assert_eq!(enc(b"", o).unwrap(), b".\r\n");
        assert_eq!(enc(b"\r\n", o).unwrap(), b"\r\n.\r\n");
        assert_eq!(enc(b".", o).unwrap(), b"..\r\n.\r\n");
        assert_eq!(enc(b"a\r\n.\r\n", o).unwrap(), b"a\r\n..\r\n.\r\n");
        assert_eq!(enc(b"a\r.b\r", o).unwrap(), b"a\r\n..b\r\n.\r\n");
        assert_eq!(enc(b"\r\r\n.", o).unwrap(), b"\r\n\r\n..\r\n.\r\n");
    }

    #[test]
    fn refusals_say_where() {
        let mut o = DataOptions::default();
        o.bare_line_ends = BareLineEnds::Refuse;
        assert_eq!(enc(b"ab\ncd", o), Err(DataEncodeError::BareLf(2)));
        assert_eq!(enc(b"ab\rcd", o), Err(DataEncodeError::BareCr(2)));
        assert_eq!(enc(b"ab\r", o), Err(DataEncodeError::BareCr(2)));
        assert!(enc(b"ab\r\n", o).is_ok());
        o.long_lines = LongLines::Refuse;
        o.max_line = 4;
        assert_eq!(
            enc(b"abcd\r\nabcde", o),
            Err(DataEncodeError::LineTooLong(10))
        );
    }

    #[test]
    fn long_lines_wrap_and_stuff() {
        let mut o = DataOptions::default();
        o.max_line = 3;
        assert_eq!(enc(b"abc.def.", o).unwrap(), b"abc\r\n..de\r\nf.\r\n.\r\n");
        o.long_lines = LongLines::Allow;
        assert_eq!(enc(b"abc.def.", o).unwrap(), b"abc.def.\r\n.\r\n");
    }

    #[test]
    fn chunking_does_not_matter() {
        let body = b".a\r\n.\r\r\n\n.\rxy.\r\n\r\n..";
        let o = DataOptions::default();
        let whole = enc(body, o).unwrap();
        for n in 1..body.len() {
            let mut e = DataEncoder::new(o);
            let mut out = Vec::new();
            for c in body.chunks(n) {
                e.push(c, &mut out).unwrap();
            }
            e.finish(&mut out).unwrap();
            assert_eq!(out, whole, "chunk {n}");
        }
    }
}
