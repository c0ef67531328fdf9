//! Encoding: values in, bytes out, into a caller's buffer.
//!
//! Encoding cannot fail and cannot produce bytes that the decoder would read
//! as a different message: the types refuse CR, LF and NUL everywhere, and SP
//! in every argument but the password (which is last on its line), so the
//! encoder only adds the framing. Keywords are written in uppercase.
//!
//! Server responses are written as RFC 1939 and RFC 2449 lay them out;
//! multi-line bodies are dot-stuffed ([`BodyEncoder`], which also streams a
//! message chunk by chunk) and always end with the terminating `.` line.

use bytes::BufMut;

mod response;

pub use response::BodyEncoder;

use crate::types::{Command, SaslResponse};

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

fn arg<B: BufMut>(out: &mut B, bytes: &[u8]) {
    out.put_u8(b' ');
    out.put_slice(bytes);
}

fn number<B: BufMut>(out: &mut B, mut n: u32) {
    // u32::MAX has 10 digits.
    let mut digits = [0u8; 10];
    let mut start = digits.len();
    for d in digits.iter_mut().rev() {
        *d = b'0' + u8::try_from(n % 10).unwrap_or_default();
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.put_u8(b' ');
    out.put_slice(digits.get(start..).unwrap_or_default());
}

/// `command = keyword *(SP param) CRLF` (RFC 2449 §3), the keyword in
/// uppercase, the arguments as each command defines them (RFC 1939 §4–§7,
/// RFC 5034 §4, RFC 6856 §3). An empty `AUTH` initial response is written
/// `=` (RFC 5034 §4).
impl Encode for Command<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(self.keyword());
        match self {
            Command::User(name) => arg(out, name.as_bytes()),
            Command::Pass(secret) => arg(out, secret.expose()),
            Command::Apop { name, digest } => {
                arg(out, name.as_bytes());
                arg(out, &digest.to_hex());
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                arg(out, mechanism.as_str().as_bytes());
                match initial_response {
                    None => {}
                    Some(data) if data.is_empty() => arg(out, b"="),
                    Some(data) => arg(out, data.as_bytes()),
                }
            }
            Command::List(msg) | Command::Uidl(msg) => {
                if let Some(msg) = msg {
                    number(out, msg.get());
                }
            }
            Command::Retr(msg) | Command::Dele(msg) => number(out, msg.get()),
            Command::Top { msg, lines } => {
                number(out, msg.get());
                number(out, *lines);
            }
            Command::Lang(range) => {
                if let Some(range) = range {
                    arg(out, range.as_bytes());
                }
            }
            Command::Unknown { args, .. } => {
                for a in args {
                    arg(out, a.as_bytes());
                }
            }
            Command::AuthList
            | Command::Stat
            | Command::Noop
            | Command::Rset
            | Command::Quit
            | Command::Capa
            | Command::Stls
            | Command::Utf8 => {}
        }
        out.put_slice(b"\r\n");
    }
}

/// One client line of a SASL exchange (RFC 5034 §4): the Base64 response
/// (an empty line for an empty response) or `*`, then CRLF.
impl Encode for SaslResponse<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        match self {
            SaslResponse::Data(data) => out.put_slice(data.as_bytes()),
            SaslResponse::Cancel => out.put_u8(b'*'),
        }
        out.put_slice(b"\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{
        Argument, Digest, Keyword, LanguageRange, Mechanism, MessageNumber, Password, SaslData,
    };

    fn msg(n: u32) -> MessageNumber {
        MessageNumber::new(n).unwrap()
    }

    #[test]
    fn every_command() {
        let cases: Vec<(Command<'_>, &[u8])> = vec![
            (
                Command::User(Argument::try_from("mrose").unwrap()),
                b"USER mrose\r\n",
            ),
            (
                Command::Pass(Password::try_from("two words").unwrap()),
                b"PASS two words\r\n",
            ),
            (
                Command::Apop {
                    name: Argument::try_from("mrose").unwrap(),
                    digest: Digest::from_hex(b"C4C9334BAC560ECC979E58001B3E22FB").unwrap(),
                },
                b"APOP mrose c4c9334bac560ecc979e58001b3e22fb\r\n",
            ),
            (
                Command::Auth {
                    mechanism: Mechanism::try_from("plain").unwrap(),
                    initial_response: None,
                },
                b"AUTH PLAIN\r\n",
            ),
            (
                Command::Auth {
                    mechanism: Mechanism::try_from("EXTERNAL").unwrap(),
                    initial_response: Some(SaslData::empty()),
                },
                b"AUTH EXTERNAL =\r\n",
            ),
            (
                Command::Auth {
                    mechanism: Mechanism::try_from("PLAIN").unwrap(),
                    initial_response: Some(SaslData::try_from("AGEAYg==").unwrap()),
                },
                b"AUTH PLAIN AGEAYg==\r\n",
            ),
            (Command::AuthList, b"AUTH\r\n"),
            (Command::Stat, b"STAT\r\n"),
            (Command::List(None), b"LIST\r\n"),
            (Command::List(Some(msg(2))), b"LIST 2\r\n"),
            (Command::Retr(msg(1)), b"RETR 1\r\n"),
            (Command::Dele(msg(4294967295)), b"DELE 4294967295\r\n"),
            (Command::Noop, b"NOOP\r\n"),
            (Command::Rset, b"RSET\r\n"),
            (Command::Quit, b"QUIT\r\n"),
            (
                Command::Top {
                    msg: msg(1),
                    lines: 0,
                },
                b"TOP 1 0\r\n",
            ),
            (Command::Uidl(None), b"UIDL\r\n"),
            (Command::Uidl(Some(msg(3))), b"UIDL 3\r\n"),
            (Command::Capa, b"CAPA\r\n"),
            (Command::Stls, b"STLS\r\n"),
            (Command::Utf8, b"UTF8\r\n"),
            (Command::Lang(None), b"LANG\r\n"),
            (Command::Lang(Some(LanguageRange::any())), b"LANG *\r\n"),
            (
                Command::Lang(Some(LanguageRange::try_from("sv").unwrap())),
                b"LANG sv\r\n",
            ),
            (
                Command::Unknown {
                    name: Keyword::try_from("xtnd").unwrap(),
                    args: vec![Argument::try_from("XMIT").unwrap()],
                },
                b"XTND XMIT\r\n",
            ),
        ];
        for (cmd, wire) in cases {
            assert_eq!(cmd.to_bytes(), wire, "{cmd:?}");
        }
    }

    #[test]
    fn sasl_lines() {
        assert_eq!(SaslResponse::Cancel.to_bytes(), b"*\r\n");
        assert_eq!(SaslResponse::Data(SaslData::empty()).to_bytes(), b"\r\n");
        assert_eq!(
            SaslResponse::Data(SaslData::encode(b"test")).to_bytes(),
            b"dGVzdA==\r\n"
        );
    }
}
