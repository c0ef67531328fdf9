//! Encoding: values in, bytes out, into a caller's buffer.
//!
//! Encoding writes only what RFC 9051 allows and cannot produce bytes that
//! the decoder would read as a different value: the types refuse CR, LF and
//! NUL wherever they would end a line early, so the encoder only adds the
//! framing. Strings that only a literal can carry are reported
//! ([`NeedsLiteral`]) instead of written.

use bytes::BufMut;

use crate::types::{
    Atom, Capability, Greeting, Mailbox, PartialRange, SeqItem, SeqNumber, SequenceSet, Tag,
    is_astring_char,
};

mod command;
mod response;

pub use command::{Fragment, fragments};

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

/// `tag` (RFC 9051 §9): the tag's characters.
impl Encode for Tag<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(self.as_str().as_bytes());
    }
}

/// `atom` (RFC 9051 §9): the atom's characters.
impl Encode for Atom<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(self.as_str().as_bytes());
    }
}

/// `seq-number = nz-number / "*"` (RFC 9051 §9).
impl Encode for SeqNumber {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Self::Value(n) => out.put_slice(n.to_string().as_bytes()),
            Self::Largest => out.put_u8(b'*'),
        }
    }
}

/// `seq-number / seq-range`, `seq-range = seq-number ":" seq-number`
/// (RFC 9051 §9), the ends in the order they are kept.
impl Encode for SeqItem {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            Self::Single(n) => n.encode(out),
            Self::Range(a, b) => {
                a.encode(out);
                out.put_u8(b':');
                b.encode(out);
            }
        }
    }
}

/// `sequence-set` (RFC 9051 §9): the items joined by `,`, or `$`.
impl Encode for SequenceSet {
    fn encode<B: BufMut>(&self, out: &mut B) {
        if self.is_last_command() {
            out.put_u8(b'$');
            return;
        }
        for (i, item) in self.items().iter().enumerate() {
            if i > 0 {
                out.put_u8(b',');
            }
            item.encode(out);
        }
    }
}

/// `partial-range = partial-range-first / partial-range-last` (RFC 9394
/// §4): `1:100` or `-1:-100`.
impl Encode for PartialRange {
    fn encode<B: BufMut>(&self, out: &mut B) {
        let (first, last) = self.bounds();
        if self.is_from_end() {
            out.put_u8(b'-');
        }
        response::num(out, u64::from(first.get()));
        out.put_slice(if self.is_from_end() { b":-" } else { b":" });
        response::num(out, u64::from(last.get()));
    }
}

/// How a string goes on the wire as an `astring` (RFC 9051 §9:
/// `astring = 1*ASTRING-CHAR / string`, `string = quoted / literal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StringForm {
    /// Bare, as `1*ASTRING-CHAR`.
    Atom,
    /// As a `quoted` string, with `"` and `\` escaped.
    Quoted,
    /// Only a `literal` can carry it: it holds 8-bit bytes, CR or LF.
    Literal,
}

/// The string needs a literal, which this encoder does not write: the caller
/// must send it as `{n}` CRLF and the bytes, after the server's continuation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a string of {len} octets needs a literal")]
#[non_exhaustive]
pub struct NeedsLiteral {
    /// The string's length in octets.
    pub len: usize,
}

/// The form `value` takes as an `astring`: an atom when it is non-empty
/// ASTRING-CHARs, else a quoted string when it is 7-bit without CR, LF and
/// NUL (`QUOTED-CHAR` in RFC 3501 and RFC 9051 alike), else a literal.
pub fn astring_form(value: &[u8]) -> StringForm {
    if !value.is_empty() && value.iter().all(|&b| is_astring_char(b)) {
        StringForm::Atom
    } else if value
        .iter()
        .all(|&b| matches!(b, 0x01..=0x7f) && b != b'\r' && b != b'\n')
    {
        StringForm::Quoted
    } else {
        StringForm::Literal
    }
}

/// Writes `value` as an `astring` (RFC 9051 §9) in the form
/// [`astring_form`] picks, and says which. When it needs a literal, nothing
/// is written.
///
/// ```
/// use mailwire_imap::encode::{self, StringForm};
/// let mut out = Vec::new();
/// assert_eq!(encode::astring(b"Drafts", &mut out), Ok(StringForm::Atom));
/// out.push(b' ');
/// assert_eq!(encode::astring(b"My \"Mail\"", &mut out), Ok(StringForm::Quoted));
/// assert_eq!(out, b"Drafts \"My \\\"Mail\\\"\"");
/// assert!(encode::astring("Entwürfe".as_bytes(), &mut out).is_err());
/// ```
pub fn astring<B: BufMut>(value: &[u8], out: &mut B) -> Result<StringForm, NeedsLiteral> {
    let form = astring_form(value);
    match form {
        StringForm::Atom => out.put_slice(value),
        StringForm::Quoted => {
            out.put_u8(b'"');
            for &b in value {
                if b == b'"' || b == b'\\' {
                    out.put_u8(b'\\');
                }
                out.put_u8(b);
            }
            out.put_u8(b'"');
        }
        StringForm::Literal => return Err(NeedsLiteral { len: value.len() }),
    }
    Ok(form)
}

/// Writes a mailbox name (RFC 9051 §9: `mailbox = "INBOX" / astring`) as
/// [`astring`] does. Names from [`Mailbox::from_name`] (modified UTF-7) are
/// ASCII and never need a literal.
///
/// ```
/// use mailwire_imap::encode;
/// use mailwire_imap::types::Mailbox;
/// let mut out = Vec::new();
/// encode::mailbox(&Mailbox::from_name("Brouillons récents"), &mut out).unwrap();
/// assert_eq!(out, b"\"Brouillons r&AOk-cents\"");
/// ```
pub fn mailbox<B: BufMut>(mailbox: &Mailbox<'_>, out: &mut B) -> Result<StringForm, NeedsLiteral> {
    astring(mailbox.as_bytes(), out)
}

/// `capability = ("AUTH=" auth-type) / atom` (RFC 9051 §9).
impl Encode for Capability<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        let name: &[u8] = match self {
            Self::Imap4Rev1 => b"IMAP4rev1",
            Self::Imap4Rev2 => b"IMAP4rev2",
            Self::LiteralPlus => b"LITERAL+",
            Self::LiteralMinus => b"LITERAL-",
            Self::StartTls => b"STARTTLS",
            Self::LoginDisabled => b"LOGINDISABLED",
            Self::Partial => b"PARTIAL",
            Self::Auth(mechanism) => {
                out.put_slice(b"AUTH=");
                mechanism.as_str().as_bytes()
            }
            Self::Other(atom) => atom.as_str().as_bytes(),
        };
        out.put_slice(name);
    }
}

/// `greeting = "*" SP (resp-cond-auth / resp-cond-bye) CRLF`,
/// `resp-text = ["[" resp-text-code "]" SP] [text]` (RFC 9051 §7.1, §9).
impl Encode for Greeting<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(b"* ");
        out.put_slice(self.kind().as_str().as_bytes());
        out.put_u8(b' ');
        if let Some(code) = self.code() {
            out.put_u8(b'[');
            code.encode(out);
            out.put_slice(b"] ");
        }
        out.put_slice(self.text().as_bytes());
        out.put_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Code, CodeText, GreetingKind, Text};

    #[test]
    fn greetings() {
        let g = Greeting::new(
            GreetingKind::Ok,
            None,
            Text::try_from("IMAP4rev2 server ready").unwrap(),
        )
        .unwrap();
        assert_eq!(g.to_bytes(), b"* OK IMAP4rev2 server ready\r\n");
        let code = Code::Capability(vec![
            Capability::Imap4Rev2,
            Capability::StartTls,
            Capability::Auth(Atom::new("GSSAPI").unwrap()),
        ]);
        let g = Greeting::new(GreetingKind::PreAuth, Some(code), Text::empty()).unwrap();
        assert_eq!(
            g.to_bytes(),
            b"* PREAUTH [CAPABILITY IMAP4rev2 STARTTLS AUTH=GSSAPI] \r\n"
        );
        let code = Code::from_parts(
            Atom::new("UIDNEXT").unwrap(),
            Some(CodeText::new(&b"4392"[..]).unwrap()),
        );
        let g = Greeting::new(GreetingKind::Bye, Some(code), Text::try_from("x").unwrap()).unwrap();
        assert_eq!(g.to_bytes(), b"* BYE [UIDNEXT 4392] x\r\n");
    }

    #[test]
    fn text_cannot_carry_a_line_break() {
        assert!(Text::try_from("ok\r\n* BYE").is_err());
        assert!(Text::new(&b"a\0b"[..]).is_err());
        assert!(CodeText::new(&b"a]b"[..]).is_err());
        assert!(CodeText::new(&b""[..]).is_err());
        assert!(Mailbox::from_bytes(&b"a\nb"[..]).is_err());
        assert!(Greeting::new(GreetingKind::Ok, None, Text::try_from(" x").unwrap()).is_err());
    }

    #[test]
    fn sequence_sets() {
        let n = |v| SeqNumber::new(v).unwrap();
        let mut set = SequenceSet::new(SeqItem::Single(n(2)));
        set.push(SeqItem::Range(n(7), n(4)));
        set.push(SeqItem::Range(n(12), SeqNumber::Largest));
        assert_eq!(set.to_bytes(), b"2,7:4,12:*");
        assert_eq!(SequenceSet::last_command().to_bytes(), b"$");
    }

    #[test]
    fn astring_forms() {
        let form = |v: &[u8]| {
            let mut out = Vec::new();
            astring(v, &mut out).map(|f| (f, out))
        };
        assert_eq!(form(b"INBOX"), Ok((StringForm::Atom, b"INBOX".to_vec())));
        assert_eq!(form(b"a]b"), Ok((StringForm::Atom, b"a]b".to_vec())));
        assert_eq!(form(b""), Ok((StringForm::Quoted, b"\"\"".to_vec())));
        assert_eq!(form(b"a b"), Ok((StringForm::Quoted, b"\"a b\"".to_vec())));
        assert_eq!(form(b"50%"), Ok((StringForm::Quoted, b"\"50%\"".to_vec())));
        assert_eq!(
            form(b"a\\b"),
            Ok((StringForm::Quoted, b"\"a\\\\b\"".to_vec()))
        );
        assert_eq!(form(b"a\r\nb"), Err(NeedsLiteral { len: 4 }));
        assert_eq!(form(b"\xff"), Err(NeedsLiteral { len: 1 }));
        assert_eq!(astring_form(b"{5}"), StringForm::Quoted);
    }
}
