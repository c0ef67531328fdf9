//! The server side: responses in, challenges and credentials out.
//!
//! A [`Server`] runs one exchange of one mechanism. The protocol crate
//! calls [`start`](Server::start) with the initial response if the command
//! carried one, then [`step`](Server::step) with each decoded client
//! response, and acts on what comes back:
//!
//! - [`ServerStep::Challenge`]: send it (Base64) and read the next response;
//! - [`ServerStep::Verify`]: the exchange is complete; the application
//!   checks the [`Credentials`] and the protocol sends its outcome (for the
//!   OAuth mechanisms a rejected token first goes through
//!   [`reject_token`](Server::reject_token));
//! - [`ServerStep::Failure`]: the exchange is over; the protocol answers
//!   with its error (SMTP: `501` for a cancel or a malformed response,
//!   `500` for one too long, `535` otherwise, RFC 4954 §4 and §6).
//!
//! ```
//! use mailwire_sasl::{Limits, Server, ServerMechanism, ServerStep};
//!
//! // RFC 4954 §4.1: AUTH PLAIN, then the response on its own line.
//! let mut server = Server::new(ServerMechanism::Plain, Limits::default())?;
//! assert_eq!(server.start(None), ServerStep::Challenge(Vec::new()));
//! let ServerStep::Verify(credentials) = server.step(b"\0test\x001234") else {
//!     panic!("PLAIN completes in one response");
//! };
//! assert_eq!(credentials.username(), Some("test"));
//! assert!(credentials.verify_password(b"1234"));
//! # Ok::<(), mailwire_sasl::ValueError>(())
//! ```

use hmac::Mac;

use crate::client::{KVSEP, cram_md5_mac};
use crate::limits::Limits;
use crate::types::{Mechanism, Secret, ValueError, constant_time_eq};

/// Which mechanism a [`Server`] runs, with what it needs from the
/// application.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerMechanism {
    /// PLAIN (RFC 4616).
    Plain,
    /// LOGIN (draft-murchison-sasl-login).
    Login,
    /// CRAM-MD5 (RFC 2195).
    CramMd5 {
        /// The challenge, in the form of a message id: `<`, a unique string
        /// (random digits, a timestamp), `@`, the server's host name, `>`.
        /// The application makes it: the crate has no clock or randomness.
        challenge: Vec<u8>,
    },
    /// XOAUTH2 (Google).
    XOAuth2,
    /// OAUTHBEARER (RFC 7628).
    OAuthBearer,
}

impl ServerMechanism {
    /// The mechanism called `name`, if this crate implements it;
    /// `challenge` is called for CRAM-MD5 only.
    pub fn from_name(name: Mechanism, challenge: impl FnOnce() -> Vec<u8>) -> Option<Self> {
        Some(match name {
            Mechanism::PLAIN => Self::Plain,
            Mechanism::LOGIN => Self::Login,
            Mechanism::CRAM_MD5 => Self::CramMd5 {
                challenge: challenge(),
            },
            Mechanism::XOAUTH2 => Self::XOAuth2,
            Mechanism::OAUTHBEARER => Self::OAuthBearer,
            _ => return None,
        })
    }

    /// The mechanism's name.
    pub fn name(&self) -> Mechanism {
        match self {
            Self::Plain => Mechanism::PLAIN,
            Self::Login => Mechanism::LOGIN,
            Self::CramMd5 { .. } => Mechanism::CRAM_MD5,
            Self::XOAuth2 => Mechanism::XOAUTH2,
            Self::OAuthBearer => Mechanism::OAUTHBEARER,
        }
    }
}

/// What the client proved, for the application to check.
///
/// `Debug` shows no password or token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// PLAIN and LOGIN: identities and a clear-text password.
    Password {
        /// The identity to act as (PLAIN only; `None` when not given, and
        /// the server derives it from `authcid`).
        authzid: Option<String>,
        /// The identity whose password this is.
        authcid: String,
        /// The password.
        password: Secret,
    },
    /// CRAM-MD5: a user name and the digest of the challenge, checked with
    /// [`Credentials::verify_cram_md5`].
    CramMd5 {
        /// The user name.
        username: String,
        /// HMAC-MD5 of the challenge, keyed with the user's secret.
        digest: [u8; 16],
        /// The challenge the server sent.
        challenge: Vec<u8>,
    },
    /// XOAUTH2 and OAUTHBEARER: a bearer token, to check with the
    /// authorization server.
    Bearer {
        /// XOAUTH2's `user`, or OAUTHBEARER's authorization identity (`a=`).
        user: Option<String>,
        /// OAUTHBEARER's `host`.
        host: Option<String>,
        /// OAUTHBEARER's `port`.
        port: Option<u16>,
        /// The token.
        token: Secret,
    },
}

impl Credentials {
    /// The user: `authcid` for PLAIN and LOGIN, the user name for
    /// CRAM-MD5, the user (if given) for the OAuth mechanisms.
    pub fn username(&self) -> Option<&str> {
        match self {
            Self::Password { authcid, .. } => Some(authcid),
            Self::CramMd5 { username, .. } => Some(username),
            Self::Bearer { user, .. } => user.as_deref(),
        }
    }

    /// Whether the password is `expected`, compared in time that does not
    /// depend on where they differ. `false` for other mechanisms.
    pub fn verify_password(&self, expected: &[u8]) -> bool {
        match self {
            Self::Password { password, .. } => constant_time_eq(password.expose(), expected),
            _ => false,
        }
    }

    /// Whether the CRAM-MD5 digest is HMAC-MD5 of the challenge keyed with
    /// `secret` (RFC 2195 §2), compared in constant time. `false` for other
    /// mechanisms.
    pub fn verify_cram_md5(&self, secret: &[u8]) -> bool {
        match self {
            Self::CramMd5 {
                digest, challenge, ..
            } => cram_md5_mac(secret, challenge).verify_slice(digest).is_ok(),
            _ => false,
        }
    }
}

/// What the server does next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerStep {
    /// Send this challenge (Base64-encoded by the protocol) and pass the
    /// client's answer to [`Server::step`].
    Challenge(Vec<u8>),
    /// The client has said all it has to say: check these credentials.
    Verify(Credentials),
    /// The exchange failed; the server takes no further responses.
    Failure(Failure),
}

/// Why an exchange failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Failure {
    /// The client cancelled (its response was `*`).
    #[error("the client cancelled the exchange")]
    Cancelled,
    /// A response longer than [`Limits::response`].
    #[error("response of {len} octets is longer than the limit of {max}")]
    TooLong {
        /// The response's length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// More responses than [`Limits::responses`].
    #[error("more than {max} responses")]
    TooManySteps {
        /// The limit.
        max: usize,
    },
    /// An initial response for a mechanism in which the server speaks
    /// first (RFC 4954 §4: reject with `501`).
    #[error("{0} takes no initial response")]
    UnexpectedInitialResponse(Mechanism),
    /// An identity or password longer than [`Limits::field`].
    #[error("{field} longer than {max} octets")]
    FieldTooLong {
        /// Which field.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// A response that breaks its mechanism's grammar.
    #[error("malformed response at offset {offset}: {kind}")]
    Malformed {
        /// Offset of the fault in the response.
        offset: usize,
        /// What is wrong.
        kind: MalformedKind,
    },
    /// The client's answer to the error challenge sent by
    /// [`Server::reject_token`]: the exchange ends as a failure.
    #[error("the token was rejected")]
    TokenRejected,
    /// `start`, `step` or `reject_token` called when the exchange is not at
    /// a point where it takes one.
    #[error("not expected at this point of the exchange")]
    OutOfOrder,
}

/// What is wrong with a malformed response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedKind {
    /// A NUL (PLAIN) or `^A` (OAuth) separator is missing.
    #[error("missing separator")]
    MissingSeparator,
    /// A required field is empty.
    #[error("empty {0}")]
    EmptyField(&'static str),
    /// A required key is absent (XOAUTH2 `user`, `auth`).
    #[error("missing {0}")]
    MissingField(&'static str),
    /// A field is not UTF-8.
    #[error("not UTF-8")]
    NotUtf8,
    /// An octet the field may not hold.
    #[error("octet {0:#04x} not allowed")]
    ForbiddenByte(u8),
    /// A key/value pair whose key is not `1*ALPHA` followed by `=`.
    #[error("bad key")]
    BadKey,
    /// A key given twice.
    #[error("duplicate key")]
    DuplicateKey,
    /// `auth` is not `Bearer` followed by a token.
    #[error("auth is not \"Bearer\" and a token")]
    BadAuth,
    /// A GS2 header that is not `n,` or `y,`, an optional `a=` identity,
    /// and `,`.
    #[error("bad GS2 header")]
    BadGs2Header,
    /// A GS2 header asking for channel binding (`p=`), which OAUTHBEARER
    /// does not support (RFC 7628 §3.1).
    #[error("channel binding is not supported")]
    ChannelBinding,
    /// An `=` in a GS2 `saslname` not followed by `2C` or `3D`.
    #[error("bad escape in saslname")]
    BadEscape,
    /// A `port` that is not a decimal number up to 65535.
    #[error("bad port")]
    BadPort,
    /// A CRAM-MD5 digest that is not 32 hex digits after a space.
    #[error("bad digest")]
    BadDigest,
    /// Data after the final separator.
    #[error("data after the end")]
    Trailing,
}

/// Where a server exchange is.
#[derive(Debug, Clone)]
enum State {
    /// `start` not called yet.
    New,
    /// Waiting for the single message (PLAIN, XOAUTH2, OAUTHBEARER) or the
    /// CRAM-MD5 response.
    Message,
    /// LOGIN: waiting for the user name.
    LoginUser,
    /// LOGIN: waiting for the password.
    LoginPassword(String),
    /// Credentials handed out; an OAuth token may still be rejected.
    Verified,
    /// The error challenge is out; waiting for the client's dummy answer.
    Rejected,
    /// Over.
    Ended,
}

/// A server mechanism as a sans-IO state machine.
#[derive(Debug, Clone)]
pub struct Server {
    mechanism: ServerMechanism,
    limits: Limits,
    state: State,
    responses: usize,
}

/// LOGIN's prompts (draft-murchison-sasl-login §2).
const USERNAME_PROMPT: &[u8] = b"Username:";
const PASSWORD_PROMPT: &[u8] = b"Password:";

impl Server {
    /// A server for `mechanism`. A CRAM-MD5 challenge must look like a
    /// message id: `<`, visible ASCII, `>` (RFC 2195 §2).
    pub fn new(mechanism: ServerMechanism, limits: Limits) -> Result<Self, ValueError> {
        if let ServerMechanism::CramMd5 { challenge } = &mechanism {
            check_cram_challenge(challenge)?;
        }
        Ok(Self {
            mechanism,
            limits,
            state: State::New,
            responses: 0,
        })
    }

    /// The mechanism's name.
    pub fn name(&self) -> Mechanism {
        self.mechanism.name()
    }

    /// Starts the exchange, with the initial response if the command
    /// carried one (`=` on the wire is `Some(b"")`).
    ///
    /// Without one, PLAIN and the OAuth mechanisms send an empty challenge,
    /// LOGIN its `Username:` prompt and CRAM-MD5 its challenge. With one,
    /// CRAM-MD5 fails ([`Failure::UnexpectedInitialResponse`]), LOGIN takes
    /// it as the user name (an empty one as none, as some clients send) and
    /// the others as their message.
    pub fn start(&mut self, initial: Option<&[u8]>) -> ServerStep {
        if !matches!(self.state, State::New) {
            return self.fail(Failure::OutOfOrder);
        }
        let Some(response) = initial else {
            return match &self.mechanism {
                ServerMechanism::Plain
                | ServerMechanism::XOAuth2
                | ServerMechanism::OAuthBearer => {
                    self.state = State::Message;
                    ServerStep::Challenge(Vec::new())
                }
                ServerMechanism::Login => {
                    self.state = State::LoginUser;
                    ServerStep::Challenge(USERNAME_PROMPT.to_vec())
                }
                ServerMechanism::CramMd5 { challenge } => {
                    let challenge = challenge.clone();
                    self.state = State::Message;
                    ServerStep::Challenge(challenge)
                }
            };
        };
        match &self.mechanism {
            ServerMechanism::CramMd5 { .. } => {
                self.fail(Failure::UnexpectedInitialResponse(Mechanism::CRAM_MD5))
            }
            ServerMechanism::Login if response.is_empty() => {
                self.responses += 1;
                self.state = State::LoginUser;
                ServerStep::Challenge(USERNAME_PROMPT.to_vec())
            }
            ServerMechanism::Login => {
                self.state = State::LoginUser;
                self.respond(response)
            }
            _ => {
                self.state = State::Message;
                self.respond(response)
            }
        }
    }

    /// Takes the client's answer (Base64-decoded) to the last challenge.
    pub fn step(&mut self, response: &[u8]) -> ServerStep {
        match self.state {
            State::Message | State::LoginUser | State::LoginPassword(_) | State::Rejected => {
                self.respond(response)
            }
            State::New | State::Verified | State::Ended => self.fail(Failure::OutOfOrder),
        }
    }

    /// The client cancelled (sent `*`): the exchange ends. The protocol
    /// answers with its error (SMTP `501`, POP3 `-ERR`, IMAP `BAD`).
    pub fn cancel(&mut self) -> ServerStep {
        self.fail(Failure::Cancelled)
    }

    /// After [`ServerStep::Verify`] for XOAUTH2 or OAUTHBEARER, the token
    /// was not accepted: gives the error challenge to send, `error` being
    /// the JSON status object (RFC 7628 §3.2.2), for example
    /// `{"status":"invalid_token","scope":"…"}`. The client answers it
    /// with a dummy response and [`step`](Self::step) then gives
    /// [`Failure::TokenRejected`].
    ///
    /// For other mechanisms, or at any other point, the exchange ends with
    /// [`Failure::OutOfOrder`]: their failures need no further message.
    pub fn reject_token(&mut self, error: &[u8]) -> ServerStep {
        let oauth = matches!(
            self.mechanism,
            ServerMechanism::XOAuth2 | ServerMechanism::OAuthBearer
        );
        if oauth && matches!(self.state, State::Verified) {
            self.state = State::Rejected;
            ServerStep::Challenge(error.to_vec())
        } else {
            self.fail(Failure::OutOfOrder)
        }
    }

    /// Whether the exchange has ended: credentials handed out or failed.
    pub fn is_ended(&self) -> bool {
        matches!(self.state, State::Verified | State::Ended)
    }

    fn fail(&mut self, failure: Failure) -> ServerStep {
        self.state = State::Ended;
        ServerStep::Failure(failure)
    }

    /// One client response, limits first, then the mechanism's grammar.
    fn respond(&mut self, response: &[u8]) -> ServerStep {
        self.responses += 1;
        if self.responses > self.limits.responses {
            return self.fail(Failure::TooManySteps {
                max: self.limits.responses,
            });
        }
        if response.len() > self.limits.response {
            return self.fail(Failure::TooLong {
                len: response.len(),
                max: self.limits.response,
            });
        }
        let state = std::mem::replace(&mut self.state, State::Ended);
        let field = self.limits.field;
        let result = match (state, &self.mechanism) {
            (State::Message, ServerMechanism::Plain) => plain(response, field),
            (State::Message, ServerMechanism::CramMd5 { challenge }) => {
                cram_md5(response, challenge, field)
            }
            (State::Message, ServerMechanism::XOAuth2) => xoauth2(response),
            (State::Message, ServerMechanism::OAuthBearer) => oauthbearer(response),
            (State::LoginUser, _) => match text(response, 0, "username", field) {
                Ok(username) => {
                    self.state = State::LoginPassword(username);
                    return ServerStep::Challenge(PASSWORD_PROMPT.to_vec());
                }
                Err(failure) => Err(failure),
            },
            (State::LoginPassword(username), _) => {
                login_password(response, field).map(|password| Credentials::Password {
                    authzid: None,
                    authcid: username,
                    password,
                })
            }
            (State::Rejected, _) => Err(Failure::TokenRejected),
            _ => Err(Failure::OutOfOrder),
        };
        match result {
            Ok(credentials) => {
                self.state = State::Verified;
                ServerStep::Verify(credentials)
            }
            Err(failure) => self.fail(failure),
        }
    }
}

fn malformed(offset: usize, kind: MalformedKind) -> Failure {
    Failure::Malformed { offset, kind }
}

/// Checks a CRAM-MD5 challenge: `<`, visible ASCII, `>` (RFC 2195 §2: the
/// syntax of an RFC 822 `msg-id`).
fn check_cram_challenge(challenge: &[u8]) -> Result<(), ValueError> {
    if challenge.is_empty() {
        return Err(ValueError::Empty);
    }
    for (offset, &byte) in challenge.iter().enumerate() {
        let ok = match offset {
            0 => byte == b'<',
            _ if offset + 1 == challenge.len() => byte == b'>',
            _ => byte.is_ascii_graphic(),
        };
        if !ok {
            return Err(ValueError::Forbidden { offset, byte });
        }
    }
    if challenge.len() < 2 {
        return Err(ValueError::Forbidden {
            offset: 0,
            byte: b'<',
        });
    }
    Ok(())
}

/// A non-empty UTF-8 field of at most `max` octets, starting at `offset`
/// in the response.
fn text(value: &[u8], offset: usize, name: &'static str, max: usize) -> Result<String, Failure> {
    if value.is_empty() {
        return Err(malformed(offset, MalformedKind::EmptyField(name)));
    }
    if value.len() > max {
        return Err(Failure::FieldTooLong { field: name, max });
    }
    match std::str::from_utf8(value) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(malformed(offset + e.valid_up_to(), MalformedKind::NotUtf8)),
    }
}

/// Splits `data` at the first `byte`: before it, and after it.
fn split_once(data: &[u8], byte: u8) -> Option<(&[u8], &[u8])> {
    let at = data.iter().position(|&b| b == byte)?;
    let (head, tail) = data.split_at_checked(at)?;
    Some((head, tail.get(1..).unwrap_or_default()))
}

/// PLAIN's message (RFC 4616 §2):
///
/// ```text
/// message   = [authzid] UTF8NUL authcid UTF8NUL passwd
/// authcid   = 1*SAFE ; MUST accept up to 255 octets
/// authzid   = 1*SAFE ; MUST accept up to 255 octets
/// passwd    = 1*SAFE ; MUST accept up to 255 octets
/// UTF8NUL   = %x00 ; UTF-8 encoded NUL character
/// SAFE      = UTF1 / UTF2 / UTF3 / UTF4
///             ;; any UTF-8 encoded Unicode character except NUL
/// ```
fn plain(message: &[u8], max: usize) -> Result<Credentials, Failure> {
    let missing = || malformed(message.len(), MalformedKind::MissingSeparator);
    let (authzid, rest) = split_once(message, 0).ok_or_else(missing)?;
    let (authcid, password) = split_once(rest, 0).ok_or_else(missing)?;
    let authcid_at = authzid.len() + 1;
    let password_at = authcid_at + authcid.len() + 1;
    if let Some(at) = password.iter().position(|&b| b == 0) {
        return Err(malformed(password_at + at, MalformedKind::ForbiddenByte(0)));
    }
    let authzid = match authzid {
        b"" => None,
        _ => Some(text(authzid, 0, "authzid", max)?),
    };
    let authcid = text(authcid, authcid_at, "authcid", max)?;
    let password = text(password, password_at, "password", max)?;
    Ok(Credentials::Password {
        authzid,
        authcid,
        password: Secret::from(password),
    })
}

/// LOGIN's password: non-empty, at most `max` octets, any octets but NUL
/// (the draft does not say which character set; clients send what the
/// user typed).
fn login_password(response: &[u8], max: usize) -> Result<Secret, Failure> {
    if response.is_empty() {
        return Err(malformed(0, MalformedKind::EmptyField("password")));
    }
    if response.len() > max {
        return Err(Failure::FieldTooLong {
            field: "password",
            max,
        });
    }
    if let Some(at) = response.iter().position(|&b| b == 0) {
        return Err(malformed(at, MalformedKind::ForbiddenByte(0)));
    }
    Ok(Secret::from(response))
}

/// CRAM-MD5's response (RFC 2195 §2): the user name, a space, and the
/// digest as 32 hex digits (lower case when sent; either case read).
fn cram_md5(response: &[u8], challenge: &[u8], max: usize) -> Result<Credentials, Failure> {
    let Some(space) = response.iter().rposition(|&b| b == b' ') else {
        return Err(malformed(response.len(), MalformedKind::MissingSeparator));
    };
    let (username, hex) = response.split_at(space);
    let hex = hex.get(1..).unwrap_or_default();
    let digest_at = space + 1;
    if hex.len() != 32 {
        return Err(malformed(digest_at, MalformedKind::BadDigest));
    }
    let mut digest = [0u8; 16];
    for (i, (pair, out)) in hex.chunks_exact(2).zip(digest.iter_mut()).enumerate() {
        let nibble = |b: u8| (b as char).to_digit(16);
        match pair {
            [h, l] => match (nibble(*h), nibble(*l)) {
                (Some(h), Some(l)) => *out = u8::try_from(h * 16 + l).unwrap_or_default(),
                _ => return Err(malformed(digest_at + 2 * i, MalformedKind::BadDigest)),
            },
            _ => return Err(malformed(digest_at + 2 * i, MalformedKind::BadDigest)),
        }
    }
    Ok(Credentials::CramMd5 {
        username: text(username, 0, "username", max)?,
        digest,
        challenge: challenge.to_vec(),
    })
}

/// The keys XOAUTH2 and OAUTHBEARER read, with each value's offset.
#[derive(Default)]
struct Pairs<'a> {
    user: Option<(&'a [u8], usize)>,
    host: Option<(&'a [u8], usize)>,
    port: Option<(&'a [u8], usize)>,
    auth: Option<(&'a [u8], usize)>,
}

/// Key/value pairs up to the final separator, which must end `data`;
/// `base` is `data`'s offset in the response. Unknown keys are skipped.
///
/// RFC 7628 §3.1:
///
/// ```text
/// kvsep  = %x01
/// key    = 1*(ALPHA)
/// value  = *(VCHAR / SP / HTAB / CR / LF )
/// kvpair = key "=" value kvsep
/// ```
fn pairs(data: &[u8], base: usize) -> Result<Pairs<'_>, Failure> {
    let mut out = Pairs::default();
    let mut pos = 0;
    loop {
        let rest = data.get(pos..).unwrap_or_default();
        match rest {
            [] => return Err(malformed(base + pos, MalformedKind::MissingSeparator)),
            [KVSEP] => return Ok(out),
            [KVSEP, ..] => return Err(malformed(base + pos + 1, MalformedKind::Trailing)),
            _ => {}
        }
        let Some((pair, _)) = split_once(rest, KVSEP) else {
            return Err(malformed(
                base + data.len(),
                MalformedKind::MissingSeparator,
            ));
        };
        let at = base + pos;
        let Some((key, value)) = split_once(pair, b'=') else {
            return Err(malformed(at, MalformedKind::BadKey));
        };
        if key.is_empty() || !key.iter().all(u8::is_ascii_alphabetic) {
            return Err(malformed(at, MalformedKind::BadKey));
        }
        let value_at = at + key.len() + 1;
        // VCHAR / SP / HTAB / CR / LF, and octets of UTF-8 read tolerantly.
        if let Some(i) = value
            .iter()
            .position(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) || b == 0x7f)
        {
            let byte = value.get(i).copied().unwrap_or_default();
            return Err(malformed(value_at + i, MalformedKind::ForbiddenByte(byte)));
        }
        let slot = match key {
            b"user" => Some(&mut out.user),
            b"host" => Some(&mut out.host),
            b"port" => Some(&mut out.port),
            b"auth" => Some(&mut out.auth),
            _ => None,
        };
        if let Some(slot) = slot {
            if slot.is_some() {
                return Err(malformed(at, MalformedKind::DuplicateKey));
            }
            *slot = Some((value, value_at));
        }
        pos += pair.len() + 1;
    }
}

/// The `auth` value: `Bearer`, one or more spaces, and a token of visible
/// ASCII (RFC 7628 §3.1 with RFC 6750 §2.1; the scheme compared without
/// regard to case).
fn bearer(auth: Option<(&[u8], usize)>) -> Result<Secret, Failure> {
    let Some((value, at)) = auth else {
        return Err(malformed(0, MalformedKind::MissingField("auth")));
    };
    let scheme = value.get(..7).unwrap_or_default();
    if !scheme.eq_ignore_ascii_case(b"Bearer ") {
        return Err(malformed(at, MalformedKind::BadAuth));
    }
    let token = value.get(7..).unwrap_or_default();
    let skip = token.iter().take_while(|&&b| b == b' ').count();
    let token = token.get(skip..).unwrap_or_default();
    if token.is_empty() {
        return Err(malformed(at + 7 + skip, MalformedKind::BadAuth));
    }
    if let Some(i) = token.iter().position(|b| !b.is_ascii_graphic()) {
        return Err(malformed(at + 7 + skip + i, MalformedKind::BadAuth));
    }
    Ok(Secret::from(token))
}

/// XOAUTH2's message: `user=` USER `^A` `auth=Bearer ` TOKEN `^A` `^A`.
fn xoauth2(message: &[u8]) -> Result<Credentials, Failure> {
    let fields = pairs(message, 0)?;
    let Some((user, user_at)) = fields.user else {
        return Err(malformed(0, MalformedKind::MissingField("user")));
    };
    let user = text(user, user_at, "user", usize::MAX)?;
    Ok(Credentials::Bearer {
        user: Some(user),
        host: None,
        port: None,
        token: bearer(fields.auth)?,
    })
}

/// OAUTHBEARER's message (RFC 7628 §3.1, RFC 5801 §4):
///
/// ```text
/// client-resp    = (gs2-header kvsep *kvpair kvsep) / kvsep
/// gs2-header     = gs2-cbind-flag "," [ authzid ] ","
/// gs2-cbind-flag = ("p=" cb-name) / "n" / "y"
/// authzid        = "a=" saslname
/// saslname       = 1*(UTF8-char-safe / "=2C" / "=3D")
/// ```
fn oauthbearer(message: &[u8]) -> Result<Credentials, Failure> {
    let rest = match message {
        [b'n' | b'y', b',', rest @ ..] => rest,
        [b'p', ..] => return Err(malformed(0, MalformedKind::ChannelBinding)),
        [KVSEP] => return Err(malformed(0, MalformedKind::MissingField("auth"))),
        _ => return Err(malformed(0, MalformedKind::BadGs2Header)),
    };
    let Some((authzid, rest)) = split_once(rest, b',') else {
        return Err(malformed(2, MalformedKind::BadGs2Header));
    };
    let user = match authzid {
        b"" => None,
        [b'a', b'=', name @ ..] => Some(saslname(name, 4)?),
        _ => return Err(malformed(2, MalformedKind::BadGs2Header)),
    };
    let header_len = 2 + authzid.len() + 1;
    let Some((&KVSEP, kv)) = rest.split_first() else {
        return Err(malformed(header_len, MalformedKind::MissingSeparator));
    };
    let fields = pairs(kv, header_len + 1)?;
    let host = match fields.host {
        Some((host, at)) => Some(text(host, at, "host", usize::MAX)?),
        None => None,
    };
    let port = match fields.port {
        Some((port, at)) => {
            let digits = !port.is_empty() && port.len() <= 5 && port.iter().all(u8::is_ascii_digit);
            let value = std::str::from_utf8(port).ok().and_then(|p| p.parse().ok());
            match value {
                Some(value) if digits => Some(value),
                _ => return Err(malformed(at, MalformedKind::BadPort)),
            }
        }
        None => None,
    };
    Ok(Credentials::Bearer {
        user,
        host,
        port,
        token: bearer(fields.auth)?,
    })
}

/// A GS2 `saslname` (RFC 5801 §4), unescaped: `=2C` is `,`, `=3D` is `=`.
fn saslname(name: &[u8], at: usize) -> Result<String, Failure> {
    if name.is_empty() {
        return Err(malformed(at, MalformedKind::EmptyField("authzid")));
    }
    let mut out = Vec::with_capacity(name.len());
    let mut i = 0;
    while let Some(&b) = name.get(i) {
        match b {
            b'=' => {
                match name.get(i + 1..i + 3) {
                    Some(b"2C" | b"2c") => out.push(b','),
                    Some(b"3D" | b"3d") => out.push(b'='),
                    _ => return Err(malformed(at + i, MalformedKind::BadEscape)),
                }
                i += 3;
            }
            // NUL is outside UTF8-char-safe; ^A, the key/value separator,
            // is refused as clients never write it in an identity.
            0 | KVSEP => return Err(malformed(at + i, MalformedKind::ForbiddenByte(b))),
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| malformed(at, MalformedKind::NotUtf8))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(mechanism: ServerMechanism) -> Server {
        Server::new(mechanism, Limits::default()).unwrap()
    }

    fn failure(step: ServerStep) -> Failure {
        match step {
            ServerStep::Failure(f) => f,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn plain_grammar() {
        let ok = |m: &[u8]| plain(m, 255).unwrap();
        assert_eq!(
            ok(b"Ursel\0Kurt\0xipj3plmq"),
            Credentials::Password {
                authzid: Some("Ursel".into()),
                authcid: "Kurt".into(),
                password: "xipj3plmq".into()
            }
        );
        let err = |m: &[u8]| plain(m, 255).unwrap_err();
        assert_eq!(err(b"tim"), malformed(3, MalformedKind::MissingSeparator));
        assert_eq!(err(b"\0tim"), malformed(4, MalformedKind::MissingSeparator));
        assert_eq!(
            err(b"\0\0pw"),
            malformed(1, MalformedKind::EmptyField("authcid"))
        );
        assert_eq!(
            err(b"\0tim\0"),
            malformed(5, MalformedKind::EmptyField("password"))
        );
        assert_eq!(
            err(b"\0tim\0p\0w"),
            malformed(6, MalformedKind::ForbiddenByte(0))
        );
        assert_eq!(err(b"\0t\xffm\0pw"), malformed(2, MalformedKind::NotUtf8));
        assert_eq!(err(b"\0tim\0p\xc3"), malformed(6, MalformedKind::NotUtf8));
        let long = [b"\0".as_slice(), &[b'a'; 256], b"\0pw"].concat();
        assert_eq!(
            err(&long),
            Failure::FieldTooLong {
                field: "authcid",
                max: 255
            }
        );
        let edge = [b"\0".as_slice(), &[b'a'; 255], b"\0", &[b'b'; 255]].concat();
        assert!(plain(&edge, 255).is_ok());
    }

    #[test]
    fn oauth_grammar() {
        let ok =
            oauthbearer(b"y,a=u=2Cv=3Dw,\x01host=h\x01port=993\x01x=y\x01auth=bearer  tok\x01\x01")
                .unwrap();
        assert_eq!(
            ok,
            Credentials::Bearer {
                user: Some("u,v=w".into()),
                host: Some("h".into()),
                port: Some(993),
                token: "tok".into()
            }
        );
        let err = |m: &[u8]| oauthbearer(m).unwrap_err();
        assert_eq!(
            err(b"p=tls-unique,,\x01auth=Bearer t\x01\x01"),
            malformed(0, MalformedKind::ChannelBinding)
        );
        assert_eq!(err(b"x,,"), malformed(0, MalformedKind::BadGs2Header));
        assert_eq!(
            err(b"n,b=u,\x01"),
            malformed(2, MalformedKind::BadGs2Header)
        );
        assert_eq!(err(b"n,a=u=2"), malformed(2, MalformedKind::BadGs2Header));
        assert_eq!(err(b"n,a=u=2,\x01"), malformed(5, MalformedKind::BadEscape));
        assert_eq!(
            err(b"n,a=u\x01,\x01"),
            malformed(5, MalformedKind::ForbiddenByte(1))
        );
        assert_eq!(err(b"n,,"), malformed(3, MalformedKind::MissingSeparator));
        assert_eq!(
            err(b"n,,\x01\x01"),
            malformed(0, MalformedKind::MissingField("auth"))
        );
        assert_eq!(
            err(b"n,,\x01auth=Bearer t\x01"),
            malformed(18, MalformedKind::MissingSeparator)
        );
        assert_eq!(
            err(b"n,,\x01auth=Bearer t\x01\x01x"),
            malformed(19, MalformedKind::Trailing)
        );
        assert_eq!(
            err(b"n,,\x01auth=Basic t\x01\x01"),
            malformed(9, MalformedKind::BadAuth)
        );
        assert_eq!(
            err(b"n,,\x01auth=Bearer \x01\x01"),
            malformed(16, MalformedKind::BadAuth)
        );
        assert_eq!(
            err(b"n,,\x01port=99999\x01auth=Bearer t\x01\x01"),
            malformed(9, MalformedKind::BadPort)
        );
        assert_eq!(
            err(b"n,,\x01port=+1\x01auth=Bearer t\x01\x01"),
            malformed(9, MalformedKind::BadPort)
        );
        assert_eq!(
            err(b"n,,\x01auth=Bearer t\x01auth=Bearer u\x01\x01"),
            malformed(18, MalformedKind::DuplicateKey)
        );
        assert_eq!(
            err(b"n,,\x01=x\x01\x01"),
            malformed(4, MalformedKind::BadKey)
        );
        assert_eq!(
            err(b"n,,\x01a1=x\x01\x01"),
            malformed(4, MalformedKind::BadKey)
        );
        assert_eq!(
            err(b"n,,\x01host=a\0b\x01\x01"),
            malformed(10, MalformedKind::ForbiddenByte(0))
        );
        assert_eq!(
            err(b"\x01"),
            malformed(0, MalformedKind::MissingField("auth"))
        );

        assert_eq!(
            xoauth2(b"auth=Bearer t\x01\x01").unwrap_err(),
            malformed(0, MalformedKind::MissingField("user"))
        );
        assert_eq!(
            xoauth2(b"user=\x01auth=Bearer t\x01\x01").unwrap_err(),
            malformed(5, MalformedKind::EmptyField("user"))
        );
    }

    #[test]
    fn cram_md5_grammar() {
        let c = b"<1.2@h>";
        let err = |m: &[u8]| cram_md5(m, c, 255).unwrap_err();
        assert_eq!(err(b"tim"), malformed(3, MalformedKind::MissingSeparator));
        assert_eq!(err(b"tim abc"), malformed(4, MalformedKind::BadDigest));
        assert_eq!(
            err(b"tim b913a602c7eda7a495b4e6e7334d389g"),
            malformed(34, MalformedKind::BadDigest)
        );
        assert_eq!(
            err(b" b913a602c7eda7a495b4e6e7334d3890"),
            malformed(0, MalformedKind::EmptyField("username"))
        );
        // Upper-case hex is read; a user name may hold spaces.
        let Credentials::CramMd5 {
            username, digest, ..
        } = cram_md5(b"t i m B913A602C7EDA7A495B4E6E7334D3890", c, 255).unwrap()
        else {
            panic!()
        };
        assert_eq!(username, "t i m");
        assert_eq!(digest[0], 0xb9);
        assert_eq!(digest[15], 0x90);
    }

    #[test]
    fn cram_challenge_must_be_a_msg_id() {
        let new = |c: &[u8]| {
            Server::new(
                ServerMechanism::CramMd5 {
                    challenge: c.to_vec(),
                },
                Limits::default(),
            )
            .map(|_| ())
        };
        assert_eq!(new(b"<1.2@host>"), Ok(()));
        assert_eq!(new(b""), Err(ValueError::Empty));
        assert_eq!(
            new(b"<"),
            Err(ValueError::Forbidden {
                offset: 0,
                byte: b'<'
            })
        );
        assert_eq!(
            new(b"1.2@host>"),
            Err(ValueError::Forbidden {
                offset: 0,
                byte: b'1'
            })
        );
        assert_eq!(
            new(b"<1 2>"),
            Err(ValueError::Forbidden {
                offset: 2,
                byte: b' '
            })
        );
        assert_eq!(
            new(b"<1.2>\r\n"),
            Err(ValueError::Forbidden {
                offset: 5,
                byte: b'\r'
            })
        );
    }

    #[test]
    fn order_and_limits() {
        let mut s = server(ServerMechanism::Plain);
        assert_eq!(failure(s.step(b"\0a\0b")), Failure::OutOfOrder);
        assert!(s.is_ended());

        let mut s = server(ServerMechanism::Plain);
        assert!(matches!(s.start(Some(b"\0a\0b")), ServerStep::Verify(_)));
        assert!(s.is_ended());
        assert_eq!(failure(s.step(b"")), Failure::OutOfOrder);

        let mut s = server(ServerMechanism::Plain);
        s.start(None);
        assert_eq!(failure(s.cancel()), Failure::Cancelled);
        assert_eq!(failure(s.step(b"\0a\0b")), Failure::OutOfOrder);

        let mut s = server(ServerMechanism::Plain);
        assert_eq!(failure(s.reject_token(b"{}")), Failure::OutOfOrder);

        let limits = Limits {
            response: 8,
            ..Limits::default()
        };
        let mut s = Server::new(ServerMechanism::Plain, limits).unwrap();
        assert_eq!(
            failure(s.start(Some(b"\0abc\0defg"))),
            Failure::TooLong { len: 9, max: 8 }
        );

        let limits = Limits {
            responses: 1,
            ..Limits::default()
        };
        let mut s = Server::new(ServerMechanism::Login, limits).unwrap();
        assert!(matches!(s.start(Some(b"tim")), ServerStep::Challenge(_)));
        assert_eq!(failure(s.step(b"pw")), Failure::TooManySteps { max: 1 });

        let mut s = server(ServerMechanism::CramMd5 {
            challenge: b"<1@h>".to_vec(),
        });
        assert_eq!(
            failure(s.start(Some(b""))),
            Failure::UnexpectedInitialResponse(Mechanism::CRAM_MD5)
        );
    }
}
