//! The client side: credentials in, responses out.
//!
//! A [`Client`] is made from a [`ClientMechanism`] (the mechanism and its
//! credentials). The protocol crate asks it for an
//! [initial response](Client::initial_response) when the command can carry
//! one, then hands it each decoded server challenge through
//! [`step`](Client::step) and sends back what it returns. The outcome
//! (`235`/`535`, `+OK`/`-ERR`, `OK`/`NO`) is the protocol's, not the
//! mechanism's.
//!
//! ```
//! use mailwire_sasl::{Client, ClientMechanism, Step};
//!
//! // RFC 2195 §2: the server's challenge and the client's answer.
//! let mut client = Client::new(ClientMechanism::cram_md5("tim", "tanstaaftanstaaf"))?;
//! assert_eq!(client.initial_response(), None);
//! let step = client.step(b"<1896.697170952@postoffice.reston.mci.net>")?;
//! assert_eq!(step, Step::Respond(b"tim b913a602c7eda7a495b4e6e7334d3890".to_vec()));
//! # Ok::<(), mailwire_sasl::SaslError>(())
//! ```

use hmac::{Hmac, Mac};
use md5::Md5;

use crate::types::{Mechanism, Secret, ValueError};

/// A mechanism and the credentials it needs, to make a [`Client`] with.
///
/// The constructors (`plain`, `login`, …) cover the common cases; the
/// variants can also be built directly. [`Client::new`] checks the values.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientMechanism {
    /// PLAIN (RFC 4616): one message, `[authzid] NUL authcid NUL passwd`.
    Plain {
        /// The identity to act as, when not the one the server derives.
        authzid: Option<String>,
        /// The identity whose password is given.
        authcid: String,
        /// The password.
        password: Secret,
    },
    /// LOGIN (draft-murchison-sasl-login): the user name, then the
    /// password, each in answer to a server prompt.
    Login {
        /// The user name.
        username: String,
        /// The password.
        password: Secret,
    },
    /// CRAM-MD5 (RFC 2195): `username SP hex(HMAC-MD5(secret, challenge))`.
    CramMd5 {
        /// The user name.
        username: String,
        /// The shared secret.
        secret: Secret,
    },
    /// XOAUTH2 (Google): `user=USER ^A auth=Bearer TOKEN ^A ^A`.
    XOAuth2 {
        /// The user (an e-mail address).
        user: String,
        /// The OAuth 2.0 access token.
        token: Secret,
    },
    /// OAUTHBEARER (RFC 7628): a GS2 header, then `host`, `port` and
    /// `auth` key/value pairs separated by `^A`.
    OAuthBearer {
        /// The authorization identity (`a=` in the GS2 header).
        authzid: Option<String>,
        /// The server's host name, as the client connected to it.
        host: Option<String>,
        /// The server's port, as the client connected to it.
        port: Option<u16>,
        /// The OAuth 2.0 bearer token.
        token: Secret,
    },
}

impl ClientMechanism {
    /// PLAIN with no authorization identity.
    pub fn plain(authcid: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self::Plain {
            authzid: None,
            authcid: authcid.into(),
            password: password.into(),
        }
    }

    /// LOGIN.
    pub fn login(username: impl Into<String>, password: impl Into<Secret>) -> Self {
        Self::Login {
            username: username.into(),
            password: password.into(),
        }
    }

    /// CRAM-MD5.
    pub fn cram_md5(username: impl Into<String>, secret: impl Into<Secret>) -> Self {
        Self::CramMd5 {
            username: username.into(),
            secret: secret.into(),
        }
    }

    /// XOAUTH2.
    pub fn xoauth2(user: impl Into<String>, token: impl Into<Secret>) -> Self {
        Self::XOAuth2 {
            user: user.into(),
            token: token.into(),
        }
    }

    /// OAUTHBEARER with `user` as the authorization identity and no host
    /// or port.
    pub fn oauthbearer(user: impl Into<String>, token: impl Into<Secret>) -> Self {
        Self::OAuthBearer {
            authzid: Some(user.into()),
            host: None,
            port: None,
            token: token.into(),
        }
    }

    /// The mechanism's name, as the `AUTH`/`AUTHENTICATE` command gives it.
    pub fn name(&self) -> Mechanism {
        match self {
            Self::Plain { .. } => Mechanism::PLAIN,
            Self::Login { .. } => Mechanism::LOGIN,
            Self::CramMd5 { .. } => Mechanism::CRAM_MD5,
            Self::XOAuth2 { .. } => Mechanism::XOAUTH2,
            Self::OAuthBearer { .. } => Mechanism::OAUTHBEARER,
        }
    }

    /// Checks every credential against what its mechanism can carry.
    fn validate(&self) -> Result<(), SaslError> {
        let bad = |field: &'static str| move |error| SaslError::InvalidCredentials { field, error };
        match self {
            Self::Plain {
                authzid,
                authcid,
                password,
            } => {
                // RFC 4616 §2: every field is 1*SAFE (UTF-8 without NUL).
                if let Some(authzid) = authzid {
                    no_bytes(authzid.as_bytes(), &[0], true).map_err(bad("authzid"))?;
                }
                no_bytes(authcid.as_bytes(), &[0], false).map_err(bad("authcid"))?;
                utf8(password.expose()).map_err(bad("password"))?;
                no_bytes(password.expose(), &[0], false).map_err(bad("password"))?;
            }
            Self::Login { username, password } => {
                no_bytes(username.as_bytes(), &[0], false).map_err(bad("username"))?;
                no_bytes(password.expose(), &[0], false).map_err(bad("password"))?;
            }
            Self::CramMd5 { username, .. } => {
                no_bytes(username.as_bytes(), &[0, b'\r', b'\n'], false)
                    .map_err(bad("username"))?;
            }
            Self::XOAuth2 { user, token } => {
                // Carried as a key/value pair, like OAUTHBEARER's.
                if user.is_empty() {
                    return Err(bad("user")(ValueError::Empty));
                }
                no_controls(user.as_bytes()).map_err(bad("user"))?;
                bearer_token(token.expose()).map_err(bad("token"))?;
            }
            Self::OAuthBearer {
                authzid,
                host,
                token,
                ..
            } => {
                if let Some(authzid) = authzid {
                    no_bytes(authzid.as_bytes(), &[0, 1], false).map_err(bad("authzid"))?;
                }
                if let Some(host) = host {
                    // RFC 7628 §3.1: value = *(VCHAR / SP / HTAB / CR / LF),
                    // and a host name is never empty.
                    if host.is_empty() {
                        return Err(bad("host")(ValueError::Empty));
                    }
                    no_controls(host.as_bytes()).map_err(bad("host"))?;
                }
                bearer_token(token.expose()).map_err(bad("token"))?;
            }
        }
        Ok(())
    }
}

/// Why a client mechanism could not go on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// A credential cannot be carried by the mechanism.
    #[error("invalid {field}: {error}")]
    InvalidCredentials {
        /// Which credential.
        field: &'static str,
        /// What is wrong with it.
        error: ValueError,
    },
    /// The server sent a challenge after the mechanism had said all it had
    /// to say. The protocol crate cancels with `*`.
    #[error("unexpected challenge: the {0} exchange has no further step")]
    UnexpectedChallenge(Mechanism),
    /// The challenge is not what the mechanism expects (CRAM-MD5: empty).
    /// The protocol crate cancels with `*`.
    #[error("malformed {0} challenge")]
    MalformedChallenge(Mechanism),
}

/// What the client sends next.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Step {
    /// Send these octets (Base64-encoded by the protocol) as the response.
    Respond(Vec<u8>),
    /// The challenge was the server's error report (XOAUTH2, OAUTHBEARER:
    /// a JSON object, RFC 7628 §3.2.2). Send `response` (the mechanism's
    /// dummy answer: empty for XOAUTH2, `^A` for OAUTHBEARER); the server
    /// then ends the exchange with a failure.
    Failed {
        /// The response to send.
        response: Vec<u8>,
        /// The server's error, as sent (JSON text for both mechanisms).
        error: Vec<u8>,
    },
}

/// A client mechanism as a sans-IO state machine.
///
/// `Clone` so that a protocol crate can try the initial response on a copy
/// when it must first know whether the response fits its command line
/// (RFC 4954 §4).
#[derive(Debug, Clone)]
pub struct Client {
    mechanism: ClientMechanism,
    /// Responses given so far, the initial response included.
    sent: usize,
    /// The mechanism has answered an error challenge or given its last
    /// response.
    finished: bool,
}

impl Client {
    /// A client for `mechanism`, its credentials checked: identities and
    /// passwords free of the octets that delimit them (NUL for PLAIN, `^A`
    /// for the OAuth mechanisms), required fields non-empty, tokens of
    /// visible ASCII.
    pub fn new(mechanism: ClientMechanism) -> Result<Self, SaslError> {
        mechanism.validate()?;
        Ok(Self {
            mechanism,
            sent: 0,
            finished: false,
        })
    }

    /// The mechanism's name.
    pub fn name(&self) -> Mechanism {
        self.mechanism.name()
    }

    /// The initial response, for mechanisms where the client speaks first
    /// (PLAIN, XOAUTH2, OAUTHBEARER); `None` for the others, and once any
    /// response has been given.
    ///
    /// Call it only when the command will carry the response (SMTP: when it
    /// fits the line, RFC 4954 §4; IMAP: when the server has `SASL-IR`,
    /// RFC 4959). Otherwise skip it: the server then sends an empty
    /// challenge and [`step`](Self::step) answers it with the same octets.
    /// An empty response is sent as `=` (see [`crate::wire::encode_initial`]).
    pub fn initial_response(&mut self) -> Option<Vec<u8>> {
        if self.sent > 0 {
            return None;
        }
        let message = match &self.mechanism {
            ClientMechanism::Plain { .. }
            | ClientMechanism::XOAuth2 { .. }
            | ClientMechanism::OAuthBearer { .. } => self.message(),
            ClientMechanism::Login { .. } | ClientMechanism::CramMd5 { .. } => return None,
        };
        self.sent = 1;
        self.finished = self.sent >= self.responses();
        Some(message)
    }

    /// Answers a server challenge (already Base64-decoded).
    ///
    /// - PLAIN, XOAUTH2, OAUTHBEARER: the first challenge (empty, when no
    ///   initial response was sent) is answered with the message; for the
    ///   OAuth mechanisms a challenge after the message is the server's
    ///   error, answered by [`Step::Failed`].
    /// - LOGIN: the first challenge (a `Username:` prompt) is answered with
    ///   the user name, the second (`Password:`) with the password; the
    ///   prompts' text is not checked, as servers word them differently.
    /// - CRAM-MD5: the challenge must be non-empty; the answer is the user
    ///   name, a space and the lower-case hex HMAC-MD5 digest.
    ///
    /// Any challenge after that is [`SaslError::UnexpectedChallenge`].
    pub fn step(&mut self, challenge: &[u8]) -> Result<Step, SaslError> {
        let name = self.name();
        if self.finished {
            return Err(SaslError::UnexpectedChallenge(name));
        }
        let step = match (&self.mechanism, self.sent) {
            (
                ClientMechanism::Plain { .. }
                | ClientMechanism::XOAuth2 { .. }
                | ClientMechanism::OAuthBearer { .. },
                0,
            ) => Step::Respond(self.message()),
            (ClientMechanism::XOAuth2 { .. }, _) => Step::Failed {
                response: Vec::new(),
                error: challenge.to_vec(),
            },
            (ClientMechanism::OAuthBearer { .. }, _) => Step::Failed {
                response: vec![KVSEP],
                error: challenge.to_vec(),
            },
            (ClientMechanism::Login { username, .. }, 0) => {
                Step::Respond(username.as_bytes().to_vec())
            }
            (ClientMechanism::Login { password, .. }, 1) => {
                Step::Respond(password.expose().to_vec())
            }
            (ClientMechanism::CramMd5 { username, secret }, 0) => {
                if challenge.is_empty() {
                    self.finished = true;
                    return Err(SaslError::MalformedChallenge(name));
                }
                let digest = cram_md5_digest(secret.expose(), challenge);
                let mut out = Vec::with_capacity(username.len() + 33);
                out.extend_from_slice(username.as_bytes());
                out.push(b' ');
                out.extend_from_slice(&hex(&digest));
                Step::Respond(out)
            }
            _ => {
                self.finished = true;
                return Err(SaslError::UnexpectedChallenge(name));
            }
        };
        self.sent += 1;
        if matches!(step, Step::Failed { .. }) || self.sent >= self.responses() {
            self.finished = true;
        }
        Ok(step)
    }

    /// Whether the mechanism has given its last response: the server's
    /// outcome is all that can follow.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// How many responses a successful exchange takes.
    fn responses(&self) -> usize {
        match self.mechanism {
            ClientMechanism::Login { .. } => 2,
            // The OAuth mechanisms may still get an error challenge.
            ClientMechanism::XOAuth2 { .. } | ClientMechanism::OAuthBearer { .. } => 2,
            _ => 1,
        }
    }

    /// The single message of PLAIN, XOAUTH2 and OAUTHBEARER.
    fn message(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match &self.mechanism {
            ClientMechanism::Plain {
                authzid,
                authcid,
                password,
            } => {
                // RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
                if let Some(authzid) = authzid {
                    out.extend_from_slice(authzid.as_bytes());
                }
                out.push(0);
                out.extend_from_slice(authcid.as_bytes());
                out.push(0);
                out.extend_from_slice(password.expose());
            }
            ClientMechanism::XOAuth2 { user, token } => {
                out.extend_from_slice(b"user=");
                out.extend_from_slice(user.as_bytes());
                out.extend_from_slice(b"\x01auth=Bearer ");
                out.extend_from_slice(token.expose());
                out.extend_from_slice(b"\x01\x01");
            }
            ClientMechanism::OAuthBearer {
                authzid,
                host,
                port,
                token,
            } => {
                // RFC 7628 §3.1:
                // client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep
                // gs2-header  = gs2-cbind-flag "," [ authzid ] ","  (RFC 5801 §4)
                out.extend_from_slice(b"n,");
                if let Some(authzid) = authzid {
                    out.extend_from_slice(b"a=");
                    // RFC 5801 §4: saslname escapes "," and "=".
                    for &b in authzid.as_bytes() {
                        match b {
                            b',' => out.extend_from_slice(b"=2C"),
                            b'=' => out.extend_from_slice(b"=3D"),
                            _ => out.push(b),
                        }
                    }
                }
                out.push(b',');
                out.push(KVSEP);
                if let Some(host) = host {
                    out.extend_from_slice(b"host=");
                    out.extend_from_slice(host.as_bytes());
                    out.push(KVSEP);
                }
                if let Some(port) = port {
                    out.extend_from_slice(b"port=");
                    out.extend_from_slice(port.to_string().as_bytes());
                    out.push(KVSEP);
                }
                out.extend_from_slice(b"auth=Bearer ");
                out.extend_from_slice(token.expose());
                out.push(KVSEP);
                out.push(KVSEP);
            }
            ClientMechanism::Login { .. } | ClientMechanism::CramMd5 { .. } => {}
        }
        out
    }
}

/// The key/value separator of XOAUTH2 and OAUTHBEARER (RFC 7628 §3.1:
/// `kvsep = %x01`).
pub(crate) const KVSEP: u8 = 0x01;

/// HMAC-MD5 (RFC 2104) of `challenge` keyed with `secret`: the CRAM-MD5
/// digest (RFC 2195 §2).
pub(crate) fn cram_md5_digest(secret: &[u8], challenge: &[u8]) -> [u8; 16] {
    cram_md5_mac(secret, challenge)
        .finalize()
        .into_bytes()
        .into()
}

/// The HMAC-MD5 state after `challenge`, for a digest or a verification.
pub(crate) fn cram_md5_mac(secret: &[u8], challenge: &[u8]) -> Hmac<Md5> {
    // HMAC takes keys of any length (RFC 2104 §2), so this cannot fail;
    // the fallback keeps the code free of panics all the same.
    let mut mac = <Hmac<Md5> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| <Hmac<Md5> as hmac::digest::KeyInit>::new(&Default::default()));
    mac.update(challenge);
    mac
}

/// Lower-case hex of `bytes` (RFC 2195 §2: "represented in hexadecimal").
fn hex(bytes: &[u8]) -> Vec<u8> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)]);
        out.push(DIGITS[usize::from(b & 0x0f)]);
    }
    out
}

/// Refuses `forbidden` octets, and empty values unless `may_be_empty`.
fn no_bytes(value: &[u8], forbidden: &[u8], may_be_empty: bool) -> Result<(), ValueError> {
    if value.is_empty() && !may_be_empty {
        return Err(ValueError::Empty);
    }
    match value.iter().position(|b| forbidden.contains(b)) {
        Some(offset) => Err(ValueError::Forbidden {
            offset,
            byte: value.get(offset).copied().unwrap_or_default(),
        }),
        None => Ok(()),
    }
}

/// Refuses control characters other than HTAB, CR and LF, and DEL (RFC
/// 7628 §3.1: `value = *(VCHAR / SP / HTAB / CR / LF)`; other UTF-8 is
/// let through, as servers read it).
fn no_controls(value: &[u8]) -> Result<(), ValueError> {
    match value
        .iter()
        .position(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\r' | b'\n')) || b == 0x7f)
    {
        Some(offset) => Err(ValueError::Forbidden {
            offset,
            byte: value.get(offset).copied().unwrap_or_default(),
        }),
        None => Ok(()),
    }
}

/// Checks a bearer token: non-empty, visible ASCII (RFC 6750 §2.1's
/// `b64token` is a subset).
fn bearer_token(token: &[u8]) -> Result<(), ValueError> {
    if token.is_empty() {
        return Err(ValueError::Empty);
    }
    match token.iter().position(|b| !b.is_ascii_graphic()) {
        Some(offset) => Err(ValueError::Forbidden {
            offset,
            byte: token.get(offset).copied().unwrap_or_default(),
        }),
        None => Ok(()),
    }
}

/// Checks that `value` is UTF-8.
fn utf8(value: &[u8]) -> Result<(), ValueError> {
    std::str::from_utf8(value)
        .map(|_| ())
        .map_err(|e| ValueError::NotUtf8 {
            offset: e.valid_up_to(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_checked() {
        let err = |m| Client::new(m).unwrap_err();
        assert_eq!(
            err(ClientMechanism::plain("tim", "")),
            SaslError::InvalidCredentials {
                field: "password",
                error: ValueError::Empty
            }
        );
        assert_eq!(
            err(ClientMechanism::plain("t\0m", "x")),
            SaslError::InvalidCredentials {
                field: "authcid",
                error: ValueError::Forbidden { offset: 1, byte: 0 }
            }
        );
        assert_eq!(
            err(ClientMechanism::plain("tim", b"\xff".as_slice())),
            SaslError::InvalidCredentials {
                field: "password",
                error: ValueError::NotUtf8 { offset: 0 }
            }
        );
        assert!(matches!(
            err(ClientMechanism::xoauth2("a\x01b", "t")),
            SaslError::InvalidCredentials { field: "user", .. }
        ));
        assert!(matches!(
            err(ClientMechanism::xoauth2("a", "t k")),
            SaslError::InvalidCredentials { field: "token", .. }
        ));
        assert!(matches!(
            err(ClientMechanism::OAuthBearer {
                authzid: None,
                host: Some("a\x01b".into()),
                port: None,
                token: "t".into()
            }),
            SaslError::InvalidCredentials { field: "host", .. }
        ));
        assert!(matches!(
            err(ClientMechanism::cram_md5("a\r\n", "s")),
            SaslError::InvalidCredentials {
                field: "username",
                ..
            }
        ));
        // An empty authzid is the same as none.
        let mut c = Client::new(ClientMechanism::Plain {
            authzid: Some(String::new()),
            authcid: "a".into(),
            password: "b".into(),
        })
        .unwrap();
        assert_eq!(c.initial_response().unwrap(), b"\0a\0b");
    }

    #[test]
    fn gs2_authzid_is_escaped() {
        let mut c = Client::new(ClientMechanism::oauthbearer("a,b=c", "tok")).unwrap();
        assert_eq!(
            c.initial_response().unwrap(),
            b"n,a=a=2Cb=3Dc,\x01auth=Bearer tok\x01\x01"
        );
        let mut c = Client::new(ClientMechanism::OAuthBearer {
            authzid: None,
            host: None,
            port: Some(587),
            token: "tok".into(),
        })
        .unwrap();
        assert_eq!(
            c.initial_response().unwrap(),
            b"n,,\x01port=587\x01auth=Bearer tok\x01\x01"
        );
    }

    #[test]
    fn steps_in_order() {
        let mut c = Client::new(ClientMechanism::login("tim", "pw")).unwrap();
        assert_eq!(c.initial_response(), None);
        assert!(!c.is_finished());
        assert_eq!(c.step(b"Username:"), Ok(Step::Respond(b"tim".to_vec())));
        assert_eq!(c.step(b"Password:"), Ok(Step::Respond(b"pw".to_vec())));
        assert!(c.is_finished());
        assert_eq!(
            c.step(b""),
            Err(SaslError::UnexpectedChallenge(Mechanism::LOGIN))
        );

        let mut c = Client::new(ClientMechanism::plain("tim", "pw")).unwrap();
        assert_eq!(c.step(b""), Ok(Step::Respond(b"\0tim\0pw".to_vec())));
        assert_eq!(c.initial_response(), None);
        assert!(c.is_finished());
        assert!(c.step(b"").is_err());

        let mut c = Client::new(ClientMechanism::cram_md5("tim", "pw")).unwrap();
        assert_eq!(
            c.step(b""),
            Err(SaslError::MalformedChallenge(Mechanism::CRAM_MD5))
        );
        assert!(c.is_finished());

        let mut c = Client::new(ClientMechanism::xoauth2("u", "t")).unwrap();
        assert!(c.initial_response().is_some());
        assert!(!c.is_finished());
        assert_eq!(
            c.step(b"{}"),
            Ok(Step::Failed {
                response: vec![],
                error: b"{}".to_vec()
            })
        );
        assert!(c.is_finished());
        assert!(c.step(b"").is_err());
    }

    #[test]
    fn hex_digits() {
        assert_eq!(hex(&[0x00, 0x0f, 0xa5, 0xff]), b"000fa5ff");
    }
}
