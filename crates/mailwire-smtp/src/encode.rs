//! Encoding: values in, bytes out, into a caller's buffer.
//!
//! Encoding cannot fail and cannot produce bytes that the decoder would read
//! as a different message: the types refuse CR and LF wherever they would end
//! a line early, so the encoder only adds the framing. Message data goes
//! through the [`DataEncoder`], which dot-stuffs every line and can never
//! write an early end-of-data.

use bytes::BufMut;

mod data;

pub use data::{BareLineEnds, DataEncodeError, DataEncoder, DataOptions, LongLines, encode_data};

use crate::types::{
    Body, ByMode, Command, ForwardPath, Hold, InitialResponse, MailParams, Notify, OtherParam,
    RcptParams, Reply, Ret, ReversePath,
};

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

/// A command line (RFC 5321 §4.1.1): the verb in upper case, its arguments,
/// CRLF. Parameters of `MAIL` and `RCPT` are written in a fixed order, the
/// typed ones first, then the others in the order they were added. A source
/// route is never written (RFC 5321 §4.1.1.3 asks clients not to send one).
///
/// ```
/// use mailwire_smtp::encode::Encode;
/// use mailwire_smtp::types::{Command, ForwardPath, Mailbox, Notify, NotifyOn, RcptParams};
/// let mut params = RcptParams::default();
/// params.notify = Some(Notify::On(NotifyOn::new(true, true, false).unwrap()));
/// let cmd = Command::Rcpt {
///     to: ForwardPath::Mailbox(Mailbox::parse("jones@example.com").unwrap()),
///     params,
///     source_route: false,
/// };
/// assert_eq!(cmd.to_bytes(), b"RCPT TO:<jones@example.com> NOTIFY=SUCCESS,FAILURE\r\n");
/// ```
impl Encode for Command<'_> {
    fn encode<B: BufMut>(&self, out: &mut B) {
        out.put_slice(self.verb().as_bytes());
        match self {
            Self::Ehlo { host } | Self::Helo { host } | Self::Lhlo { host } => {
                out.put_u8(b' ');
                out.put_slice(host.to_string().as_bytes());
            }
            Self::Mail { from, params, .. } => {
                out.put_slice(b" FROM:");
                match from {
                    ReversePath::Null => out.put_slice(b"<>"),
                    ReversePath::Mailbox(m) => angle(out, &m.to_string()),
                }
                mail_params(out, params);
            }
            Self::Rcpt { to, params, .. } => {
                out.put_slice(b" TO:");
                match to {
                    ForwardPath::Postmaster => out.put_slice(b"<Postmaster>"),
                    ForwardPath::Mailbox(m) => angle(out, &m.to_string()),
                }
                rcpt_params(out, params);
            }
            Self::Bdat { size, last } => {
                out.put_slice(format!(" {size}").as_bytes());
                if *last {
                    out.put_slice(b" LAST");
                }
            }
            Self::Vrfy { arg } | Self::Expn { arg } => {
                out.put_u8(b' ');
                out.put_slice(arg.as_bytes());
            }
            Self::Help { arg } | Self::Noop { arg } | Self::Unknown { args: arg, .. } => {
                if let Some(arg) = arg {
                    out.put_u8(b' ');
                    out.put_slice(arg.as_bytes());
                }
            }
            Self::Auth {
                mechanism,
                initial_response,
            } => {
                out.put_u8(b' ');
                out.put_slice(mechanism.as_str().as_bytes());
                match initial_response {
                    None => {}
                    Some(InitialResponse::Empty) => out.put_slice(b" ="),
                    Some(InitialResponse::Base64(data)) => {
                        out.put_u8(b' ');
                        out.put_slice(data.expose().as_bytes());
                    }
                }
            }
            Self::Data | Self::Rset | Self::Quit | Self::StartTls => {}
        }
        out.put_slice(b"\r\n");
    }
}

fn angle<B: BufMut>(out: &mut B, mailbox: &str) {
    out.put_u8(b'<');
    out.put_slice(mailbox.as_bytes());
    out.put_u8(b'>');
}

fn param<B: BufMut>(out: &mut B, keyword: &str, value: Option<&str>) {
    out.put_u8(b' ');
    out.put_slice(keyword.as_bytes());
    if let Some(value) = value {
        out.put_u8(b'=');
        out.put_slice(value.as_bytes());
    }
}

fn others<B: BufMut>(out: &mut B, list: &[OtherParam<'_>]) {
    for p in list {
        param(out, p.keyword(), p.value());
    }
}

fn mail_params<B: BufMut>(out: &mut B, p: &MailParams<'_>) {
    if let Some(size) = p.size {
        param(out, "SIZE", Some(&size.to_string()));
    }
    if let Some(body) = p.body {
        param(out, "BODY", Some(Body::as_str(body)));
    }
    if p.smtputf8 {
        param(out, "SMTPUTF8", None);
    }
    if let Some(ret) = p.ret {
        let v = match ret {
            Ret::Full => "FULL",
            Ret::Headers => "HDRS",
        };
        param(out, "RET", Some(v));
    }
    if let Some(envid) = &p.envid {
        param(out, "ENVID", Some(envid.as_str()));
    }
    if let Some(auth) = p.auth() {
        let v = auth.identity_xtext().map_or("<>", |x| x.as_str());
        param(out, "AUTH", Some(v));
    }
    if p.requiretls {
        param(out, "REQUIRETLS", None);
    }
    if let Some(prio) = p.mt_priority() {
        param(out, "MT-PRIORITY", Some(&prio.get().to_string()));
    }
    match p.hold() {
        None => {}
        Some(Hold::For(s)) => param(out, "HOLDFOR", Some(&s.get().to_string())),
        Some(Hold::Until(t)) => param(out, "HOLDUNTIL", Some(t.as_str())),
    }
    if let Some(by) = p.by() {
        let mode = match by.mode() {
            ByMode::Notify => 'N',
            ByMode::Return => 'R',
        };
        let trace = if by.trace() { "T" } else { "" };
        param(out, "BY", Some(&format!("{};{mode}{trace}", by.seconds())));
    }
    others(out, p.other());
}

fn rcpt_params<B: BufMut>(out: &mut B, p: &RcptParams<'_>) {
    match p.notify {
        None => {}
        Some(Notify::Never) => param(out, "NOTIFY", Some("NEVER")),
        Some(Notify::On(on)) => {
            let list: Vec<&str> = [
                (on.success(), "SUCCESS"),
                (on.failure(), "FAILURE"),
                (on.delay(), "DELAY"),
            ]
            .into_iter()
            .filter_map(|(set, name)| set.then_some(name))
            .collect();
            param(out, "NOTIFY", Some(&list.join(",")));
        }
    }
    if let Some(orcpt) = &p.orcpt {
        let v = format!("{};{}", orcpt.addr_type(), orcpt.address().as_str());
        param(out, "ORCPT", Some(&v));
    }
    others(out, p.other());
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
            vec![
                ReplyText::try_from("PIPELINING").unwrap(),
                ReplyText::empty(),
            ],
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
