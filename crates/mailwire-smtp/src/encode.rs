//! Encoding: values in, bytes out, into a caller's buffer.
//!
//! Encoding cannot fail and cannot produce bytes that the decoder would read
//! as a different message: the types refuse CR and LF wherever they would end
//! a line early, so the encoder only adds the framing.

use bytes::BufMut;

use crate::types::Reply;

/// A value that can be written to the wire.
pub trait Encode {
    /// Appends the wire form of `self` to `out`.
    fn encode<B: BufMut>(&self, out: &mut B);

    /// The wire form of `self` in a new buffer.
    fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }
}

/// `Reply-line` (RFC 5321 §4.2): every line but the last as
/// `code "-" text CRLF`, the last as `code SP text CRLF` (or `code CRLF` when
/// its text is empty).
impl Encode for Reply<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        let digits = self.code().digits();
        let count = self.line_count();
        for (i, text) in self.lines().enumerate() {
            out.put_slice(&digits);
            let text = text.as_bytes();
            if i + 1 < count {
                out.put_u8(b'-');
                out.put_slice(text);
            } else if !text.is_empty() {
                out.put_u8(b' ');
                out.put_slice(text);
            }
            out.put_slice(b"\r\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{EnhancedStatusCode, ReplyCode, ReplyText};

    #[test]
    fn single_and_multi_line() {
        let r = Reply::new(ReplyCode::OK, "OK").unwrap();
        assert_eq!(r.to_bytes(), b"250 OK\r\n");
        let r = Reply::from_lines(
            ReplyCode::OK,
            ReplyText::try_from("mx.example greets you").unwrap(),
            vec![ReplyText::try_from("PIPELINING").unwrap(), ReplyText::empty()],
        );
        assert_eq!(
            r.to_bytes(),
            b"250-mx.example greets you\r\n250-PIPELINING\r\n250\r\n"
        );
    }

    #[test]
    fn enhanced_code_on_every_line() {
        let r = Reply::from_lines(
            ReplyCode::new(550).unwrap(),
            ReplyText::try_from("no such user").unwrap(),
            vec![ReplyText::try_from("see the docs").unwrap()],
        )
        .with_enhanced(EnhancedStatusCode::new(5, 1, 1).unwrap())
        .unwrap();
        assert_eq!(
            r.to_bytes(),
            b"550-5.1.1 no such user\r\n550 5.1.1 see the docs\r\n"
        );
        let wrong = Reply::new(ReplyCode::START_MAIL_INPUT, "go")
            .unwrap()
            .with_enhanced(EnhancedStatusCode::new(2, 0, 0).unwrap());
        assert!(wrong.is_err());
    }

    #[test]
    fn text_cannot_carry_a_line_break() {
        assert!(Reply::new(ReplyCode::OK, "ok\r\n250 smuggled").is_err());
        assert!(ReplyText::new(&b"a\nb"[..]).is_err());
        assert!(ReplyText::new(&b"a\rb"[..]).is_err());
        assert!(ReplyText::new(&b"a\0b"[..]).is_err());
    }
}
